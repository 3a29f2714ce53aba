import { HttpClient } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, ElementRef, computed, inject, signal, viewChild, type OnInit, type WritableSignal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { RouterLink } from '@angular/router';
import { firstValueFrom } from 'rxjs';
import { ErrorCodes, type AccountSource, type ChangePasswordRequest, type MeResponse, type UpdateMeRequest } from '@parley/contract';
import { AuthService } from '../core/auth.service';
import { NotificationSettingsCardComponent } from './notification-settings-card.component';
import { PasswordFeedbackComponent } from '../users/password-feedback.component';
import { PasswordStrength } from '../users/password-strength.service';
import { describeAccountError, errorCode } from './account-errors';

/** The display name rule of the contract (displayNameSchema), checked before anything is sent. */
const DISPLAY_NAME_MAX = 64;

/**
 * What the account page says an account's source keeps: `password` is null where Parley keeps the
 * password (and the page offers to change it).
 */
function sourceWords(source: AccountSource | 'loading', ssoName: string): { names: string; displayName: string | null; password: string | null } {
  switch (source) {
    case 'ldap':
      return {
        names: 'Your user name and role come from the company directory.',
        displayName: 'Your name comes from the company directory.',
        password: 'Your password is managed by the company directory. Change it there (for example with Ctrl+Alt+Del → Change a password on Windows).',
      };
    case 'oidc':
      return {
        names: `Your user name and role come from ${ssoName}.`,
        // Each sign-in takes the name the provider has, so a change here would not last.
        displayName: `Your name comes from ${ssoName}.`,
        password: `You sign in with ${ssoName}; your password is managed there.`,
      };
    default:
      return { names: 'Only an administrator can change your user name or role.', displayName: null, password: null };
  }
}

/**
 * /:role/:name/account: one's own account. The user name and role are shown, not editable (an
 * administrator, or the company directory, changes those); the display name and the password are
 * the person's own, except where the account's source keeps them: a directory (ldap) or single
 * sign-on (oidc) account's name and password live there.
 */
