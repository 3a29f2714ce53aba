import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Inject, Injectable, Logger, Optional, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import SqliteDatabase from 'better-sqlite3';
import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  Kysely,
  Migrator,
  sql,
  SqliteDialect,
  type SqliteDialectConfig,
  SqliteDriver,
  type MigrationProvider,
} from 'kysely';
import { Pool, types as pgTypes } from 'pg';
import { AppConfig } from '../config/app-config';
import { backupFileName } from '../backup/rotation';
import { SchemaScopedPostgresDialect } from './schema-scoped-dialect';
import { backupSourceFor, writeBackup } from '../backup/write-backup';
import { makeDataFilesPrivate } from './data-file-modes';
import type { Database } from './database.types';
import { initialMigration } from './migrations/0001-initial';
import { readMarksMigration } from './migrations/0002-read-marks';
import { senderSocketIndexMigration } from './migrations/0003-sender-socket-index';
import { auditLogMigration } from './migrations/0004-audit-log';
import { serverSecretsMigration } from './migrations/0005-server-secrets';
import { deletedUsersMigration } from './migrations/0006-deleted-users';
import { conversationsMigration } from './migrations/0007-conversations';
import { messageLifecycleMigration } from './migrations/0008-message-lifecycle';
import { readMarksByConversationMigration } from './migrations/0009-read-marks-by-conversation';
import { searchIndexMigration } from './migrations/0010-search-index';
import { filesMigration } from './migrations/0011-files';
import { directoryAccountsMigration } from './migrations/0012-directory-accounts';
import { botsMigration } from './migrations/0013-bots';
import { webhooksMigration } from './migrations/0014-webhooks';
import { incomingWebhooksMigration } from './migrations/0015-incoming-webhooks';
import { schemaHistoryMigration } from './migrations/0016-schema-history';
import { NewerDatabaseError, readMigrationState, type MigrationState } from './migration-state';
import { parleyVersion } from '../common/parley-version';
import { foldForSearch } from '../common/search-fold';
import { INSERT_COLUMNS, sqliteMessageInserter, type InsertBatch } from './sqlite-writer/sqlite-message-inserter';
import { SqliteWriterThread } from './sqlite-writer/sqlite-writer-thread';
import type { InsertedMessage } from './message.repository';
import type { NewMessageRow } from './database.types';

export type DialectName = 'sqlite' | 'postgres';

export type SqliteDurability = 'full' | 'survive-process-crash-only';

export interface DatabaseOptions {
  sqlitePath: string;
  /** See PARLEY_SQLITE_DURABILITY: 'full' unless an operator chose to trade power-loss safety. */
  sqliteDurability?: SqliteDurability;
  postgresUrl?: string;
  postgresSchema: string;
  /**
   * SQLite: refuse a file that is not there rather than create an empty one (commands that only
   * look at a database: a mistyped path must not leave a new file behind).
   */
  mustExist?: boolean;
  /**
   * PostgreSQL: the `application_name` of the pool's connections; by default a server's
   * (serverApplicationName), which `restore` looks for in pg_stat_activity. Admin commands name theirs
   * ADMIN_APPLICATION_NAME so that they do not look like a server.
   */
  applicationName?: string;
}

/** How a Parley server's PostgreSQL connections on `schema` are named (PostgreSQL keeps 63 bytes). */
export function serverApplicationName(schema: string): string {
  return `parley ${schema}`.slice(0, 63);
}

/** How the admin commands' own PostgreSQL connections are named. */
export const ADMIN_APPLICATION_NAME = 'parley-admin';

/**
 * Whether DatabaseService migrates the schema when the module starts (true, the server) or only
 * opens it (false: `npm run admin -- migrate --status`, `check`, which must change nothing).
 * StorageModule provides true; CliModule overrides it per command.
 */
export const MIGRATE_ON_START = Symbol('MIGRATE_ON_START');

/** What an upgrade of an existing database is about to do (see BeforeUpgrade). */
export interface PendingUpgrade {
  /** The last migration applied now. */
  from: string;
  /** The last migration this Parley has. */
  to: string;
  /** Every migration about to run, in order. */
  pending: string[];
}

/**
 * Called once before an existing database is migrated (never for a fresh one), inside the
 * PostgreSQL migration lock so one node of a cluster does it: the pre-upgrade backup. Throwing
 * stops the upgrade before any migration runs.
 */
export type BeforeUpgrade = (upgrade: PendingUpgrade) => Promise<void>;

