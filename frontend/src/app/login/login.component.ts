import { HttpErrorResponse } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, type ElementRef, afterNextRender, inject, signal, viewChild } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import type { ErrorStateMatcher } from '@angular/material/core';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { Router } from '@angular/router';
import { ThemeButtonComponent } from '../core/theme-menu.component';
import { AuthService, errorMessage, homeOf } from '../core/auth.service';

/**
 * The server answers a wrong password, an unknown name and a disabled account alike (so the
 * answer never confirms a guessed password); the page names every case it can be.
 */
/**
 * The fields show "required" only after a sign-in was tried: the user name has focus on arrival,
 * so leaving it for the theme menu would otherwise paint it red before anything was typed.
 */
const AFTER_SUBMIT: ErrorStateMatcher = { isErrorState: (control, form) => !!(control?.invalid && form?.submitted) };

export const SIGN_IN_REFUSED = 'Wrong user name or password. If your account was disabled, ask an administrator.';

@Component({
  selector: 'parley-login',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [FormsModule, MatFormFieldModule, MatInputModule, MatButtonModule, ThemeButtonComponent],
  template: `
    <main class="login">
      <div class="head">
        <h1>Parley</h1>
        <parley-theme-button />
      </div>
      @if (notice; as text) {
        <p class="notice" role="status" data-testid="session-ended">{{ text }}</p>
      }
      <form (ngSubmit)="submit()" aria-label="Sign in">
        <mat-form-field appearance="outline">
          <mat-label>User name</mat-label>
          <input #usernameInput matInput name="username" autocomplete="username" required [(ngModel)]="username" [errorStateMatcher]="afterSubmit" />
        </mat-form-field>
        <mat-form-field appearance="outline">
          <mat-label>Password</mat-label>
          <input matInput name="password" type="password" autocomplete="current-password" required [(ngModel)]="password" [errorStateMatcher]="afterSubmit" />
        </mat-form-field>
        @if (error(); as message) {
          <p class="error" role="alert">{{ message }}</p>
        }
        <button mat-flat-button type="submit" [disabled]="busy()">Sign in</button>
      </form>
    </main>
  `,
  styles: `
    .login { max-width: 22rem; margin: 12vh auto; padding: 0 1rem; display: flex; flex-direction: column; }
    form { display: flex; flex-direction: column; gap: 0.25rem; }
    .head { display: flex; align-items: center; justify-content: space-between; }
    h1 { font-weight: 500; }
    .notice { background: var(--mat-sys-secondary-container); color: var(--mat-sys-on-secondary-container); padding: 0.75rem 1rem; border-radius: 0.5rem; margin: 0 0 1rem; }
    .error { color: var(--mat-sys-error); margin: 0 0 0.5rem; }
  `,
})
export class LoginComponent {
  private readonly auth = inject(AuthService);
  private readonly router = inject(Router);
  readonly afterSubmit = AFTER_SUBMIT;
  /** Why the last session ended, when an administrator ended it; shown once. */
  readonly notice = this.auth.takeEndNotice();
  username = '';
  password = '';
  readonly error = signal<string | null>(null);
  readonly busy = signal(false);
  private readonly usernameInput = viewChild.required<ElementRef<HTMLInputElement>>('usernameInput');

  constructor() {
    // Arriving here (first visit, sign-out, a session that ended) means typing a name next.
    // The autofocus attribute would work only on the document's first page.
    afterNextRender(() => this.usernameInput().nativeElement.focus());
  }

  async submit(): Promise<void> {
    this.busy.set(true);
    this.error.set(null);
    try {
      const user = await this.auth.login(this.username, this.password);
      await this.router.navigateByUrl(homeOf(user));
    } catch (error) {
      this.error.set(error instanceof HttpErrorResponse && error.status === 401 ? SIGN_IN_REFUSED : errorMessage(error));
    } finally {
      this.busy.set(false);
    }
  }
}
