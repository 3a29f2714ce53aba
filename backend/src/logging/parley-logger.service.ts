import { AsyncLocalStorage } from 'node:async_hooks';
import { Inject, Injectable, Optional, type LoggerService, type LogLevel } from '@nestjs/common';
import pino, { type DestinationStream, type Level, type Logger } from 'pino';
import { AppConfig } from '../config/app-config';

/** Where the JSON lines go and, for tests and embedding, a level that wins over PARLEY_LOG_LEVEL. */
export interface LogOptions {
  /** Defaults to standard output. */
  destination?: DestinationStream;
  /** A Nest level (error, warn, log, debug, verbose), or false for no logs at all. */
  level?: LogLevel | false;
}
export const LOG_OPTIONS = Symbol('LOG_OPTIONS');

const PINO_LEVEL: Record<LogLevel, Level> = {
  fatal: 'fatal',
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'trace',
};
const NEST_LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/**
 * Never written, whatever a caller passes: session tokens, cookies and passwords. Parley's own
 * log calls carry none of these; this is the net under a future mistake.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'password',
  'token',
  '*.password',
  '*.token',
];

/** What a log line made during an HTTP request carries: its request id. */
interface RequestContext {
  reqId: string;
}

const STACK_LINE = /\n\s+at /;

/**
 * Nest's LoggerService over pino: one JSON object per line. nestjs-pino would do this, but its
 * v5 needs Node 22 and its v4 does not support Nest 12, so this is the small part Parley needs
 * (see docs/architecture.md, "Logs").
 *
 * Nest passes the logger's context (the class name given to `new Logger(...)`) as the last
 * argument, and for errors a stack before it; both become fields. A plain object as the
 * message is merged into the line, so `logger.warn({ msg, socketId, code })` is structured.
 */
@Injectable()
export class ParleyLogger implements LoggerService {
  readonly pino: Logger;
  private readonly requests = new AsyncLocalStorage<RequestContext>();

  constructor(config: AppConfig, @Optional() @Inject(LOG_OPTIONS) options: LogOptions | null = null) {
    const level = options?.level === false ? 'silent' : PINO_LEVEL[options?.level ?? config.values.PARLEY_LOG_LEVEL];
    this.pino = pino(
      {
        level,
        redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
        timestamp: pino.stdTimeFunctions.isoTime,
        // Level names rather than pino's numbers, so `grep '"level":"error"'` works.
        formatters: { level: (label) => ({ level: label }) },
      },
      // Written synchronously: a few lines a second at most, kept in order with the start-up
      // banner (console.log) and never lost when the process exits.
      options?.destination ?? pino.destination({ dest: 1, sync: true }),
    );
  }

  /** Runs the rest of an HTTP request so that every line it logs carries its request id. */
  runInRequest(reqId: string, next: () => void): void {
    this.requests.run({ reqId }, next);
  }

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  /** `app.useLogger(['error', 'warn'])` and the like: the most verbose level listed wins. */
  setLogLevels(levels: LogLevel[]): void {
    const most = NEST_LEVELS.filter((level) => levels.includes(level)).at(-1);
    this.pino.level = most ? PINO_LEVEL[most] : 'silent';
  }

  private write(level: Level, message: unknown, params: unknown[]): void {
    if (!this.pino.isLevelEnabled(level)) return;
    const fields: Record<string, unknown> = {};
    const rest = [...params];
    const last = rest.at(-1);
    if (typeof last === 'string' && !STACK_LINE.test(last)) fields.context = rest.pop();
    const args: unknown[] = [];
    for (const param of rest) {
      if (param === undefined) continue;
      if (typeof param === 'string' && STACK_LINE.test(param)) fields.stack = param;
      else args.push(param);
    }
    if (args.length > 0) fields.args = args;
    const reqId = this.requests.getStore()?.reqId;
    if (reqId !== undefined) fields.reqId = reqId;
    if (message instanceof Error) {
      this.pino[level]({ ...fields, err: message }, message.message);
    } else if (typeof message === 'object' && message !== null) {
      this.pino[level]({ ...fields, ...(message as Record<string, unknown>) });
    } else {
      this.pino[level](fields, String(message));
    }
  }
}