/** The Kysely handle shared by every repository, its dialect, and the schema migrations. */
@Injectable()
export class DatabaseService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(DatabaseService.name);
  readonly db: Kysely<Database>;
  readonly dialect: DialectName;
  readonly location: string;
  /**
   * The raw better-sqlite3 handle (SQLite only), for the one hot path that needs cached
   * prepared statements and a synchronous transaction: MessageRepository.insertBatch.
   */
  readonly sqlite: SqliteDatabase.Database | null;
  private readonly schema?: string;
  /** SQLite's message writer: a thread of its own for a file, this thread for `:memory:`. */
  private writerThread: SqliteWriterThread | null = null;
  private inThreadInsert: InsertBatch | null = null;

  constructor(
    private readonly config: AppConfig,
    @Optional() @Inject(MIGRATE_ON_START) private readonly migrateOnStart: boolean = true,
  ) {
    const env = config.values;
    const opened = openDatabase({
      sqlitePath: env.PARLEY_SQLITE_PATH,
      sqliteDurability: env.PARLEY_SQLITE_DURABILITY,
      postgresUrl: env.PARLEY_DATABASE_URL,
      postgresSchema: env.PARLEY_DATABASE_SCHEMA,
      mustExist: !migrateOnStart,
    });
    this.db = opened.db;
    this.dialect = opened.dialect;
    this.location = opened.location;
    this.sqlite = opened.sqlite ?? null;
    this.schema = opened.schema;
  }

  async onModuleInit(): Promise<void> {
    if (this.migrateOnStart) await this.migrate();
    this.logger.log(`Storage ready: ${this.dialect} ${this.location}${this.migrateOnStart ? '' : ' (not migrated)'}`);
  }

  /**
   * Applies pending migrations, after the version guard (a newer database is refused with
   * NewerDatabaseError) and, for an existing database, the pre-upgrade hook. Returns the names
   * of the migrations applied.
   */
  migrate(): Promise<string[]> {
    return migrateToLatest(this.db, this.dialect, this.schema, { beforeUpgrade: (upgrade) => this.beforeUpgrade(upgrade) });
  }

  /** Where the schema stands against this code's migrations; changes nothing. */
  async migrationState(): Promise<MigrationState> {
    return readMigrationState(this.db, this.dialect, this.schema, await knownMigrations(this.dialect));
  }

  /**
   * The pre-upgrade backup (docs/upgrading.md): the database as it is and the files, into
   * PARLEY_BACKUP_DIR, before any migration runs. A failure throws, so nothing is migrated: an
   * upgrade that could not be undone is not started.
   */
  private async beforeUpgrade({ from, to }: PendingUpgrade): Promise<void> {
    this.logger.log(`Upgrading the database from ${from} to ${to}`);
    if (!this.config.values.PARLEY_BACKUP_BEFORE_UPGRADE) return;
    const file = backupFileName(join(this.config.backupDir, `parley-before-upgrade-from-${from}-{date}.parley-backup`), new Date());
    let result;
    try {
      result = await writeBackup(backupSourceFor(this, this.config), file, { onWarning: (message) => this.logger.warn(message) });
    } catch (error) {
      throw new Error(
        `The backup before upgrading the database (from ${from} to ${to}) failed, so nothing was migrated: ${error instanceof Error ? error.message : String(error)}. ` +
          'Free some space or fix PARLEY_BACKUP_DIR, or set PARLEY_BACKUP_BEFORE_UPGRADE=off to upgrade without it (docs/upgrading.md).',
      );
    }
    this.logger.log(`Backed up before the upgrade: ${result.file} (${result.manifest.counts.messages} messages, ${result.size} bytes)`);
  }

  /**
   * One trivial round trip: throws if the database cannot answer (readiness checks), or, on
   * SQLite, if the writer thread has stopped: reads would still work, but every message would
   * fail until a restart (it is not replaced: docs/architecture.md, "Open question").
   */
  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db);
    const stopped = this.writerThread?.failed;
    if (stopped) throw new Error(`the SQLite writer thread stopped, so no message can be stored until a restart: ${stopped.message}`);
  }

  /**
   * Stores a batch of messages on SQLite (MessageRepository.insertBatch's path there): on the
   * writer thread, started with the first message (see SqliteWriterThread); an in-memory
   * database, which no other connection can open, is written on this thread.
   */
  insertMessagesSqlite(rows: readonly NewMessageRow[]): Promise<InsertedMessage[]> {
    const sqlite = this.sqlite!;
    if (sqlite.memory) {
      this.inThreadInsert ??= sqliteMessageInserter(sqlite, INSERT_COLUMNS);
      return Promise.resolve(this.inThreadInsert(rows));
    }
    this.writerThread ??= new SqliteWriterThread(sqlite.name, {
      // As the main connection has them (PARLEY_SQLITE_DURABILITY): 2 is FULL, 1 NORMAL.
      synchronous: sqlite.pragma('synchronous', { simple: true }) === 1 ? 'NORMAL' : 'FULL',
      busyTimeoutMs: Number(sqlite.pragma('busy_timeout', { simple: true })),
    });
    return this.writerThread.insertBatch(rows);
  }

  /**
   * SQLite: resolves when every message batch sent to the writer thread is committed and
   * delivered, holding new ones back meanwhile (SqliteWriterThread.settled); at once otherwise.
   * ChangeStream waits for it before drawing a stream position on the main connection.
   */
  messagesSettled(): Promise<void> {
    return this.writerThread?.settled() ?? Promise.resolve();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.writerThread?.close();
    await this.db.destroy();
  }
}

