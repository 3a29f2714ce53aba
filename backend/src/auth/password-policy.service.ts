import { Injectable } from '@nestjs/common';
import { ParleyError } from '../common/parley-error';
import { loadPasswordChecker, type PasswordVerdict } from '../contract/password-policy';
import { ErrorCodes } from '../contract/protocol';

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
}