@Component({
  selector: 'parley-account-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [RouterLink, MatButtonModule, MatFormFieldModule, MatInputModule, PasswordFeedbackComponent, NotificationSettingsCardComponent],
  template: `
    <main>
      <header class="top">
        <a mat-button [routerLink]="home()">← Chat</a>
        <h1>Account</h1>
      </header>
      @if (user(); as me) {
        <dl class="facts" aria-label="Your account">
          <div><dt>User name</dt><dd data-testid="account-username">{{ me.username }}</dd></div>
          <div><dt>Role</dt><dd data-testid="account-role">{{ me.role }}</dd></div>
        </dl>
      }
      @if (source() === 'loading') {
        <p role="status">Loading…</p>
      } @else {
        <p class="hint" data-testid="names-hint">{{ words().names }}</p>

        @if (words().displayName; as from) {
          <section class="card" aria-labelledby="name-heading">
            <h2 id="name-heading">Display name</h2>
            <p class="value" data-testid="account-display-name">{{ user()?.display_name }}</p>
            <p class="hint">{{ from }}</p>
          </section>
        } @else {
          <form class="card" (submit)="saveName($event)" aria-labelledby="name-heading" novalidate>
            <h2 id="name-heading">Display name</h2>
            <mat-form-field appearance="outline" subscriptSizing="dynamic">
              <mat-label>Display name</mat-label>
              <input #nameInput matInput name="display_name" autocomplete="nickname" [attr.maxlength]="nameMax"
                     [value]="displayName()" (input)="typedName(nameInput.value)"
                     [attr.aria-describedby]="nameProblem() ? 'name-problem' : null" />
              <mat-hint>Shown to others instead of your user name; up to {{ nameMax }} characters.</mat-hint>
            </mat-form-field>
            @if (nameProblem(); as text) { <p id="name-problem" class="problem" role="alert">{{ text }}</p> }
            @if (nameStatus(); as text) { <p class="ok" role="status">{{ text }}</p> }
            <div class="actions">
              <button mat-flat-button type="submit" [attr.aria-busy]="savingName()">{{ savingName() ? 'Saving…' : 'Save' }}</button>
            </div>
          </form>
        }

        @if (words().password; as text) {
          <section class="card" aria-labelledby="password-heading">
            <h2 id="password-heading">Password</h2>
            <p class="value" data-testid="password-elsewhere">{{ text }}</p>
          </section>
        } @else {
          <form class="card" (submit)="changePassword($event)" aria-labelledby="password-heading" novalidate>
            <h2 id="password-heading">Change your password</h2>
            <!-- For password managers: which account these passwords belong to. -->
            <input class="visually-hidden" type="text" name="username" autocomplete="username" [value]="user()?.username ?? ''"
                   readonly tabindex="-1" aria-hidden="true" />
            <!-- The refusal below is tied to Current password too: focus goes there after WRONG_PASSWORD. -->
            <mat-form-field appearance="outline" subscriptSizing="dynamic">
              <mat-label>Current password</mat-label>
              <input #currentInput matInput name="current_password" type="password" autocomplete="current-password"
                     [value]="current()" (input)="typed(current, currentInput.value)"
                     [attr.aria-describedby]="passwordProblem() ? 'password-problem' : null" />
            </mat-form-field>
            <mat-form-field appearance="outline" subscriptSizing="dynamic">
              <mat-label>New password</mat-label>
              <input #newInput matInput name="new_password" type="password" autocomplete="new-password"
                     [value]="next()" (input)="typed(next, newInput.value)" aria-describedby="password-feedback" />
            </mat-form-field>
            <parley-password-feedback id="password-feedback" [password]="next()" [userInputs]="nameHints()" />
            <mat-form-field appearance="outline" subscriptSizing="dynamic">
              <mat-label>New password again</mat-label>
              <input #againInput matInput name="new_password_again" type="password" autocomplete="new-password"
                     [value]="again()" (input)="typed(again, againInput.value)"
                     [attr.aria-describedby]="passwordProblem() ? 'password-problem' : null" />
            </mat-form-field>
            @if (passwordProblem(); as text) { <p id="password-problem" class="problem" role="alert">{{ text }}</p> }
            @if (passwordStatus(); as text) { <p class="ok" role="status">{{ text }}</p> }
            <div class="actions">
              <button mat-flat-button type="submit" [attr.aria-busy]="changingPassword()">{{ changingPassword() ? 'Saving…' : 'Change password' }}</button>
            </div>
          </form>
        }
        <parley-notification-settings class="card" />
      }
    </main>
  `,
  styles: `
    :host { display: block; padding: 0.5rem 1rem 1rem; }
    .top { display: flex; align-items: center; gap: 0.5rem 1rem; flex-wrap: wrap; }
    h1 { font-size: 1.25rem; font-weight: 500; }
    h2 { font-size: 1rem; font-weight: 500; margin: 0 0 0.5rem; }
    .facts { display: flex; flex-wrap: wrap; gap: 0.25rem 2rem; margin: 0 0 0.25rem; }
    .facts dt { color: var(--mat-sys-on-surface-variant); font-size: 0.8125rem; }
    .facts dd { margin: 0; font-weight: 500; overflow-wrap: anywhere; }
    .hint { color: var(--mat-sys-on-surface-variant); font-size: 0.8125rem; margin: 0 0 1rem; }
    .card {
      display: flex; flex-direction: column; gap: 0.5rem; max-width: 28rem; margin-bottom: 1rem;
      padding: 1rem; border: 1px solid var(--mat-sys-outline-variant); border-radius: 0.75rem;
      background: var(--mat-sys-surface-container-low); color: var(--mat-sys-on-surface);
    }
    .card mat-form-field { width: 100%; }
    .card .value { margin: 0; overflow-wrap: anywhere; }
    .card .hint { margin: 0; }
    .problem { color: var(--mat-sys-error); margin: 0; }
    .ok { color: var(--mat-sys-primary); margin: 0; }
    .actions { display: flex; justify-content: flex-end; }
    /* A phone: the cards take the whole width, edge to edge but for the page's padding. */
    @media (max-width: 40rem) {
      :host { padding: 0.5rem; }
      .card { max-width: none; padding: 0.75rem; }
    }
  `,
})
export class AccountPageComponent implements OnInit {
  private readonly http = inject(HttpClient);
  private readonly auth = inject(AuthService);
  private readonly strength = inject(PasswordStrength);
  private readonly currentInput = viewChild.required<ElementRef<HTMLInputElement>>('currentInput');
  private readonly newInput = viewChild.required<ElementRef<HTMLInputElement>>('newInput');

  /** The signed-in account: the role guard has asked the server already, GET /api/me refreshes it. */
  readonly user = this.auth.user;
  readonly home = computed(() => {
    const me = this.user();
    return me ? ['/', me.role, me.username] : ['/'];
  });
  /** The account's names: guessable words for its password. */
  readonly nameHints = computed(() => {
    const me = this.user();
    return me ? [me.username, me.display_name] : [];
  });
  readonly nameMax = DISPLAY_NAME_MAX;
  /**
   * Where the account comes from, by GET /api/me; 'loading' until it answers. If it fails the
   * page offers what a local account may change: the server refuses the rest, saying where.
   */
  readonly source = signal<AccountSource | 'loading'>('loading');
  /** The single sign-on provider's name (GET /api/auth/methods), asked only for an oidc account. */
  readonly ssoName = signal('single sign-on');
  /** What the page says about the account's names and password, by where the account comes from. */
  readonly words = computed(() => sourceWords(this.source(), this.ssoName()));

