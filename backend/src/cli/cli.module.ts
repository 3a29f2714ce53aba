import { Module, type DynamicModule } from '@nestjs/common';
import { PasswordPolicy } from '../auth/password-policy.service';
import { PasswordService } from '../auth/password.service';
import { ParleyConfigModule } from '../config/config.module';
import { StorageModule } from '../storage/storage.module';
import { AccountRecoveryService } from './account-recovery.service';

/**
 * What the offline commands need: the settings and the database exactly as the server opens them
 * (environment, `.env`, SQLite path or PARLEY_DATABASE_URL, migrations), and no HTTP, sockets,
 * cluster or background work. The two password providers are listed here rather than taken
 * from AuthModule, which would bring sign-in, its rate limits and the admin bootstrap along.
 */
@Module({})
export class CliModule {
  /**
   * `storage: false`: the settings only, for commands that open the database their own way and
   * must not migrate it (backup, restore): StorageModule's DatabaseService migrates at start.
   */
  static forRoot(options: { storage?: boolean } = {}): DynamicModule {
    if (options.storage === false) return { module: CliModule, imports: [ParleyConfigModule.forRoot()] };
    return {
      module: CliModule,
      imports: [ParleyConfigModule.forRoot(), StorageModule.forRoot()],
      providers: [PasswordService, PasswordPolicy, AccountRecoveryService],
    };
  }
}
