import { ChangeDetectionStrategy, Component, computed, inject, viewChild } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatMenu, MatMenuModule } from '@angular/material/menu';
import { THEME_CHOICES, ThemeService } from './theme.service';

/**
 * The theme choices as a mat-menu of radio items, to open from a button (ThemeButtonComponent)
 * or as a submenu of a page's own menu: `<parley-theme-menu #theme="parleyThemeMenu" />` and
 * `[matMenuTriggerFor]="theme.menu()"`.
 */
@Component({
  selector: 'parley-theme-menu',
  exportAs: 'parleyThemeMenu',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatMenuModule],
  template: `
    <mat-menu #menu="matMenu" aria-label="Theme">
      @for (option of choices; track option.value) {
        <button mat-menu-item type="button" role="menuitemradio" [attr.aria-checked]="theme.choice() === option.value"
          (click)="theme.choose(option.value)">
          <span class="material-symbols-outlined" aria-hidden="true">{{ theme.choice() === option.value ? 'radio_button_checked' : 'radio_button_unchecked' }}</span>
          <span>{{ option.label }}</span>
        </button>
      }
    </mat-menu>
  `,
  styles: `
    .material-symbols-outlined { margin-right: 0.75rem; vertical-align: middle; }
  `,
})
export class ThemeMenuComponent {
  readonly theme = inject(ThemeService);
  readonly choices = THEME_CHOICES;
  readonly menu = viewChild.required<MatMenu>('menu');
}

/** An icon button opening the theme menu, for a page header or the sign-in page. */
@Component({
  selector: 'parley-theme-button',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatButtonModule, MatMenuModule, ThemeMenuComponent],
  template: `
    <button mat-icon-button type="button" [matMenuTriggerFor]="themeMenu.menu()" [attr.aria-label]="label()">
      <span class="material-symbols-outlined" aria-hidden="true">{{ icon() }}</span>
    </button>
    <parley-theme-menu #themeMenu="parleyThemeMenu" />
  `,
  styles: `
    parley-theme-menu { display: none; }
  `,
})
export class ThemeButtonComponent {
  private readonly theme = inject(ThemeService);
  readonly label = computed(() => `Theme: ${THEME_CHOICES.find((c) => c.value === this.theme.choice())!.label}`);
  readonly icon = computed(() => ({ system: 'contrast', light: 'light_mode', dark: 'dark_mode' })[this.theme.choice()]);
}
