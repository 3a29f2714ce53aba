import { Injectable } from '@nestjs/common';
import { parleyVersion } from '../common/parley-version';
import { DatabaseService } from '../storage/database.service';
import { NewerDatabaseError, type MigrationState } from '../storage/migration-state';
import { CliError, EXIT } from './account-recovery.service';

/** What `migrate --status` prints, and the exit code that sums it up. */
export interface MigrationReport {
  lines: string[];
  exitCode: number;
}

/**
 * `npm run admin -- migrate [--status]`. The CLI opens the database without migrating for both
 * (CliModule.forRoot({ migrateOnStart: false })): the status must change nothing, and migrate
 * must apply the migrations itself to report which ones it applied.
 */
@Injectable()
export class SchemaMigrationsService {
  constructor(private readonly database: DatabaseService) {}

  async status(): Promise<MigrationReport> {
    const state = await this.database.migrationState();
    const applied = new Map(state.applied.map((migration) => [migration.name, migration.appliedAt]));
    const width = Math.max(...[...state.known, ...state.unknown].map((name) => name.length));
    const lines = [
      `Database: ${this.database.dialect} ${this.database.location}`,
      `This is Parley ${parleyVersion()}; it has ${state.known.length} migrations.`,
      '',
      ...[...state.known, ...state.unknown].sort().map((name) => {
        const at = applied.get(name);
        const status = !applied.has(name) ? 'pending' : `applied${at ? ` ${at.toISOString()}` : ''}`;
        return `  ${name.padEnd(width)}  ${status}${state.unknown.includes(name) ? ' (unknown to this Parley: a newer one applied it)' : ''}`;
      }),
      '',
      ...historyLines(state),
      '',
      verdict(state),
    ];
    const exitCode = state.unknown.length > 0 ? EXIT.newerDatabase : state.pending.length > 0 ? EXIT.pendingMigrations : EXIT.ok;
    return { lines, exitCode };
  }

  /** Applies the pending migrations, as a start of the server would; returns what it printed. */
  async migrate(): Promise<string[]> {
    const before = await this.database.migrationState();
    try {
      const applied = await this.database.migrate();
      if (applied.length === 0) return [`Already up to date (schema ${before.known.at(-1)}).`];
      return [`Applied ${applied.length} migration${applied.length === 1 ? '' : 's'}:`, ...applied.map((name) => `  ${name}`), `The database is at ${before.known.at(-1)} (Parley ${parleyVersion()}).`];
    } catch (error) {
      if (error instanceof NewerDatabaseError) throw new CliError(error.message, EXIT.newerDatabase);
      throw error;
    }
  }
}

function historyLines(state: MigrationState): string[] {
  if (state.history.length === 0) return ['Upgrades: none recorded (schema_history starts with migration 0016-schema-history).'];
  return [
    'Upgrades (schema_history):',
    ...state.history.map((entry) => `  ${new Date(entry.migratedAt).toISOString()}  Parley ${entry.parleyVersion}  to ${entry.schema}`),
  ];
}

function verdict(state: MigrationState): string {
  if (state.unknown.length > 0) return new NewerDatabaseError(state, parleyVersion()).message;
  if (state.applied.length === 0) return `Empty database: ${state.pending.length} migrations to apply (npm run admin -- migrate, or start the server).`;
  if (state.pending.length > 0) {
    return `${state.pending.length} migration${state.pending.length === 1 ? '' : 's'} pending, from ${state.applied.at(-1)!.name} to ${state.known.at(-1)}: start the server or run npm run admin -- migrate (docs/upgrading.md).`;
  }
  return `Up to date: schema ${state.known.at(-1)}.`;
}
