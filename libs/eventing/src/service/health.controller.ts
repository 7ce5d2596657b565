import { Controller, Get, HttpException, HttpStatus, Inject } from '@nestjs/common';
import { HealthCheck, HealthCheckResult, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { ApiDoc, Public, ResponseSchema as S } from '@waybill/platform';
import { READINESS_OPTIONS, ReadinessIndicators, ReadinessOptions } from './readiness.indicators';

/** @nestjs/terminus's HealthCheckResult: each part by name, with `status` and what it reported. */
const PARTS = {
  type: 'object',
  additionalProperties: {
    type: 'object',
    properties: { status: S.oneOfValues(['up', 'down']) },
    required: ['status'],
    // Each check adds what it found (brokers, leader, pending…).
    additionalProperties: true,
  },
};
const HEALTH_SCHEMA = S.named(
  'HealthCheckResult',
  S.object({
    status: S.oneOfValues(['ok', 'error', 'shutting_down']),
    info: PARTS,
    error: PARTS,
    details: PARTS,
  }),
);

const READY_EXAMPLE = {
  database: { status: 'up' },
  kafka: { status: 'up', brokers: 3 },
  relay: { status: 'up', leader: true },
  consumers: { status: 'up', consuming: 3 },
  outbox: { status: 'up', pending: 0, oldestAgeSeconds: 0 },
};

/**
 * Liveness says the process runs (restart it if not); readiness says it can do its work — database
 * and Kafka answer, the outbox relay runs, every consumer is in its group and the outbox is not
 * backing up — so a load balancer or
 * Kubernetes sends it traffic. A 503 names every failing part.
 */
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly readiness: ReadinessIndicators,
    @Inject(READINESS_OPTIONS) private readonly options: ReadinessOptions,
  ) {}

  @Get('live')
  @HealthCheck()
  @ApiDoc({
    summary: 'Liveness: the process runs',
    description: 'Checks nothing else; restart the process when it does not answer.',
    response: {
      description: 'The process runs.',
      schema: HEALTH_SCHEMA,
      example: { status: 'ok', info: {}, error: {}, details: {} },
    },
  })
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  @Get('ready')
  @ApiDoc({
    summary: 'Readiness: database, Kafka, outbox relay, consumers and backlog',
    description:
      'Send traffic only while this is 200. A 503 names every failing part in `message` and `details`.',
    response: {
      description: 'Every part is up.',
      schema: HEALTH_SCHEMA,
      example: {
        status: 'ok',
        info: READY_EXAMPLE,
        error: {},
        details: READY_EXAMPLE,
      },
    },
    errors: [
      {
        status: 503,
        code: 'HEALTH.NOT_READY',
        description:
          'A part is down, e.g. `not ready: kafka (Connection timeout)`; `details` has every part.',
      },
    ],
  })
  async ready(): Promise<HealthCheckResult> {
    try {
      return await this.health.check([
        () => this.database.pingCheck('database', { timeout: this.options.checkTimeoutMs }),
        () => this.readiness.kafkaCluster(),
        () => this.readiness.relay(),
        () => this.readiness.consumers(),
        () => this.readiness.outboxBacklog(),
      ]);
    } catch (error) {
      if (!(error instanceof HttpException)) {
        throw error;
      }
      const result = error.getResponse() as HealthCheckResult;
      const failing = Object.entries(result.error ?? {}).map(
        ([part, detail]) => `${part}${typeof detail?.message === 'string' ? ` (${detail.message})` : ''}`,
      );
      throw new HttpException(
        {
          code: 'HEALTH.NOT_READY',
          message: `not ready: ${failing.join('; ')}`,
          details: result.details,
        },
        HttpStatus.SERVICE_UNAVAILABLE,
      );
    }
  }
}
