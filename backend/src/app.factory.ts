import type { IncomingMessage } from 'node:http';
import type { Server as TlsServer } from 'node:tls';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { LogLevel } from '@nestjs/common';
import { AppModule, type ParleyModuleOptions } from './app.module';
import { handshakeRefusal } from './chat/origin-check';
import { ParleyIoAdapter } from './chat/parley-io.adapter';
import { handshakeClientIp, trustProxyOf } from './common/client-ip';
import { answerUnparsableRequestsWithJson } from './common/client-error-handler';
import { HttpExceptionFilter } from './common/http-exception.filter';
import { ClusterService } from './cluster/cluster.service';
import { readStartupEnv } from './config/startup-env';
import * as extensionApi from './extensions';
import { loadExtensions } from './extensions/extension-loader';
import { AppConfig } from './config/app-config';
import { ShutdownService } from './lifecycle/shutdown.service';
import { httpLogger } from './logging/http-logger.middleware';
import { ParleyLogger } from './logging/parley-logger.service';
import { ParleyMetrics } from './metrics/parley-metrics.service';
import { setUpOpenApi } from './openapi/openapi';
import { BareConnectionLimiter } from './rate-limit/bare-connection-limiter.service';
import { AuthService } from './auth/auth.service';
import { AllowedHosts, hostCheck } from './security/allowed-hosts';
import { refuseCrossSiteWrites } from './security/cross-site';
import { FILES_UPLOAD_PATH } from './files/files.controller';
import { RESUMABLE_UPLOADS_PATH } from './files/resumable-uploads.service';
import { csrfProtection } from './security/csrf';
import { CsrfTokens } from './security/csrf-tokens.service';
import { noStoreForApi, securityHeaders } from './security/http-hardening';
import { loadTls } from './security/tls';
import { LocalTls } from './security/tls/local-tls.service';
import { acceptPlainHttp, plainHttpHandler } from './security/tls/plain-http';

export interface ParleyAppOptions extends ParleyModuleOptions {
  /**
   * Nest log levels, of which the most verbose one sets the JSON log's level; false silences
   * the log. Defaults to PARLEY_LOG_LEVEL. (`log.level` says the same more directly.)
   */
  logger?: LogLevel[] | false;
}

/**
 * How long socket.io waits for a new connection to join a namespace before closing it (its
 * default is 45 s). An honest client joins in its first round trip; a bare handshake holds a
 * BareConnectionLimiter slot no longer than this.
 */
const ENGINE_JOIN_TIMEOUT_MS = 10_000;
const LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

function levelOf(logger: ParleyAppOptions['logger']): LogLevel | false | undefined {
  if (logger === undefined || logger === false) return logger;
  return LEVELS.filter((level) => logger.includes(level)).at(-1) ?? false;
}

