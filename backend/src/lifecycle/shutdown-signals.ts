import type { EventEmitter } from 'node:events';
import { Logger, type INestApplication, type LoggerService } from '@nestjs/common';
import { ShutdownService } from './shutdown.service';

export interface ShutdownSignalOptions {
  /** The longest the whole shutdown may take before the process exits with code 1. */
  timeoutMs: number;
  /** Where the signals come from: the process, except in specs. */
  signals?: EventEmitter;
  exit?: (code: number) => void;
  logger?: Pick<LoggerService, 'log' | 'warn' | 'error'>;
}

/**
 * On the first SIGTERM or SIGINT, runs `stop` and exits with code 0 when it has finished, or
 * 1 when it fails or outlasts `timeoutMs`. Nest's enableShutdownHooks re-raises the signal
 * instead, so the process never exits 0 and an orchestrator cannot tell a clean stop from a
 * kill. Later signals are ignored rather than cutting the shutdown short: Ctrl-C under
 * `npm start` delivers SIGINT twice (the terminal's and the one npm forwards).
 */
export function exitOnShutdownSignal(stop: () => Promise<void>, options: ShutdownSignalOptions): void {
  const signals = options.signals ?? process;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const logger = options.logger ?? new Logger('Shutdown');
  let stopping = false;
  const onSignal = (signal: string) => {
    if (stopping) {
      logger.log(`${signal}: already shutting down`);
      return;
    }
    stopping = true;
    logger.log(`${signal}: shutting down (at most ${options.timeoutMs} ms)`);
    const timer = setTimeout(() => {
      logger.error(`Shutdown took longer than ${options.timeoutMs} ms (PARLEY_SHUTDOWN_TIMEOUT_MS); exiting now`);
      exit(1);
    }, options.timeoutMs);
    stop().then(
      () => {
        clearTimeout(timer);
        logger.log('Stopped');
        exit(0);
      },
      (error: unknown) => {
        clearTimeout(timer);
        logger.error(`Shutdown failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        exit(1);
      },
    );
  };
  for (const signal of ['SIGTERM', 'SIGINT']) signals.on(signal, onSignal);
}

/**
 * The graceful stop: drain (ShutdownService) within four fifths of the time, leaving the rest
 * for Nest's close (the writer's last flush, closing the database).
 */
export async function stopGracefully(app: INestApplication, timeoutMs: number): Promise<void> {
  await app.get(ShutdownService).drain(Date.now() + Math.floor(timeoutMs * 0.8));
  await app.close();
}
