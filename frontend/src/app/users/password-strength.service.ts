import { Injectable, signal } from '@angular/core';
import { loadPasswordChecker, type PasswordChecker, type PasswordVerdict } from '@parley/contract';

/**
 * The server's password rule in the page. The dictionaries behind it are a ~1.5 MB chunk,
 * fetched the first time a password field asks (never in the initial bundle); until then
 * verdict() answers null and the server's answer is the only check.
 */
@Injectable({ providedIn: 'root' })
export class PasswordStrength {
  private readonly checker = signal<PasswordChecker | null>(null);
  private requested = false;

  /** Starts loading the dictionaries, once. */
  load(): void {
    if (this.requested) return;
    this.requested = true;
    void loadPasswordChecker().then(
      (checker) => this.checker.set(checker),
      // Offline or a failed chunk: the page still works, the server still checks.
      () => (this.requested = false),
    );
  }

  /** The verdict on a password for an account with these names, or null while loading. */
  verdict(password: string, userInputs: readonly string[]): PasswordVerdict | null {
    return this.checker()?.(password, userInputs) ?? null;
  }
}
