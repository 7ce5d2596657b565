import { Controller, Get, Header, Res } from '@nestjs/common';
import { Public } from '../auth/auth.decorators';
import { HttpResponse } from '../http/http-types';
import { Metrics } from './metrics';

/**
 * Prometheus scrapes `/metrics` inside the cluster; like `/health/*` it takes no API key, and the
 * deployment keeps it off the public ingress (it names routes and volumes, not customers).
 */
@Public()
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: Metrics) {}

  @Get()
  @Header('Cache-Control', 'no-store')
  async scrape(@Res() response: HttpResponse): Promise<void> {
    const { contentType, body } = await this.metrics.exposition();
    response.setHeader('Content-Type', contentType);
    response.end(body);
  }
}
