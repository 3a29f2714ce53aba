import { HttpClient, HttpErrorResponse } from '@angular/common/http';
import { Injectable, inject, signal } from '@angular/core';
import { firstValueFrom } from 'rxjs';
import type { LoginRequest, LoginResponse, PublicUser, SessionResponse } from '@parley/contract';

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

/** Who is signed in. The session itself is an httpOnly cookie the app never sees. */
@Injectable({ providedIn: 'root' })
export class AuthService {
  private readonly http = inject(HttpClient);
  readonly user = signal<PublicUser | null>(null);
  private known: Promise<PublicUser | null> | null = null;

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

  async logout(): Promise<void> {
    // Fails harmlessly when the session has already ended on the server.
    await firstValueFrom(this.http.post('/api/auth/logout', {})).catch(() => undefined);
    this.user.set(null);
    this.known = Promise.resolve(null);
  }
}
