import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { PasswordPolicy } from '../auth/password-policy.service';
import { PasswordService } from '../auth/password.service';
import { ParleyConfigModule } from '../config/config.module';
import { MIGRATE_ON_START } from '../storage/database.service';
import { IntegrityRepository } from '../storage/integrity.repository';
import { SearchIndexBuilder } from '../storage/search-index-builder';
import { StorageModule } from '../storage/storage.module';
import { AccountRecoveryService } from './account-recovery.service';
import { IntegrityCheckService } from './integrity-check.service';
import { SchemaMigrationsService } from './schema-migrations.service';

/**
 * No search index building in a command: StorageModule's SearchIndexBuilder starts at bootstrap
 * and writes (FTS batches on SQLite, CREATE INDEX CONCURRENTLY on PostgreSQL, cancelled half
 * done when the command closes), which `check` and `migrate --status` promise not to, and which
 * would race `migrate`'s own migrations. The server builds the index when it starts.
 */
const NO_INDEX_BUILDING: Provider = { provide: SearchIndexBuilder, useValue: Object.freeze({}) };
/** StorageModule's overrides for commands that migrate first, as the server does. */
const MIGRATING: readonly Provider[] = Object.freeze([NO_INDEX_BUILDING]);
/** StorageModule's overrides for commands that must see the database as it is. */
const OPEN_WITHOUT_MIGRATING: readonly Provider[] = Object.freeze([NO_INDEX_BUILDING, { provide: MIGRATE_ON_START, useValue: false }]);

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
      imports: [ParleyConfigModule.forRoot(), StorageModule.forRoot(migrateOnStart ? MIGRATING : OPEN_WITHOUT_MIGRATING)],
      providers: [PasswordService, PasswordPolicy, AccountRecoveryService, SchemaMigrationsService, IntegrityRepository, IntegrityCheckService],
    };
  }
}
