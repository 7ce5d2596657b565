import { Controller, Get, Header, Res } from '@nestjs/common';
import { Public } from '../auth/auth.decorators';
import { HttpResponse } from '../http/http-types';
import { ApiDoc } from '../openapi/api-doc.decorator';
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
  @ApiDoc({
    summary: 'Prometheus metrics',
    description:
      'The Prometheus text exposition format; every sample carries `service`. Keep it off the public ingress.',
    response: {
      description: 'The current samples.',
      contentType: 'text/plain; version=0.0.4',
      example:
        '# HELP waybill_outbox_backlog Outbox rows Kafka has not acknowledged yet\n' +
        '# TYPE waybill_outbox_backlog gauge\nwaybill_outbox_backlog{service="order"} 0\n',
    },
  })
  async scrape(@Res() response: HttpResponse): Promise<void> {
    const { contentType, body } = await this.metrics.exposition();
    response.setHeader('Content-Type', contentType);
    response.end(body);
  }
}
