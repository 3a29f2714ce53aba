import { HttpClient, HttpErrorResponse } from '@angular/common/http';
import { Injectable, inject, signal } from '@angular/core';
import { firstValueFrom } from 'rxjs';
import { SESSION_END_REASONS, type LoginRequest, type LoginResponse, type PublicUser, type SessionEndReason, type SessionResponse, type SignInMethods } from '@parley/contract';
import { SESSION_STORAGE } from './tokens';

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
};

/** sessionStorage key: kept per tab across a reload, until the sign-in page has shown it once. */
const END_REASON_KEY = 'parley.sessionEnded';

/** Who is signed in. The session itself is an httpOnly cookie the app never sees. */
@Injectable({ providedIn: 'root' })
export class AuthService {
  private readonly http = inject(HttpClient);
  private readonly sessionStorage = inject(SESSION_STORAGE);
  readonly user = signal<PublicUser | null>(null);
  private known: Promise<PublicUser | null> | null = null;
  private methods: Promise<SignInMethods | null> | null = null;

  /** Asks the server once per page load; later calls reuse the answer. */
  whoAmI(): Promise<PublicUser | null> {
    // /api/session answers 200 either way, so a signed-out visit logs no failed request.
    this.known ??= firstValueFrom(this.http.get<SessionResponse>('/api/session')).then(
      ({ user }) => {
        this.user.set(user);
        return user;
      },
      () => null,
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
    const { user } = await firstValueFrom(
      this.http.post<LoginResponse>('/api/auth/login', { username, password } satisfies LoginRequest),
    );
    this.user.set(user);
    this.known = Promise.resolve(user);
    return user;
  }

  /** The server ended the session (sign-out elsewhere, disabled): forget it without asking. */
  forget(): void {
    this.user.set(null);
    this.known = Promise.resolve(null);
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
    // Fails harmlessly when the session has already ended on the server.
    await firstValueFrom(this.http.post('/api/auth/logout', {})).catch(() => undefined);
    this.user.set(null);
    this.known = Promise.resolve(null);
  }
}
