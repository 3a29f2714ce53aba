import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { AccountRecoveryService, CliError, EXIT } from './account-recovery.service';
import { NewerDatabaseError } from '../storage/migration-state';
import { BACKUP_COMMANDS } from './backup-commands';
import { CliModule } from './cli.module';
import { IntegrityCheckService } from './integrity-check.service';
import { SchemaMigrationsService } from './schema-migrations.service';

/**
 * `npm run admin -- <command> ...`: maintenance on Parley's database, with the server running or
 * not. A tiny dispatcher: each command is a name, a usage line and a function; later commands
 * are added to COMMANDS (backup and restore come from backup-commands.ts).
 */
export interface Command {
  usage: string;
  summary: string;
  /**
   * false: the command opens the database as it is (CliModule's migrateOnStart), for commands
   * that report on it or migrate it themselves. Default true: migrated first, as by the server.
   */
  migrateOnStart?: boolean;
  /** false: the context has the settings but no DatabaseService (which migrates at start). */
  storage?: boolean;
  run(args: string[], context: () => Promise<INestApplicationContext>): Promise<number>;
}

const COMMANDS: Record<string, Command> = {
  'reset-password': {
    usage: 'reset-password <user name> [--password-stdin]',
    summary:
      'Set a new password (generated and printed, or the first line of standard input with --password-stdin), enable the account, end its sessions; for "admin", also make it an admin again (or create it).',
    async run(args, context) {
      const fromStdin = args.includes('--password-stdin');
      const rest = args.filter((arg) => arg !== '--password-stdin');
      if (rest.length !== 1 || rest[0].startsWith('-')) return usage(`reset-password needs exactly one user name`);
      const given = fromStdin ? await firstLineOfStdin() : null;
      if (fromStdin && !given) throw new CliError('No password on standard input', EXIT.usage);
      const { user, password } = await (await context()).get(AccountRecoveryService).resetPassword(rest[0], given);
      console.log(`${user.username} (${user.role}) is enabled, signed out everywhere, and has a new password.`);
      if (!fromStdin) console.log(`New password for ${user.username} (shown only now):\n  ${password}`);
      return EXIT.ok;
    },
  },
  migrate: {
    usage: 'migrate [--status]',
    summary: `Apply pending database migrations, as a start of the server does (refused for a database a newer Parley migrated). With --status, change nothing: list every migration (applied, when, or pending), the Parley versions that upgraded the database, and a verdict; exit ${EXIT.ok} up to date, ${EXIT.pendingMigrations} migrations pending, ${EXIT.newerDatabase} the database is newer than this Parley.`,
    migrateOnStart: false,
    async run(args, context) {
      const unknown = args.filter((arg) => arg !== '--status');
      if (unknown.length > 0) return usage(`migrate takes only --status, not ${unknown.join(' ')}`);
      const migrations = (await context()).get(SchemaMigrationsService);
      if (args.includes('--status')) {
        const report = await migrations.status();
        console.log(report.lines.join('\n'));
        return report.exitCode;
      }
      console.log((await migrations.migrate()).join('\n'));
      return EXIT.ok;
    },
  },
  check: {
    usage: 'check [--no-hash]',
    summary: `Check the database (SQLite: integrity_check and foreign_key_check; both: every table readable, the migration state) and the uploaded files (each present with its size and SHA-256; --no-hash skips reading them through), without changing anything, the server running or not. One line per check; exit ${EXIT.ok} all good (warnings included), ${EXIT.failed} problems found.`,
    migrateOnStart: false,
    async run(args, context) {
      const unknown = args.filter((arg) => arg !== '--no-hash');
      if (unknown.length > 0) return usage(`check takes only --no-hash, not ${unknown.join(' ')}`);
      const results = await (await context()).get(IntegrityCheckService).run({ hash: !args.includes('--no-hash') });
      for (const result of results) console.log(`${result.outcome.padEnd(7)}  ${result.check}${result.details ? `: ${result.details}` : ''}`);
      const problems = results.filter((result) => result.outcome === 'problem').length;
      console.log(problems === 0 ? 'No problems found.' : `${problems} problem${problems === 1 ? '' : 's'} found.`);
      return problems === 0 ? EXIT.ok : EXIT.failed;
    },
  },
  ...BACKUP_COMMANDS,
};

function usage(problem?: string): number {
  const lines = [
    ...(problem ? [problem, ''] : []),
    'Usage: npm run admin -- <command> [arguments]',
    '',
    'Commands:',
    ...Object.values(COMMANDS).flatMap((command) => [`  ${command.usage}`, `      ${command.summary}`]),
    '',
    'The database is the one the server uses: PARLEY_SQLITE_PATH, or PARLEY_DATABASE_URL (and',
    'PARLEY_DATABASE_SCHEMA), and uploaded files are in PARLEY_FILES_DIR, from the environment or .env.',
    `Exit codes: ${EXIT.ok} done, ${EXIT.failed} failed (or check found problems), ${EXIT.usage} usage, ${EXIT.noSuchUser} no such user, ${EXIT.weakPassword} password too easy to guess,`,
    `  ${EXIT.pendingMigrations} migrations pending, ${EXIT.newerDatabase} the database is newer than this Parley (docs/upgrading.md),`,
    `  ${EXIT.targetNotEmpty} restore target not empty, ${EXIT.damagedBackup} damaged backup, ${EXIT.serverRunning} server running, ${EXIT.incompatibleBackup} backup this version cannot restore.`,
  ];
  (problem ? console.error : console.log)(lines.join('\n'));
  return problem ? EXIT.usage : EXIT.ok;
}

async function firstLineOfStdin(): Promise<string | null> {
  let text = '';
  for await (const chunk of process.stdin) {
    text += String(chunk);
    if (text.includes('\n')) break;
  }
  const line = text.split(/\r?\n/)[0];
  return line.length > 0 ? line : null;
}

export async function runAdminCommand(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') return usage(name ? undefined : 'No command given');
  const command = COMMANDS[name];
  if (!command) return usage(`Unknown command: ${name}`);
  let app: INestApplicationContext | null = null;
  // Opened only once the arguments are known to be right: a usage error touches nothing.
  const module = CliModule.forRoot({ migrateOnStart: command.migrateOnStart ?? true, storage: command.storage ?? true });
  const context = async () => (app ??= await NestFactory.createApplicationContext(module, { logger: ['fatal'], abortOnError: false }));
  try {
    return await command.run(args, context);
  } catch (error) {
    // A wrong argument found by a command: the problem, then how to call it.
    if (error instanceof CliError && error.exitCode === EXIT.usage) return usage(error.message);
    if (error instanceof CliError) {
      console.error(error.message);
      return error.exitCode;
    }
    // Any command that opens the database migrates it or reads it as this Parley's: refused alike.
    if (error instanceof NewerDatabaseError) {
      console.error(error.message);
      return EXIT.newerDatabase;
    }
    console.error(`${name} failed: ${error instanceof Error ? error.message : String(error)}`);
    return EXIT.failed;
  } finally {
    await (app as INestApplicationContext | null)?.close();
  }
}

if (require.main === module) {
  void runAdminCommand(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
