import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { AccountRecoveryService, CliError, EXIT } from './account-recovery.service';
import { BACKUP_COMMANDS } from './backup-commands';
import { CliModule } from './cli.module';

/**
 * `npm run admin -- <command> ...`: maintenance on Parley's database, with the server running or
 * not. A tiny dispatcher: each command is a name, a usage line and a function; later commands
 * are added to COMMANDS (backup and restore come from backup-commands.ts).
 */
export interface Command {
  usage: string;
  summary: string;
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
    `Exit codes: ${EXIT.ok} done, ${EXIT.failed} failed, ${EXIT.usage} usage, ${EXIT.noSuchUser} no such user, ${EXIT.weakPassword} password too easy to guess,`,
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
  const context = async () => (app ??= await NestFactory.createApplicationContext(CliModule.forRoot({ storage: command.storage }), { logger: ['fatal'] }));
  try {
    return await command.run(args, context);
  } catch (error) {
    // A wrong argument found by a command: the problem, then how to call it.
    if (error instanceof CliError && error.exitCode === EXIT.usage) return usage(error.message);
    if (error instanceof CliError) {
      console.error(error.message);
      return error.exitCode;
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
