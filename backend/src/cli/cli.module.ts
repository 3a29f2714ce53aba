import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { PasswordPolicy } from '../auth/password-policy.service';
import { PasswordService } from '../auth/password.service';
import { NO_OVERRIDES } from '../common/provider-overrides';
import { ParleyConfigModule } from '../config/config.module';
import { MIGRATE_ON_START } from '../storage/database.service';
import { IntegrityRepository } from '../storage/integrity.repository';
import { StorageModule } from '../storage/storage.module';
import { AccountRecoveryService } from './account-recovery.service';
import { IntegrityCheckService } from './integrity-check.service';
import { SchemaMigrationsService } from './schema-migrations.service';

/** StorageModule's override for commands that must see the database as it is. */
const OPEN_WITHOUT_MIGRATING: readonly Provider[] = Object.freeze([{ provide: MIGRATE_ON_START, useValue: false }]);

export interface CliModuleOptions {
  /** true (default): migrate on opening, as the server does. false: open the database as it is. */
  migrateOnStart?: boolean;
  /**
   * false: the settings only, for commands that open the database their own way and must not
   * migrate it (backup, restore).
   */
  storage?: boolean;
}

/**
 * What the offline commands need: the settings and the database exactly as the server opens them
 * (environment, `.env`, SQLite path or PARLEY_DATABASE_URL, migrations unless a command says
 * otherwise), and no HTTP, sockets, cluster or background work. The two password providers are
 * listed here rather than taken from AuthModule, which would bring sign-in, its rate limits and
 * the admin bootstrap along.
 */
@Module({})
export class CliModule {
  static forRoot({ migrateOnStart = true, storage = true }: CliModuleOptions = {}): DynamicModule {
    if (!storage) return { module: CliModule, imports: [ParleyConfigModule.forRoot()] };
    return {
      module: CliModule,
      imports: [ParleyConfigModule.forRoot(), StorageModule.forRoot(migrateOnStart ? NO_OVERRIDES : OPEN_WITHOUT_MIGRATING)],
      providers: [PasswordService, PasswordPolicy, AccountRecoveryService, SchemaMigrationsService, IntegrityRepository, IntegrityCheckService],
    };
  }
}
