import { HttpErrorResponse } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { Router } from '@angular/router';
import { AuthService, errorMessage, homeOf } from '../core/auth.service';

/**
 * The server answers a wrong password, an unknown name and a disabled account alike (so the
 * answer never confirms a guessed password); the page names every case it can be.
 */
export const SIGN_IN_REFUSED = 'Wrong user name or password. If your account was disabled, ask an administrator.';

@Component({
  selector: 'parley-login',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [FormsModule, MatFormFieldModule, MatInputModule, MatButtonModule],
  template: `
    <main class="login">
      <h1>Parley</h1>
      @if (notice; as text) {
        <p class="notice" role="status" data-testid="session-ended">{{ text }}</p>
      }
      <form (ngSubmit)="submit()" aria-label="Sign in">
        <mat-form-field appearance="outline">
          <mat-label>User name</mat-label>
          <input matInput name="username" autocomplete="username" required [(ngModel)]="username" />
        </mat-form-field>
        <mat-form-field appearance="outline">
          <mat-label>Password</mat-label>
          <input matInput name="password" type="password" autocomplete="current-password" required [(ngModel)]="password" />
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
    h1 { font-weight: 500; }
    .notice { background: var(--mat-sys-secondary-container); color: var(--mat-sys-on-secondary-container); padding: 0.75rem 1rem; border-radius: 0.5rem; margin: 0 0 1rem; }
    .error { color: var(--mat-sys-error); margin: 0 0 0.5rem; }
  `,
})
export class LoginComponent {
  private readonly auth = inject(AuthService);
  private readonly router = inject(Router);
  /** Why the last session ended, when an administrator ended it; shown once. */
  readonly notice = this.auth.takeEndNotice();
  username = '';
  password = '';
  readonly error = signal<string | null>(null);
  readonly busy = signal(false);

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
