import { HttpClient, HttpErrorResponse } from '@angular/common/http';
import { Injectable, inject, signal } from '@angular/core';
import { firstValueFrom } from 'rxjs';
import { ROLES, SESSION_END_REASONS, type LoginRequest, type LoginResponse, type PublicUser, type SessionEndReason, type SessionResponse, type SignInMethods } from '@parley/contract';
// The one thing the sign-in state reaches into the chat for: a signed-out user's saved copy goes with them.
import { OFFLINE_COPY_STORAGE } from '../chat/offline-copy';
import { SESSION_STORAGE, STORAGE } from './tokens';

export function homeOf(user: PublicUser): string {
  return `/${user.role}/${user.username}`;
}

/** The REST error body's message, or a generic one. */
export function errorMessage(error: unknown): string {
  if (error instanceof HttpErrorResponse) {
    const body = error.error as { message?: unknown } | null;
    if (body && typeof body.message === 'string') return body.message;
    return error.status === 0 ? 'The server cannot be reached' : `Request failed (${error.status})`;
  }
  return error instanceof Error ? error.message : 'Something went wrong';
}

/** What the sign-in page says after the session was ended elsewhere (session_ended). */
export const SESSION_END_NOTICES: Record<SessionEndReason, string> = {
  signed_out: 'An administrator signed you out. Sign in again to continue.',
  disabled: 'Your account was disabled. Ask an administrator if you need it back.',
  password_reset: 'Your password was reset by an administrator. Sign in with the new password.',
  disconnected: 'An administrator disconnected this device. Sign in again to continue.',
  role_changed: 'An administrator changed your role. Sign in again to continue.',
  deleted: 'Your account was deleted by an administrator.',
  password_changed: 'Your password was changed on another device. Sign in with the new password.',
  directory_disabled: 'Your access to Parley was removed in the company directory. Ask your administrator if you need it back.',
  directory_role_changed: 'Your groups in the company directory changed, and with them your role. Sign in again to continue.',
  // Only a bot's connections get it; a bot signs in with its new token, not on this page.
  token_revoked: "This bot's token was rotated or revoked by an administrator.",
};

/** sessionStorage key: kept per tab across a reload, until the sign-in page has shown it once. */
const END_REASON_KEY = 'parley.sessionEnded';

/** localStorage key: who was last signed in on this browser, for starting while the server is out of reach. */
const SIGNED_IN_KEY = 'parley.signedIn';

/** What SIGNED_IN_KEY holds: the person, and when their session ends (absent: saved by an older version). */
type Remembered = PublicUser & { expires_at?: string };

/**
 * Who was last signed in on this browser (and has not signed out) while their session lasts, or
 * null; malformed data is nobody. Past the session's end the server would not take them back
 * either, so nothing of theirs opens offline (a shared computer's next user sees nothing).
 */
export function rememberedUser(storage: Storage, now = Date.now()): PublicUser | null {
  const found = storedSignedIn(storage, now);
  return found && !found.expired ? found.user : null;
}

function storedSignedIn(storage: Storage, now = Date.now()): { user: PublicUser; expired: boolean } | null {
  try {
    const value = JSON.parse(storage.getItem(SIGNED_IN_KEY) ?? 'null') as Partial<Remembered> | null;
    const valid =
      typeof value?.username === 'string' && typeof value.display_name === 'string' && (ROLES as readonly string[]).includes(value.role ?? '');
    if (!valid) return null;
    const ends = typeof value.expires_at === 'string' ? Date.parse(value.expires_at) : NaN;
    return { user: { username: value.username!, display_name: value.display_name!, role: value.role! }, expired: !Number.isNaN(ends) && ends <= now };
  } catch {
    return null;
  }
}
/**
 * localStorage key: "Sign out" was pressed while the server was out of reach. The session
 * cookie (httpOnly, out of the page's reach) still holds, so the next page load ends it on the
 * server before anything else; otherwise the next person at this browser would be signed in.
 */
const SIGN_OUT_PENDING_KEY = 'parley.signOutPending';

/**
 * The answers that mean "the server is out of reach", not "you are signed out": no answer at all
 * (0), or a proxy in front of a stopped Parley (502, 503, 504).
 */
export function unreachable(error: unknown): boolean {
  return error instanceof HttpErrorResponse && [0, 502, 503, 504].includes(error.status);
}

/** Who is signed in. The session itself is an httpOnly cookie the app never sees. */
@Injectable({ providedIn: 'root' })
export class AuthService {
  private readonly http = inject(HttpClient);
  private readonly sessionStorage = inject(SESSION_STORAGE);
  private readonly storage = inject(STORAGE);
  private readonly offlineCopies = inject(OFFLINE_COPY_STORAGE);
  readonly user = signal<PublicUser | null>(null);
  /**
   * The server could not be reached when the page asked who is signed in, so the person last
   * signed in here is assumed (their saved conversations are shown; the socket's verify_user
   * decides once the server is back).
   */
  readonly unreachable = signal(false);
  private known: Promise<PublicUser | null> | null = null;
  private methods: Promise<SignInMethods | null> | null = null;

