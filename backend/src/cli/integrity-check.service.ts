import { Injectable } from '@nestjs/common';
import { parleyVersion } from '../common/parley-version';
import { AppConfig } from '../config/app-config';
import { blobSize, hashBlob, storedBlobNames } from '../files/file-store-audit';
import { DatabaseService } from '../storage/database.service';
import { IntegrityRepository } from '../storage/integrity.repository';
import { NewerDatabaseError } from '../storage/migration-state';

/** One line of the report: a warning is worth a look but is no damage (exit 0). */
export interface CheckResult {
  check: string;
  outcome: 'ok' | 'warning' | 'problem';
  details: string;
}

/** Problems listed in full up to this many; a badly damaged database would print thousands. */
const LISTED = 10;

/**
 * `npm run admin -- check`: the database and the uploaded files, read only, so it can run beside
 * a live server. The database's own check first, then what Parley expects of its schema, then
 * every stored copy of a file against its row.
 */
@Injectable()
export class IntegrityCheckService {
  constructor(
    private readonly database: DatabaseService,
    private readonly integrity: IntegrityRepository,
    private readonly config: AppConfig,
  ) {}

  async run(options: { hash: boolean }): Promise<CheckResult[]> {
    const results: CheckResult[] = [];
    // A damaged database can make any query throw: that check's line says so and the rest run.
    const attempt = async (check: string, run: () => Promise<CheckResult[]> | CheckResult[]) => {
      try {
        results.push(...(await run()));
      } catch (error) {
        results.push(problem(check, `could not be checked: ${error instanceof Error ? error.message : String(error)}`));
      }
    };
    if (this.database.dialect === 'sqlite') {
      await attempt('sqlite integrity_check', () => {
        const verdict = this.integrity.sqliteIntegrity();
        return [verdict.length === 1 && verdict[0] === 'ok' ? ok('sqlite integrity_check', '') : problem('sqlite integrity_check', listed(verdict))];
      });
      await attempt('sqlite foreign_key_check', () => {
        const orphans = this.integrity.sqliteForeignKeyViolations();
        return [
          orphans.length === 0
            ? ok('sqlite foreign_key_check', '')
            : problem('sqlite foreign_key_check', listed(orphans.map((row) => `${row.table} row ${row.rowid ?? '?'} refers to a missing ${row.parent} row`))),
        ];
      });
    }
    let current = false;
    await attempt('migrations', async () => {
      const state = await this.database.migrationState();
      current = state.unknown.length === 0 && state.pending.length === 0;
      if (state.unknown.length > 0) return [problem('migrations', new NewerDatabaseError(state, parleyVersion()).message)];
      if (state.pending.length > 0) {
        return [problem('migrations', `${state.pending.length} pending (${state.pending.join(', ')}): start the server or run npm run admin -- migrate`)];
      }
      return [ok('migrations', `up to date (${state.known.at(-1)})`)];
    });
    if (!current) {
      // The rest reads the tables this Parley's latest schema has.
      results.push({ check: 'tables and files', outcome: 'warning', details: 'not checked: the schema is not the one this Parley knows' });
      return results;
    }
    await attempt('tables', async () => {
      const tables = await this.integrity.tables();
      const unreadable = tables.filter((table) => table.error !== null);
      return [
        unreadable.length === 0
          ? ok('tables', `${tables.length} tables readable, ${tables.find((table) => table.table === 'messages')?.rows ?? 0} messages`)
          : problem('tables', listed(unreadable.map((table) => `${table.table}: ${table.error}`))),
      ];
    });
    await attempt('file rows', async () => {
      const unrecorded = await this.integrity.filesWithoutBlobRow();
      return [unrecorded.length === 0 ? ok('file rows', 'every file names a recorded copy') : problem('file rows', listed(unrecorded.map((sha) => `${sha} has no file_blobs row`)))];
    });
    await attempt('files', () => this.checkBlobs(options.hash));
    return results;
  }

  private async checkBlobs(hash: boolean): Promise<CheckResult[]> {
    const root = this.config.filesDir;
    const blobs = await this.integrity.blobs();
    const damaged: string[] = [];
    for (const blob of blobs) {
      const size = await blobSize(root, blob.sha256);
      if (size === null) damaged.push(`${blob.sha256}: missing`);
      else if (blob.size !== null && size !== blob.size) damaged.push(`${blob.sha256}: ${size} bytes, the database says ${blob.size}`);
      else if (hash && (await hashBlob(root, blob.sha256)) !== blob.sha256) damaged.push(`${blob.sha256}: its content does not match its name (altered)`);
    }
    const recorded = new Set(blobs.map((blob) => blob.sha256));
    const strays = (await storedBlobNames(root)).filter((name) => !recorded.has(name));
    const how = hash ? 'present, sizes and SHA-256 match' : 'present, sizes match (content not hashed: --no-hash)';
    return [
      damaged.length === 0 ? ok('files', `${blobs.length} stored files in ${root} ${how}`) : problem('files', listed(damaged)),
      strays.length === 0
        ? ok('unreferenced files', 'none')
        : { check: 'unreferenced files', outcome: 'warning', details: `${strays.length} in ${root} with no database row (left by an interrupted removal, or from another database): ${listed(strays)}` },
    ];
  }
}

const ok = (check: string, details: string): CheckResult => ({ check, outcome: 'ok', details });
const problem = (check: string, details: string): CheckResult => ({ check, outcome: 'problem', details });

function listed(items: readonly string[]): string {
  const shown = items.slice(0, LISTED).join('; ');
  return items.length > LISTED ? `${shown}; and ${items.length - LISTED} more` : shown;
}
