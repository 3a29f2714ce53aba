import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { LogLevel } from '@nestjs/common';
import { AppModule, type ParleyModuleOptions } from './app.module';
import { originAllowed } from './chat/origin-check';
import { ParleyIoAdapter } from './chat/parley-io.adapter';
import { answerUnparsableRequestsWithJson } from './common/client-error-handler';
import { HttpExceptionFilter } from './common/http-exception.filter';
import { AppConfig } from './config/app-config';

export interface ParleyAppOptions extends ParleyModuleOptions {
  /** Nest log levels; false silences Nest entirely. Defaults to PARLEY_LOG_LEVEL. */
  logger?: LogLevel[] | false;
}

const LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/** Builds the whole server (HTTP, socket.io, storage) without listening; main.ts and tests share it. */
export async function createParleyApp(options: ParleyAppOptions = {}): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(options), {
    // Fail with an exception (main.ts prints it) rather than abort the process on a bad start.
    abortOnError: false,
    logger: options.logger ?? ['fatal', 'error', 'warn', 'log'],
  });
  const config = app.get(AppConfig).values;
  if (options.logger === undefined) {
    app.useLogger(LEVELS.slice(0, LEVELS.indexOf(config.PARLEY_LOG_LEVEL) + 1));
  }
  app.disable('x-powered-by');
  app.useGlobalFilters(new HttpExceptionFilter());
  answerUnparsableRequestsWithJson(app.getHttpServer());
  app.useBodyParser('json', { limit: '64kb' });
  app.useWebSocketAdapter(
    new ParleyIoAdapter(app, {
      // Big enough that an over-long message reaches validation and gets MESSAGE_TOO_LONG;
      // beyond this socket.io itself closes the connection (it has no way to reply).
      maxHttpBufferSize: Math.max(1024 * 1024, 4 * config.PARLEY_MAX_MESSAGE_BYTES + 64 * 1024),
      allowRequest: (request, callback) => callback(null, originAllowed(request, config.PARLEY_CORS_ORIGINS)),
      // Closed unless origins are configured; then their pages may also use long-polling.
      ...(config.PARLEY_CORS_ORIGINS.length > 0 ? { cors: { origin: config.PARLEY_CORS_ORIGINS, credentials: true } } : {}),
    }),
  );
  return app;
}
