import { basename, resolve } from 'node:path';
import { AppConfig } from '../config/app-config';
import { BackupError, backupFileName, DATE_PLACEHOLDER, parleyServerAnswers, postgresServersOn, restoreBackup, sqliteInUse, rotateBackups, writeBackup, type BackupProblem, type BackupSource, type RestoreTarget } from '../backup';
import { ADMIN_APPLICATION_NAME, openDatabase } from '../storage/database.service';
import { CliError, EXIT } from './account-recovery.service';
import type { Command } from './admin';

const EXIT_FOR: Record<BackupProblem, number> = {
  damaged: EXIT.damagedBackup,
  incompatible: EXIT.incompatibleBackup,
  'target-not-empty': EXIT.targetNotEmpty,
  failed: EXIT.failed,
};

/** A backup module's refusal as the command line reports it. */
async function reported<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof BackupError) throw new CliError(error.message, EXIT_FOR[error.problem]);
    throw error;
  }
}

const megabytes = (bytes: number) => `${(bytes / 1_048_576).toFixed(1)} MB`;

/** Splits `args` into positional ones and the flags given, refusing unknown flags. */
function parse(args: string[], flags: { boolean?: string[]; number?: string[] }): { positional: string[]; values: Record<string, string | true> } {
  const positional: string[] = [];
  const values: Record<string, string | true> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith('--')) positional.push(arg);
    else if (flags.boolean?.includes(arg)) values[arg] = true;
    else if (flags.number?.includes(arg)) {
      const value = args[++i];
      if (value === undefined) throw new CliError(`${arg} needs a number`, EXIT.usage);
      values[arg] = value;
    } else throw new CliError(`Unknown option ${arg}`, EXIT.usage);
  }
  return { positional, values };
}

