import { Controller, Get, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces } from '@nestjs/swagger';
import type { Response } from 'express';
import { Authenticated } from '../auth/session.guard';
import { ParleyMetrics } from './parley-metrics.service';

/**
 * Prometheus metrics on the main port, for a signed-in admin (the readMetrics capability).
 * A scraper without a session uses PARLEY_METRICS_PORT instead (MetricsServer).
 */
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: ParleyMetrics) {}

  @Get()
  @Authenticated('readMetrics')
  @ApiOperation({ summary: 'Prometheus metrics', description: 'Also served without a session on PARLEY_METRICS_PORT when configured.' })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'Prometheus text exposition format 0.0.4', content: { 'text/plain': { schema: { type: 'string' } } } })
  async scrape(@Res() response: Response): Promise<void> {
    const body = await this.metrics.render();
    response.type(this.metrics.contentType).send(body);
  }
}
