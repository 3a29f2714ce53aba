import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { ParleyError } from '../common/parley-error';
import { ErrorCodes, loadPasswordChecker, type PasswordVerdict } from '@parley/contract';

/** Enforces the shared password rule (contract/password-policy.ts) wherever a password is set. */
@Injectable()
export class PasswordPolicy {
  /** The user name and display name count as guessable words for their own password. */
  async check(password: string, userInputs: readonly string[]): Promise<PasswordVerdict> {
    return (await loadPasswordChecker())(password, userInputs);
  }

  /** Throws WEAK_PASSWORD (400) whose message carries the feedback. */
  async assertStrong(password: string, userInputs: readonly string[]): Promise<void> {
    const verdict = await this.check(password, userInputs);
    if (!verdict.ok) throw new ParleyError(ErrorCodes.WeakPassword, `The password is too easy to guess. ${verdict.feedback}`);
  }

  /**
   * A random password that passes the rule: 16 base64url characters (96 bits) essentially always
   * do; the loop makes "always" a guarantee.
   */
  async generate(userInputs: readonly string[]): Promise<string> {
    for (;;) {
      const candidate = randomBytes(12).toString('base64url');
      if ((await this.check(candidate, userInputs)).ok) return candidate;
    }
  }
}