export const BACKUP_COMMANDS: Record<string, Command> = {
  backup: {
    usage: 'backup <file> [--keep N]',
    summary: `Write a consistent backup (database and uploaded files, with checksums) while the server runs or not; ${DATE_PLACEHOLDER} in <file> becomes the UTC time (2026-12-03T0200Z), and --keep N then deletes all but the N newest backups of that name.`,
    storage: false,
    async run(args, context) {
      const { positional, values } = parse(args, { number: ['--keep'] });
      if (positional.length !== 1) throw new CliError('backup needs exactly one file name', EXIT.usage);
      const pattern = positional[0];
      const keepText = values['--keep'];
      const keep = keepText === undefined ? null : Number(keepText);
      if (keep !== null && (!Number.isInteger(keep) || keep < 1)) throw new CliError(`--keep needs a whole number of at least 1, not ${String(keepText)}`, EXIT.usage);
      // In the file name itself: rotation lists one folder, so {date} only in a folder name fails after a good backup.
      if (keep !== null && !basename(pattern).includes(DATE_PLACEHOLDER)) throw new CliError(`--keep needs ${DATE_PLACEHOLDER} in the file name, so that backups have names of their own to rotate`, EXIT.usage);
      const config = (await context()).get(AppConfig);
      const env = config.values;
      const now = new Date();
      const file = backupFileName(pattern, now);
      const postgres = env.PARLEY_DATABASE_URL ? openDatabase({ sqlitePath: env.PARLEY_SQLITE_PATH, postgresUrl: env.PARLEY_DATABASE_URL, postgresSchema: env.PARLEY_DATABASE_SCHEMA, applicationName: ADMIN_APPLICATION_NAME }) : null;
      try {
        const source: BackupSource = postgres
          ? { dialect: 'postgres', db: postgres.db, schema: env.PARLEY_DATABASE_SCHEMA, filesDir: config.filesDir }
          : { dialect: 'sqlite', sqlitePath: env.PARLEY_SQLITE_PATH, filesDir: config.filesDir };
        const result = await reported(() => writeBackup(source, file, { now, onWarning: (message) => console.error(`warning: ${message}`) }));
        const { counts } = result.manifest;
        console.log(`Backup written: ${result.file} (${megabytes(result.size)}, SHA-256 in ${result.file}.sha256)`);
        console.log(`  ${result.manifest.dialect} database at ${result.manifest.schema}: ${counts.users} users, ${counts.messages} messages, ${counts.files} files (${result.manifest.entries.filter((e) => e.path.startsWith('files/')).length} stored copies)`);
        if (result.missingBlobs.length > 0) console.log(`  ${result.missingBlobs.length} stored copies listed in the database were missing on disk and are not in the backup`);
        if (result.damagedBlobs.length > 0) console.log(`  ${result.damagedBlobs.length} stored copies on disk do not match their checksum (backed up as they are)`);
        console.log(`  took ${result.seconds.toFixed(1)} s`);
        if (keep !== null) {
          const removed = await rotateBackups(pattern, keep);
          if (removed.length > 0) console.log(`Removed ${removed.length} older backups (keeping ${keep}): ${removed.join(', ')}`);
        }
        return EXIT.ok;
      } finally {
        await postgres?.db.destroy();
      }
    },
  },
  restore: {
    usage: 'restore <file> [--force]',
    summary: 'Check a backup through (checksums, manifest) and restore it into the configured database and files folder, which must be empty unless --force; the server must be stopped.',
    storage: false,
    async run(args, context) {
      const { positional, values } = parse(args, { boolean: ['--force'] });
      if (positional.length !== 1) throw new CliError('restore needs exactly one backup file', EXIT.usage);
      const config = (await context()).get(AppConfig);
      const env = config.values;
      const answering = await parleyServerAnswers(env.PARLEY_PORT, env.PARLEY_HOST);
      if (answering) {
        throw new CliError(`A Parley server answers at ${answering}: stop the server first (restore never runs under a live server, even with --force)`, EXIT.serverRunning);
      }
      // Whatever port or address the environment names: a server of other settings on this file.
      if (!env.PARLEY_DATABASE_URL && sqliteInUse(resolve(env.PARLEY_SQLITE_PATH))) {
        throw new CliError(`${resolve(env.PARLEY_SQLITE_PATH)} is open in another process (a running Parley server?): stop the server first (restore never runs under a live server, even with --force)`, EXIT.serverRunning);
      }
      if (env.PARLEY_DATABASE_URL) {
        // Every node of a cluster, wherever it runs, by its connections' name.
        const servers = await postgresServersOn(env.PARLEY_DATABASE_URL, env.PARLEY_DATABASE_SCHEMA);
        if (servers.connections > 0) {
          throw new CliError(
            `PostgreSQL has ${servers.connections} connections of a running Parley server on schema ${env.PARLEY_DATABASE_SCHEMA} (from ${servers.from.join(', ')}): stop every server using it first (restore never runs under a live server, even with --force)`,
            EXIT.serverRunning,
          );
        }
      }
      const target: RestoreTarget = env.PARLEY_DATABASE_URL
        ? { dialect: 'postgres', postgresUrl: env.PARLEY_DATABASE_URL, schema: env.PARLEY_DATABASE_SCHEMA, filesDir: config.filesDir }
        : { dialect: 'sqlite', sqlitePath: env.PARLEY_SQLITE_PATH, filesDir: config.filesDir };
      const { manifest, seconds } = await reported(() => restoreBackup(positional[0], target, { force: values['--force'] === true }));
      const where = target.dialect === 'postgres' ? `PostgreSQL schema ${target.schema}` : target.sqlitePath;
      console.log(`Restored ${positional[0]} (made ${manifest.createdAt} by Parley ${manifest.parleyVersion}, schema ${manifest.schema}) into ${where} and ${config.filesDir}`);
      console.log(`  ${manifest.counts.users} users, ${manifest.counts.messages} messages, ${manifest.counts.files} files; took ${seconds.toFixed(1)} s`);
      console.log('Start the server as usual: it brings the database up to its own version.');
      return EXIT.ok;
    },
  },
};