/** Builds the whole server (HTTP, socket.io, storage) without listening; main.ts and tests share it. */
export async function createParleyApp(options: ParleyAppOptions = {}): Promise<NestExpressApplication> {
  const httpsOptions = await loadTls(options.env);
  const log = { ...options.log, level: options.log?.level ?? levelOf(options.logger) };
  // Before Nest builds anything: an extension may override providers, and its module is imported.
  const extensions = options.extensions ?? (await loadExtensions(readStartupEnv(options.env).PARLEY_EXTENSIONS, extensionApi));
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot({ ...options, log, extensions }), {
    // Fail with an exception (main.ts prints it) rather than abort the process on a bad start.
    abortOnError: false,
    // Only the JSON parser below: Nest's default urlencoded one would read HTML form posts,
    // which another site's page can send (security/cross-site.ts refuses them before parsing).
    bodyParser: false,
    ...(httpsOptions ? { httpsOptions } : {}),
    // Held until the JSON logger below takes over; printed by Nest's console logger if the
    // start fails before that (a bad variable), so the reason is never lost.
    bufferLogs: log.level !== false,
    logger: log.level === false ? false : undefined,
  });
  const logger = app.get(ParleyLogger);
  app.useLogger(logger);
  const appConfig = app.get(AppConfig);
  const config = appConfig.values;
  const metrics = app.get(ParleyMetrics);
  app.disable('x-powered-by');
  if (config.PARLEY_TRUST_PROXY) {
    // Rate limits per IP and the audit log's addresses then see the client behind the proxy.
    app.set('trust proxy', config.PARLEY_TRUST_PROXY.split(',').map((entry) => entry.trim()).filter(Boolean));
  }
  // First, so every request (API, web app files, unknown paths) is logged with its id.
  app.use(httpLogger(logger));
  const hosts = AllowedHosts.fromConfig(config);
  // Over TLS, plain http on the same port is sent to https (and gets the local CA, with auto).
  if (appConfig.tls) {
    const localTls = app.get(LocalTls);
    acceptPlainHttp(app.getHttpServer() as unknown as TlsServer, plainHttpHandler({ hosts, ca: () => localTls.ca }));
  }
  // Before anything answers: a rebound DNS name gets nothing but the refusal.
  app.use(hostCheck(hosts));
  app.use(securityHeaders({ tls: appConfig.tls }));
  app.use(noStoreForApi());
  // Before the body parsers, so a cross-site or non-JSON write is never read.
  app.use(refuseCrossSiteWrites(hosts, { multipartPaths: [FILES_UPLOAD_PATH], tusPrefix: RESUMABLE_UPLOADS_PATH }));
  const auth = app.get(AuthService);
  app.use(csrfProtection({ tokens: app.get(CsrfTokens), authenticates: async (token) => (await auth.authenticate(token)) !== null }));
  app.useGlobalFilters(new HttpExceptionFilter(metrics));
  answerUnparsableRequestsWithJson(app.getHttpServer());
  app.useBodyParser('json', { limit: '64kb' });
  const clusterAdapter = await app.get(ClusterService).connect();
  const bareConnections = app.get(BareConnectionLimiter);
  const trustProxy = trustProxyOf(app.getHttpAdapter().getInstance());
  const engineClientIp = (request: IncomingMessage) =>
    handshakeClientIp({ address: request.socket.remoteAddress ?? '', headers: request.headers }, trustProxy);
  app.useWebSocketAdapter(
    new ParleyIoAdapter(
      app,
      {
        // Big enough that an over-long message reaches validation and gets MESSAGE_TOO_LONG;
        // beyond this socket.io itself closes the connection (it has no way to reply).
        maxHttpBufferSize: Math.max(1024 * 1024, 4 * config.PARLEY_MAX_MESSAGE_BYTES + 64 * 1024),
        allowRequest: (request, callback) => {
          const refusal = handshakeRefusal(request, config.PARLEY_CORS_ORIGINS, hosts);
          if (refusal !== null) return callback(refusal, false);
          if (bareConnections.admits(engineClientIp(request))) return callback(null, true);
          // Debug, not warn: a flood of refused handshakes must not become a flood of log lines
          // (these requests never reach the REST rate limit). The client gets the reason.
          logger.debug({ msg: 'Handshake refused: too many bare engine.io connections from one address', ip: engineClientIp(request) });
          callback('Too many connections from this address that have not joined (PARLEY_UNVERIFIED_SOCKETS_PER_IP)', false);
        },
        // socket.io closes a connection that has not joined a namespace within this long; its
        // default, 45 s, let a flood of bare handshakes live long. An honest client joins at once.
        connectTimeout: ENGINE_JOIN_TIMEOUT_MS,
        // Closed unless origins are configured; then their pages may also use long-polling.
        ...(config.PARLEY_CORS_ORIGINS.length > 0 ? { cors: { origin: config.PARLEY_CORS_ORIGINS, credentials: true } } : {}),
        ...(clusterAdapter ? { adapter: clusterAdapter } : {}),
      },
      // Counts handlers in flight and refuses new requests once a shutdown began.
      app.get(ShutdownService),
      // engine.io builds the connection within the allowRequest callback's tick, so no handshake
      // slips in between the check above and this count.
      (connection) => bareConnections.track(connection, engineClientIp(connection.request)),
    ),
  );
  setUpOpenApi(app);
  return app;
}
