import { Controller, Get, HttpStatus, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, type HealthCheckResult, type HealthIndicatorFunction } from '@nestjs/terminus';
import type { Response } from 'express';
import { DatabaseHealthIndicator } from './database.health';

/**
 * Probes for load balancers and orchestrators; no authentication, and nothing in the answer
 * beyond up or down. `live`: the process answers HTTP. `ready`: it can serve, i.e. the database
 * answers and the server is not shutting down. `/health` is `ready`.
 */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: DatabaseHealthIndicator,
  ) {}

  @Get('live')
  @HealthCheck()
  @ApiOperation({ summary: 'Liveness', description: 'Public. 200 while the process answers HTTP (503 once it is shutting down).' })
  live(@Res({ passthrough: true }) response: Response): Promise<HealthCheckResult> {
    return this.answer(response, []);
  }

  @Get(['', 'ready'])
  @HealthCheck()
  @ApiOperation({
    summary: 'Readiness',
    description: 'Public. 200 when the database answers; 503 when it does not, or while shutting down. `/health` is the same.',
  })
  ready(@Res({ passthrough: true }) response: Response): Promise<HealthCheckResult> {
    return this.answer(response, [() => this.database.check()]);
  }

  /**
   * Terminus throws a 503 when a check fails or the app is shutting down; the probe answer is
   * its `{status, info, error, details}` body, not the generic error body of HttpExceptionFilter.
   */
  private async answer(response: Response, checks: HealthIndicatorFunction[]): Promise<HealthCheckResult> {
    try {
      return await this.health.check(checks);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      response.status(HttpStatus.SERVICE_UNAVAILABLE);
      return error.getResponse() as HealthCheckResult;
    }
  }
}
