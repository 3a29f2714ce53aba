import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { AllowedHosts, refuseHost } from '../security/allowed-hosts';
import { ParleyMetrics } from './parley-metrics.service';

/**
 * With PARLEY_METRICS_PORT set, serves GET /metrics without authentication on that port (bound
 * to PARLEY_METRICS_HOST, else PARLEY_HOST), for a Prometheus that cannot sign in. Keep that
 * port off the LAN: anyone who reaches it reads the metrics. Only /metrics is served there, and
 * only to the host names the main port answers to (PARLEY_ALLOWED_HOSTS for a scraper's name).
 */
@Injectable()
export class MetricsServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(MetricsServer.name);
  private server: Server | null = null;

  constructor(
    private readonly config: AppConfig,
    private readonly metrics: ParleyMetrics,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { PARLEY_METRICS_PORT: port, PARLEY_METRICS_HOST, PARLEY_HOST } = this.config.values;
    if (port === undefined) return;
    const host = PARLEY_METRICS_HOST ?? PARLEY_HOST;
    // The same names as the main port: a rebound DNS name would otherwise read the metrics.
    const hosts = AllowedHosts.fromConfig(this.config.values);
    const server = createServer((request, response) => {
      if (!hosts.allows(request.headers.host)) {
        refuseHost(request, response);
        return;
      }
      const path = (request.url ?? '').split('?')[0];
      if (path !== '/metrics' || (request.method !== 'GET' && request.method !== 'HEAD')) {
        response.writeHead(404, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ statusCode: 404, code: 'NOT_FOUND', message: 'Only GET /metrics is served here' }));
        return;
      }
      this.metrics.render().then(
        (body) => {
          response.writeHead(200, { 'content-type': this.metrics.contentType });
          response.end(request.method === 'HEAD' ? undefined : body);
        },
        (error: unknown) => {
          this.logger.error({ msg: 'Rendering metrics failed', err: error });
          response.writeHead(500, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ statusCode: 500, code: 'INTERNAL', message: 'Internal error' }));
        },
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    const bound = this.address();
    this.logger.log({ msg: `Metrics for Prometheus on http://${host}:${bound?.port}/metrics`, host, port: bound?.port });
  }

  /** Where the metrics port is listening (its real port when configured as 0), or null. */
  address(): AddressInfo | null {
    const address = this.server?.address();
    return address && typeof address === 'object' ? address : null;
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
