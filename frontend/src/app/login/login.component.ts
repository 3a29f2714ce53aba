import { HttpErrorResponse } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, type ElementRef, type OnInit, afterNextRender, inject, signal, viewChild } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import type { ErrorStateMatcher } from '@angular/material/core';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { ActivatedRoute, Router } from '@angular/router';
import { SSO_ERROR_MESSAGES, type SignInMethods, type SsoError } from '@parley/contract';
import { ThemeButtonComponent } from '../core/theme-menu.component';
import { AuthService, errorMessage, homeOf } from '../core/auth.service';
import { LOAD_PAGE } from '../core/tokens';

/**
 * The fields show "required" only after a sign-in was tried: the user name has focus on arrival,
 * so leaving it for the theme menu would otherwise paint it red before anything was typed.
 */
const AFTER_SUBMIT: ErrorStateMatcher = { isErrorState: (control, form) => !!(control?.invalid && form?.submitted) };

/**
 * The server answers a wrong password, an unknown name and a disabled account alike (so the
 * answer never confirms a guessed password); the page names every case it can be.
 */
export const SIGN_IN_REFUSED = 'Wrong user name or password. If your account was disabled, ask an administrator.';

/** A single sign-on came back with an sso_error this page does not know (a newer server). */
export const SSO_FAILED = 'Single sign-on did not work. Try again, or sign in with a user name and password.';

/** /login?sso_error=<code>: the single sign-on's refusal in words (details are in the server log). */
export function ssoErrorMessage(code: string): string {
  return Object.hasOwn(SSO_ERROR_MESSAGES, code) ? SSO_ERROR_MESSAGES[code as SsoError] : SSO_FAILED;
}

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
          <input #usernameInput matInput name="username" autocomplete="username" required [(ngModel)]="username" [errorStateMatcher]="afterSubmit"
                 [attr.aria-describedby]="methods()?.directory ? 'directory-hint' : null" />
        </mat-form-field>
        <mat-form-field appearance="outline">
          <mat-label>Password</mat-label>
          <input matInput name="password" type="password" autocomplete="current-password" required [(ngModel)]="password" [errorStateMatcher]="afterSubmit" />
        </mat-form-field>
        @if (error(); as message) {
          <p class="error" role="alert">{{ message }}</p>
        }
        <button mat-flat-button type="submit" [disabled]="busy()">Sign in</button>
        @if (methods()?.directory) {
          <p id="directory-hint" class="hint" data-testid="directory-hint">Use your company (directory) user name and password.</p>
        }
      </form>
      <!-- Only once the server has said single sign-on is set up; until then (or if it never says) the form alone. -->
      @if (methods()?.sso; as sso) {
        <p class="or">or</p>
        <button mat-stroked-button type="button" class="sso" data-testid="sso" (click)="signInWith(sso)">Sign in with {{ sso.name }}</button>
      }
    </main>
  `,
  styles: `
    .login { max-width: 22rem; margin: 12vh auto; padding: 0 1rem; display: flex; flex-direction: column; }
    form { display: flex; flex-direction: column; gap: 0.25rem; }
    .head { display: flex; align-items: center; justify-content: space-between; }
    h1 { font-weight: 500; }
    .notice { background: var(--mat-sys-secondary-container); color: var(--mat-sys-on-secondary-container); padding: 0.75rem 1rem; border-radius: 0.5rem; margin: 0 0 1rem; }
    .error { color: var(--mat-sys-error); margin: 0 0 0.5rem; }
    .hint { color: var(--mat-sys-on-surface-variant); font-size: 0.875rem; margin: 0.5rem 0 0; }
    .or { display: flex; align-items: center; gap: 0.75rem; margin: 1.25rem 0; color: var(--mat-sys-on-surface-variant); }
    .or::before, .or::after { content: ''; flex: 1; border-top: 1px solid var(--mat-sys-outline-variant); }
    /* A provider's name can be long: the label wraps rather than being cut off on a phone. */
    .sso { height: auto; min-height: 40px; padding-block: 0.5rem; white-space: normal; }
  `,
})
export class LoginComponent implements OnInit {
  private readonly auth = inject(AuthService);
  private readonly router = inject(Router);
  private readonly route = inject(ActivatedRoute);
  private readonly loadPage = inject(LOAD_PAGE);
  readonly afterSubmit = AFTER_SUBMIT;
  /** Why the last session ended, when an administrator ended it; shown once. */
  readonly notice = this.auth.takeEndNotice();
  username = '';
  password = '';
  readonly error = signal<string | null>(null);
  readonly busy = signal(false);
  /** What the server offers besides passwords; null while asking, or when it did not answer. */
  readonly methods = signal<SignInMethods | null>(null);
  private readonly usernameInput = viewChild.required<ElementRef<HTMLInputElement>>('usernameInput');

  constructor() {
    // Arriving here (first visit, sign-out, a session that ended) means typing a name next.
    // The autofocus attribute would work only on the document's first page.
    afterNextRender(() => this.usernameInput().nativeElement.focus());
    void this.auth.signInMethods().then((methods) => this.methods.set(methods));
    // A sign-out pressed while the server was out of reach ends before anyone signs in here.
    void this.auth.finishPendingSignOut();
  }

  ngOnInit(): void {
    const ssoError = this.route.snapshot.queryParamMap.get('sso_error');
    if (ssoError === null) return;
    this.error.set(ssoErrorMessage(ssoError));
    // Said once: a reload or a bookmark of this address must not say it again.
    void this.router.navigate([], { relativeTo: this.route, queryParams: { sso_error: null }, queryParamsHandling: 'merge', replaceUrl: true });
  }

  /** A full page load: the server starts the sign-in and sends the browser on to the provider. */
  signInWith(sso: NonNullable<SignInMethods['sso']>): void {
    this.loadPage(sso.start_url);
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