  /**
   * Asks the server once per page load; later calls reuse the answer. With the server out of
   * reach, the person last signed in on this browser (if they did not sign out).
   */
  whoAmI(): Promise<PublicUser | null> {
    // /api/session answers 200 either way, so a signed-out visit logs no failed request.
    this.known ??= firstValueFrom(this.http.get<SessionResponse>('/api/session')).then(
      async ({ user, expires_at }) => {
        // Only the session of whoever pressed "Sign out": someone who signed in since keeps theirs.
        if (user && this.pendingSignOut() === user.username) {
          await this.logout();
          return null;
        }
        this.setPendingSignOut(null);
        if (user) this.remember(user, expires_at);
        else this.dropRemembered();
        this.user.set(user);
        return user;
      },
      (error: unknown) => {
        // A session that has ended since: its person and their saved copy are forgotten now.
        if (storedSignedIn(this.storage)?.expired) this.dropRemembered();
        const remembered = unreachable(error) ? this.remembered() : null;
        this.unreachable.set(remembered !== null);
        this.user.set(remembered);
        return remembered;
      },
    );
    return this.known;
  }

  /**
   * How one may sign in (GET /api/auth/methods), or null when the server did not say. Asked once
   * per page load, as the server's settings change only with a restart; a failure is asked again.
   */
  signInMethods(): Promise<SignInMethods | null> {
    this.methods ??= firstValueFrom(this.http.get<SignInMethods>('/api/auth/methods')).catch(() => {
      this.methods = null;
      return null;
    });
    return this.methods;
  }

  async login(username: string, password: string): Promise<PublicUser> {
    if (this.pendingSignOut() !== null) await this.finishPendingSignOut();
    const { user, expires_at } = await firstValueFrom(
      this.http.post<LoginResponse>('/api/auth/login', { username, password } satisfies LoginRequest),
    );
    this.setPendingSignOut(null);
    this.remember(user, expires_at);
    this.user.set(user);
    this.unreachable.set(false);
    this.known = Promise.resolve(user);
    return user;
  }

  /** The server ended the session (sign-out elsewhere, disabled): forget it without asking. */
  forget(): void {
    this.user.set(null);
    this.known = Promise.resolve(null);
    this.dropRemembered();
  }

  /** An administrator ended this session: forget it, and keep why for the sign-in page. */
  sessionEnded(reason: SessionEndReason): void {
    try {
      this.sessionStorage.setItem(END_REASON_KEY, reason);
    } catch {
      // Storage full or blocked: the page still goes to sign-in, only without the reason.
    }
    this.forget();
  }

  /** Why the last session ended, once: reading it clears it, so a later visit shows nothing. */
  takeEndNotice(): string | null {
    try {
      const reason = this.sessionStorage.getItem(END_REASON_KEY);
      this.sessionStorage.removeItem(END_REASON_KEY);
      return (SESSION_END_REASONS as readonly string[]).includes(reason ?? '') ? SESSION_END_NOTICES[reason as SessionEndReason] : null;
    } catch {
      return null;
    }
  }

  async logout(): Promise<void> {
    // Forgotten here first, so a request that hangs (the server's address stopped answering)
    // leaves nothing of this person on the page or in the browser; the server's side is marked
    // pending until it answers, and a later page load finishes it.
    const who = this.user()?.username ?? this.remembered()?.username ?? null;
    if (who) this.setPendingSignOut(who);
    this.forget();
    await this.finishPendingSignOut();
  }

  /**
   * Ends on the server a sign-out that could not reach it before (the sign-in page calls this
   * as it opens, so a new sign-in never follows an old session still open). Fails harmlessly
   * when the session has already ended; out of reach, it stays pending.
   */
  async finishPendingSignOut(): Promise<void> {
    if (this.pendingSignOut() === null) return;
    let reached = true;
    await firstValueFrom(this.http.post('/api/auth/logout', {})).catch((error: unknown) => (reached = !unreachable(error)));
    if (reached) this.setPendingSignOut(null);
  }

  private pendingSignOut(): string | null {
    try {
      return this.storage.getItem(SIGN_OUT_PENDING_KEY);
    } catch {
      return null;
    }
  }

  private setPendingSignOut(username: string | null): void {
    try {
      if (username !== null) this.storage.setItem(SIGN_OUT_PENDING_KEY, username);
      else this.storage.removeItem(SIGN_OUT_PENDING_KEY);
    } catch {
      // Blocked storage: nothing can be remembered across page loads anyway.
    }
  }

  /** `expiresAt`: the session's end, as the server gave it (undefined from a test's or an older server's answer). */
  private remember(user: PublicUser, expiresAt?: string | null): void {
    const before = storedSignedIn(this.storage)?.user;
    // Someone else signed in here: the previous person's saved conversations are not theirs to read.
    if (before && before.username !== user.username) void this.offlineCopies.remove(before.username);
    try {
      const remembered: Remembered = { username: user.username, display_name: user.display_name, role: user.role, ...(expiresAt ? { expires_at: expiresAt } : {}) };
      this.storage.setItem(SIGNED_IN_KEY, JSON.stringify(remembered));
    } catch {
      // Storage full or blocked: the app works online; it only cannot start offline.
    }
  }

  /** Signed out (or the server says so): nothing of this person's is shown offline any more. */
  private dropRemembered(): void {
    const before = storedSignedIn(this.storage)?.user;
    try {
      this.storage.removeItem(SIGNED_IN_KEY);
    } catch {
      // Blocked storage holds nothing to remove.
    }
    if (before) void this.offlineCopies.remove(before.username);
  }

  private remembered(): PublicUser | null {
    return rememberedUser(this.storage);
  }
}
