import { Injectable, Logger } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { inTime } from '../common/in-time';
import { DatabaseService } from '../storage/database.service';

/** Longer than any healthy round trip; a load balancer's probe usually gives up after a few seconds. */
export const DATABASE_CHECK_TIMEOUT_MS = 2_000;

/**
 * Whether the database answers a trivial query in time (SQLite or PostgreSQL alike). A failure
 * is reported as just `down`: the reason (which can name a host, a user or a file) goes to the
 * server log, not to whoever calls the unauthenticated health endpoint.
 */
@Injectable()
export class DatabaseHealthIndicator {
  private readonly logger = new Logger(DatabaseHealthIndicator.name);

  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly database: DatabaseService,
  ) {}

  async check(key = 'database'): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check(key);
    try {
      await inTime(this.database.ping(), DATABASE_CHECK_TIMEOUT_MS, `no answer within ${DATABASE_CHECK_TIMEOUT_MS} ms`);
      return indicator.up();
    } catch (error) {
      this.logger.warn({ msg: 'Database health check failed', reason: error instanceof Error ? error.message : String(error) });
      return indicator.down();
    }
  }
}
