import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { DuplicateKeyError } from '../storage/storage-errors';
import { UserRepository } from '../storage/user.repository';
import { AccountActivity } from './account-activity';
import { PasswordPolicy } from './password-policy.service';
import { PasswordService } from './password.service';

/** The first account's user name and display name (also guessable words for its password). */
const ADMIN_INPUTS = ['admin', 'Administrator'] as const;

/** On the very first start (no accounts at all) creates `admin` so someone can sign in. */
@Injectable()
export class AdminBootstrapService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Parley');
  /** Set when this start generated a password; main.ts prints it once, after the URLs. */
  generatedPassword: string | null = null;

  constructor(
    private readonly users: UserRepository,
    private readonly passwords: PasswordService,
    private readonly policy: PasswordPolicy,
    private readonly config: AppConfig,
    private readonly activity: AccountActivity,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if ((await this.users.count()) > 0) return;
    const given = this.config.values.PARLEY_ADMIN_PASSWORD;
    const password = given ?? (await this.policy.generate(ADMIN_INPUTS));
    if (given) {
      // Refusing the start is kinder than an admin account anyone on the LAN can guess.
      const verdict = await this.policy.check(given, ADMIN_INPUTS);
      if (!verdict.ok) {
        throw new Error(
          `PARLEY_ADMIN_PASSWORD is too easy to guess: ${verdict.feedback} Choose a stronger one, or unset it to get a generated password.`,
        );
      }
    }
    const now = Date.now();
    try {
      const admin = await this.users.create({
        username: ADMIN_INPUTS[0],
        display_name: ADMIN_INPUTS[1],
        role: 'admin',
        password_hash: await this.passwords.hash(password),
        created_at: now,
        updated_at: now,
      });
      this.activity.emit('created', admin);
    } catch (error) {
      // Nodes of a cluster starting together on an empty database: another node made it first.
      if (error instanceof DuplicateKeyError) return;
      throw error;
    }
    if (given) this.logger.log('Created the admin account with PARLEY_ADMIN_PASSWORD');
    else this.generatedPassword = password;
  }
}
