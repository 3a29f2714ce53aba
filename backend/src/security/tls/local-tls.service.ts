import type { Server as TlsServer } from 'node:tls';
import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { AppConfig } from '../../config/app-config';
import { ensureLocalCertificates, type LocalCertificates } from './local-ca';
import { tlsNames } from './tls-names';

/** How often the certificate is checked against the date and this machine's addresses. */
const CHECK_EVERY_MS = 3600_000;

/**
 * PARLEY_TLS=auto while running: every hour the certificate is renewed when it nears its end
 * and made again when the machine has a new address (a laptop on another network, DHCP), and
 * the HTTPS server takes the new one for the next connections without a restart.
 */
@Injectable()
export class LocalTls implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('TLS');
  private current: LocalCertificates | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly config: AppConfig,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  get enabled(): boolean {
    return this.config.values.PARLEY_TLS === 'auto';
  }

  /** The CA people install, and its fingerprint; null unless PARLEY_TLS=auto. */
  get ca(): { pem: string; fingerprint: string } | null {
    return this.current ? { pem: this.current.caPem, fingerprint: this.current.caFingerprint } : null;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.enabled) return;
    await this.check();
    this.timer = setInterval(() => void this.check().catch((error: unknown) => this.logger.error(`Could not renew the certificate: ${String(error)}`)), CHECK_EVERY_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Renews or re-issues when due; returns what happened. */
  async check(now = new Date()): Promise<LocalCertificates['outcome']> {
    const next = await ensureLocalCertificates(this.config.tlsDir, tlsNames(this.config.values), now);
    this.current = next;
    if (next.outcome !== 'kept') {
      const server = this.adapterHost.httpAdapter.getHttpServer() as TlsServer;
      server.setSecureContext({ cert: next.certPem, key: next.keyPem });
      this.logger.log(`Certificate ${next.outcome === 'renewed' ? 'renewed' : 'made again for new names or addresses'}; valid until ${next.notAfter.toISOString()}`);
    }
    return next.outcome;
  }
}