// int8 columns (ids, epoch-ms timestamps) stay far below 2^53, so numbers are exact.
const pgTypeParsers = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pgTypes.builtins.INT8
      ? (value: string) => Number(value)
      : pgTypes.getTypeParser(oid, format as 'text')) as typeof pgTypes.getTypeParser,
};

export function openDatabase(options: DatabaseOptions): {
  db: Kysely<Database>;
  dialect: DialectName;
  location: string;
  /** PostgreSQL schema holding Parley's tables (SQLite has none). */
  schema?: string;
  sqlite?: SqliteDatabase.Database;
} {
  if (options.postgresUrl) {
    const pool = new Pool({
      connectionString: options.postgresUrl,
      // Every connection resolves unqualified table names in Parley's schema.
      options: `-c search_path=${options.postgresSchema}`,
      application_name: options.applicationName ?? serverApplicationName(options.postgresSchema),
      types: pgTypeParsers,
      max: 10,
    });
    // PostgreSQL restarting or the network dropping closes idle connections, which the pool
    // reports as an 'error' event; unheard, that event would end the process. The pool replaces
    // the connection on the next query, and the readiness check reports the outage meanwhile.
    pool.on('error', (error) => new Logger(DatabaseService.name).warn(`PostgreSQL closed an idle connection: ${error.message}`));
    // A connection checked out but between queries (a held advisory lock, the index builder's
    // session) has no pool listener; its query reports the failure, this keeps the event heard.
    pool.on('connect', (client) => client.on('error', (error) => new Logger(DatabaseService.name).warn(`PostgreSQL connection lost: ${error.message}`)));
    const url = new URL(options.postgresUrl);
    return {
      db: new Kysely<Database>({ dialect: new SchemaScopedPostgresDialect({ pool }, options.postgresSchema) }),
      dialect: 'postgres',
      location: `${url.host}${url.pathname} schema ${options.postgresSchema}`,
      schema: options.postgresSchema,
    };
  }
  const file = resolve(options.sqlitePath);
  if (options.mustExist && !existsSync(file)) throw new Error(`No database at ${file} (PARLEY_SQLITE_PATH)`);
  reportModes(file, makeDataFilesPrivate(file));
  const sqlite = new SqliteDatabase(file);
  sqlite.pragma('journal_mode = WAL');
  // FULL: a commit is on disk before send_message is acknowledged. NORMAL (opt-in, named for
  // what it gives up) skips the WAL fsync per commit: still safe if Parley is killed, but the
  // last commits can vanish on a power cut or OS crash.
  sqlite.pragma(options.sqliteDurability === 'survive-process-crash-only' ? 'synchronous = NORMAL' : 'synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  // A deleted or edited message's old text is overwritten with zeros in the file, not left in a
  // free page or cell for anyone with the file to read (docs/architecture.md, "Deleting honestly").
  sqlite.pragma('secure_delete = ON');
  // Search's fold as SQL (PostgreSQL has its own parley_fold, migration 0010): terms too short
  // for the trigram index are looked for in the folded text, as the service checks them.
  sqlite.function('parley_fold', { deterministic: true }, (text: unknown) => (typeof text === 'string' ? foldForSearch(text) : text));
  return {
    db: new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database: sqlite }) }),
    dialect: 'sqlite',
    location: file,
    sqlite,
  };
}

/**
 * Kysely's SQLite dialect with transactions that take the write lock at BEGIN. Messages are
 * written by another connection (the writer thread): a deferred transaction that read before
 * writing would fail with SQLITE_BUSY_SNAPSHOT if that connection committed in between, where an
 * immediate one waits its turn (busy_timeout) and then sees the latest data.
 */
class ImmediateSqliteDialect extends SqliteDialect {
  constructor(private readonly settings: SqliteDialectConfig) {
    super(settings);
  }

  override createDriver(): Driver {
    return new (class extends SqliteDriver {
      override async beginTransaction(connection: DatabaseConnection): Promise<void> {
        await connection.executeQuery(CompiledQuery.raw('begin immediate'));
      }
    })(this.settings);
  }
}