  readonly displayName = signal(this.auth.user()?.display_name ?? '');
  /** Typing in the field marks it: a late GET /api/me must not overwrite what is being typed. */
  private nameEdited = false;
  readonly savingName = signal(false);
  readonly nameProblem = signal<string | null>(null);
  readonly nameStatus = signal<string | null>(null);

  readonly current = signal('');
  readonly next = signal('');
  readonly again = signal('');
  readonly changingPassword = signal(false);
  /** Set by a refused submit; typing clears it. */
  private readonly refused = signal<string | null>(null);
  /** Said only once the second field is as long as the first: not while it is being typed. */
  private readonly mismatch = computed(() => this.again() !== '' && this.again().length >= this.next().length && this.again() !== this.next());
  readonly passwordProblem = computed(() => this.refused() ?? (this.mismatch() ? 'The two new passwords differ.' : null));
  readonly passwordStatus = signal<string | null>(null);

  ngOnInit(): void {
    void this.refresh();
  }

  /** An administrator may have renamed the account since the page loaded: show what the server has. */
  private async refresh(): Promise<void> {
    try {
      const { user, source } = await firstValueFrom(this.http.get<MeResponse>('/api/me'));
      this.auth.user.set(user);
      if (!this.nameEdited) this.displayName.set(user.display_name);
      // The provider's name first, so the page does not change its wording as it arrives.
      if (source === 'oidc') {
        const sso = (await this.auth.signInMethods())?.sso;
        if (sso) this.ssoName.set(sso.name);
      }
      this.source.set(source);
    } catch {
      // The guard's answer is still shown; a save says plainly if the server is gone.
      if (this.source() === 'loading') this.source.set('local');
    }
  }

  typedName(value: string): void {
    this.nameEdited = true;
    this.displayName.set(value);
    this.nameProblem.set(null);
    this.nameStatus.set(null);
  }

  async saveName(event: Event): Promise<void> {
    event.preventDefault();
    // Not disabled while saving (a disabled button says nothing), so a second click is ignored here.
    if (this.savingName()) return;
    this.nameStatus.set(null);
    const display_name = this.displayName().trim();
    if (display_name === '') return this.nameProblem.set('Display name: type a name; it cannot be empty.');
    if (display_name.length > DISPLAY_NAME_MAX) return this.nameProblem.set(`Display name: at most ${DISPLAY_NAME_MAX} characters.`);
    this.nameProblem.set(null);
    this.savingName.set(true);
    try {
      const { user } = await firstValueFrom(this.http.patch<MeResponse>('/api/me', { display_name } satisfies UpdateMeRequest));
      // The chat header reads the same signal, so it shows the new name on the way back.
      this.auth.user.set(user);
      this.displayName.set(user.display_name);
      this.nameEdited = false;
      this.nameStatus.set('Saved');
    } catch (error) {
      this.nameProblem.set(describeAccountError(error));
    } finally {
      this.savingName.set(false);
    }
  }

  typed(field: WritableSignal<string>, value: string): void {
    field.set(value);
    this.refused.set(null);
    this.passwordStatus.set(null);
  }

  /**
   * The button is never disabled: the check runs on the values at the moment of the click, and
   * a refusal says why (a disabled button says nothing, and a screen reader may not reach it).
   */
  async changePassword(event: Event): Promise<void> {
    event.preventDefault();
    if (this.changingPassword()) return;
    this.passwordStatus.set(null);
    const problem = this.checkPasswords();
    if (problem) return this.refused.set(problem);
    this.refused.set(null);
    this.changingPassword.set(true);
    try {
      const body: ChangePasswordRequest = { current_password: this.current(), new_password: this.next() };
      await firstValueFrom(this.http.post<void>('/api/me/password', body));
      // Passwords do not linger in the page once they have done their work.
      this.current.set('');
      this.next.set('');
      this.again.set('');
      this.passwordStatus.set('Password changed. Your other devices were signed out.');
    } catch (error) {
      this.refused.set(describeAccountError(error));
      // Point at the field to fix: the current password when it was wrong, the new one when weak.
      const code = errorCode(error);
      if (code === ErrorCodes.WrongPassword) this.focus(this.currentInput());
      else if (code === ErrorCodes.WeakPassword) this.focus(this.newInput());
    } finally {
      this.changingPassword.set(false);
    }
  }

  /** What is wrong with the typed passwords before anything is sent, or null. */
  private checkPasswords(): string | null {
    if (this.current() === '') return 'Type your current password.';
    const password = this.next();
    if (password === '') return 'Type the new password twice.';
    if (password !== this.again()) return 'The two new passwords differ.';
    // While the rule loads (verdict null) the server's check is the only one.
    const verdict = this.strength.verdict(password, this.nameHints());
    if (verdict && !verdict.ok) return `Choose a harder password. ${verdict.feedback}`;
    return null;
  }

  private focus(input: ElementRef<HTMLInputElement>): void {
    input.nativeElement.focus();
    // Selected, so typing the right one replaces the wrong one.
    input.nativeElement.select();
  }
}
