import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { MatCheckboxModule, type MatCheckboxChange } from '@angular/material/checkbox';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatSlideToggleModule, type MatSlideToggleChange } from '@angular/material/slide-toggle';
import { NotificationSettings } from '../core/notification-settings';

/** The default quiet hours offered when the box is ticked: evenings and nights. */
const DEFAULT_QUIET = { from: '19:00', to: '07:00' };

/**
 * Do not disturb, quiet hours and the chime, for this device. Saved as they change: there is
 * no Save button to forget. The account page places it as one of its cards.
 */
@Component({
  selector: 'parley-notification-settings',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatCheckboxModule, MatFormFieldModule, MatInputModule, MatSlideToggleModule],
  template: `
    <h2 id="notify-heading">Notifications on this device</h2>
    <mat-slide-toggle [checked]="prefs().dnd" (change)="dnd($event)">Do not disturb</mat-slide-toggle>
    <p class="hint">{{ prefs().dnd ? 'No notifications until you switch this off.' : 'Notifications come as your conversations\\' settings say.' }}</p>
    <mat-checkbox [checked]="prefs().quietHours !== null" (change)="quiet($event)">Quiet hours every day</mat-checkbox>
    @if (prefs().quietHours; as hours) {
      <div class="hours" role="group" aria-label="Quiet hours">
        <mat-form-field appearance="outline" subscriptSizing="dynamic">
          <mat-label>From</mat-label>
          <input matInput type="time" name="quiet_from" required [value]="hours.from" (change)="hoursChanged('from', $any($event.target).value)" />
        </mat-form-field>
        <mat-form-field appearance="outline" subscriptSizing="dynamic">
          <mat-label>To</mat-label>
          <input matInput type="time" name="quiet_to" required [value]="hours.to" (change)="hoursChanged('to', $any($event.target).value)" />
        </mat-form-field>
      </div>
      <p class="hint">{{ summary() }}</p>
    }
    <mat-slide-toggle [checked]="prefs().sound" (change)="sound($event)">Play a sound</mat-slide-toggle>
    <p class="hint">Saved on this device as you change it.</p>
  `,
  styles: `
    :host { display: flex; }
    h2 { font-size: 1rem; font-weight: 500; margin: 0 0 0.25rem; }
    .hint { color: var(--mat-sys-on-surface-variant); font-size: 0.8125rem; margin: 0; }
    .hours { display: flex; gap: 0.75rem; flex-wrap: wrap; }
    .hours mat-form-field { flex: 1 1 8rem; }
  `,
  host: { role: 'region', 'aria-labelledby': 'notify-heading' },
})
export class NotificationSettingsCardComponent {
  private readonly settings = inject(NotificationSettings);
  readonly prefs = this.settings.prefs;
  readonly summary = computed(() => {
    const hours = this.prefs().quietHours;
    if (!hours) return '';
    return hours.from === hours.to ? 'From and To are the same: no quiet hours.' : `No notifications from ${hours.from} to ${hours.to}${hours.from > hours.to ? ' the next morning' : ''}.`;
  });

  dnd(event: MatSlideToggleChange): void {
    this.settings.update({ dnd: event.checked });
  }

  sound(event: MatSlideToggleChange): void {
    this.settings.update({ sound: event.checked });
  }

  quiet(event: MatCheckboxChange): void {
    this.settings.update({ quietHours: event.checked ? DEFAULT_QUIET : null });
  }

  hoursChanged(end: 'from' | 'to', value: string): void {
    const hours = this.prefs().quietHours;
    // A cleared field keeps the time it had: a half-written schedule is not saved.
    if (!hours || !/^\d\d:\d\d$/.test(value)) return;
    this.settings.update({ quietHours: { ...hours, [end]: value } });
  }
}