function reportModes(file: string, result: ReturnType<typeof makeDataFilesPrivate>): void {
  const logger = new Logger(DatabaseService.name);
  const octal = (mode: number) => `0${mode.toString(8)}`;
  for (const fix of result.fixed) {
    logger.warn(
      fix.error
        ? { msg: `${fix.path} has mode ${octal(fix.from)}, readable by other users, and could not be changed (${fix.error})`, path: fix.path }
        : { msg: `Made ${fix.path} private: mode ${octal(fix.from)} → ${octal(fix.to)}`, path: fix.path },
    );
  }
  if (result.sharedFolder) {
    logger.warn({
      msg: `${file} sits in ${result.sharedFolder}, which other users can read and which holds other files; Parley leaves it as it is: give the database a folder of its own`,
      path: result.sharedFolder,
    });
  }
}

export interface MigrateOptions {
  beforeUpgrade?: BeforeUpgrade;
}

/**
 * Brings the schema to this code's latest migration and returns the names applied. Refuses
 * (NewerDatabaseError, nothing changed) a database with migrations this code does not know: a
 * newer Parley's. Calls `beforeUpgrade` when an existing database has pending migrations. A start
 * that applied any records itself in schema_history.
 */
export async function migrateToLatest(
  db: Kysely<Database>,
  dialect: DialectName,
  schema?: string,
  options: MigrateOptions = {},
): Promise<string[]> {
  if (dialect === 'postgres') {
    // Nodes of a cluster start together on one database: the first migrates, the others wait
    // on this lock and then find nothing to do (CREATE SCHEMA IF NOT EXISTS and Kysely's own
    // tables race when run concurrently).
    return db.connection().execute(async (connection) => {
      await sql`select pg_advisory_lock(${MIGRATION_LOCK}::bigint)`.execute(connection);
      try {
        if (schema) await sql`create schema if not exists ${sql.id(schema)}`.execute(connection);
        return await guardedMigrations(connection, dialect, schema, options);
      } finally {
        await sql`select pg_advisory_unlock(${MIGRATION_LOCK}::bigint)`.execute(connection);
      }
    });
  }
  return guardedMigrations(db, dialect, schema, options);
}

async function guardedMigrations(db: Kysely<Database>, dialect: DialectName, schema: string | undefined, options: MigrateOptions): Promise<string[]> {
  const state = await readMigrationState(db, dialect, schema, await knownMigrations(dialect));
  if (state.unknown.length > 0) throw new NewerDatabaseError(state, parleyVersion());
  if (state.pending.length === 0) return [];
  if (state.applied.length > 0) {
    await options.beforeUpgrade?.({ from: state.applied.at(-1)!.name, to: state.known.at(-1)!, pending: state.pending });
  }
  await runMigrations(db, dialect, schema);
  await db
    .insertInto('schema_history')
    .values({ parley_version: parleyVersion(), schema: state.known.at(-1)!, migrated_at: Date.now() })
    .execute();
  return state.pending;
}

/** The names of this code's migrations, in the order Kysely runs them. */
export async function knownMigrations(dialect: DialectName): Promise<string[]> {
  return Object.keys(await migrationProvider(dialect).getMigrations()).sort();
}

/** PostgreSQL advisory lock key held while migrating ("PARMIG" in ASCII, as a number). */
const MIGRATION_LOCK = 0x5041524d4947;

/** Every migration, by name in order; exported for specs that migrate step by step (Migrator.migrateTo). */
export function migrationProvider(dialect: DialectName): MigrationProvider {
  return {
    getMigrations: async () => ({
      '0001-initial': initialMigration(dialect),
      '0002-read-marks': readMarksMigration(),
      '0003-sender-socket-index': senderSocketIndexMigration(),
      '0004-audit-log': auditLogMigration(dialect),
      '0005-server-secrets': serverSecretsMigration(),
      '0006-deleted-users': deletedUsersMigration(),
      '0007-conversations': conversationsMigration(dialect),
      '0008-message-lifecycle': messageLifecycleMigration(),
      '0009-read-marks-by-conversation': readMarksByConversationMigration(),
      '0010-search-index': searchIndexMigration(dialect),
      '0011-files': filesMigration(),
      '0012-directory-accounts': directoryAccountsMigration(),
      '0013-bots': botsMigration(dialect),
      '0014-webhooks': webhooksMigration(dialect),
      '0015-incoming-webhooks': incomingWebhooksMigration(dialect),
      '0016-schema-history': schemaHistoryMigration(dialect),
    }),
  };
}

async function runMigrations(db: Kysely<Database>, dialect: DialectName, schema?: string): Promise<void> {
  const migrator = new Migrator({ db, provider: migrationProvider(dialect), migrationTableSchema: schema });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((result) => result.status === 'Error');
  if (error || failed) {
    throw new Error(
      `Database migration ${failed?.migrationName ?? ''} failed: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}
