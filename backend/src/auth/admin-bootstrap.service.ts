import { randomBytes } from 'node:crypto';
import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { DuplicateKeyError } from '../storage/storage-errors';
import { UserRepository } from '../storage/user.repository';
import { PasswordService } from './password.service';

/** On the very first start (no accounts at all) creates `admin` so someone can sign in. */
@Injectable()
export class AdminBootstrapService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Parley');
  /** Set when this start generated a password; main.ts prints it once, after the URLs. */
  generatedPassword: string | null = null;

  constructor(
    private readonly users: UserRepository,
    private readonly passwords: PasswordService,
    private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if ((await this.users.count()) > 0) return;
    const given = this.config.values.PARLEY_ADMIN_PASSWORD;
    const password = given ?? randomBytes(12).toString('base64url');
    const now = Date.now();
    try {
      await this.users.create({
        username: 'admin',
        display_name: 'Administrator',
        role: 'admin',
        password_hash: await this.passwords.hash(password),
        created_at: now,
        updated_at: now,
      });
    } catch (error) {
      // Nodes of a cluster starting together on an empty database: another node made it first.
      if (error instanceof DuplicateKeyError) return;
      throw error;
    }
    if (given) this.logger.log('Created the admin account with PARLEY_ADMIN_PASSWORD');
    else this.generatedPassword = password;
  }
}
