import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import { EVENTING_OPTIONS, EventingOptions, KAFKA, OutboxRelayService } from '../eventing.module';

export const READINESS_OPTIONS = Symbol('READINESS_OPTIONS');

export interface ReadinessOptions {
  /** Ready only while the oldest unpublished outbox row is younger than this. */
  readonly outboxMaxAgeSeconds: number;
  /** How long one check may take before it counts as down. */
  readonly checkTimeoutMs: number;
}

/** A relay that failed this many loops in a row is not publishing: the replica is not ready. */
const RELAY_FAILURES_BEFORE_DOWN = 3;

/** The parts of readiness that are Waybill's own: Kafka, the outbox relay and the outbox backlog. */
@Injectable()
export class ReadinessIndicators {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly dataSource: DataSource,
    private readonly relayService: OutboxRelayService,
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(EVENTING_OPTIONS) private readonly eventing: EventingOptions,
    @Inject(READINESS_OPTIONS) private readonly options: ReadinessOptions,
  ) {}

  async kafkaCluster(): Promise<HealthIndicatorResult<'kafka'>> {
    const indicator = this.indicators.check('kafka');
    // A fresh admin per check: a long-lived one would report its cached metadata, not the broker.
    const admin = this.kafka.admin({ retry: { retries: 0 } });
    try {
      const cluster = await withTimeout(
        admin.connect().then(() => admin.describeCluster()),
        this.options.checkTimeoutMs,
      );
      return indicator.up({ brokers: cluster.brokers.length });
    } catch (error) {
      return indicator.down({ message: (error as Error).message });
    } finally {
      void admin.disconnect().catch(() => undefined);
    }
  }

  relay(): HealthIndicatorResult<'relay'> {
    const indicator = this.indicators.check('relay');
    if (this.eventing.relayEnabled === false) return indicator.up({ enabled: false });
    const status = this.relayService.relay.status;
    if (!status.running) return indicator.down({ message: 'the outbox relay is not running' });
    if (status.consecutiveFailures >= RELAY_FAILURES_BEFORE_DOWN) {
      return indicator.down({
        message: `the outbox relay failed ${status.consecutiveFailures} times in a row: ${status.lastError ?? ''}`,
      });
    }
    return indicator.up({ leader: status.leader });
  }

  async outboxBacklog(): Promise<HealthIndicatorResult<'outbox'>> {
    const indicator = this.indicators.check('outbox');
    try {
      const [row] = await withTimeout(
        this.dataSource.query<{ pending: string; oldest_age_seconds: number | null }[]>(
          `SELECT count(*) AS pending,
                  extract(epoch FROM now() - min(created_at))::float8 AS oldest_age_seconds
             FROM outbox_pending`,
        ),
        this.options.checkTimeoutMs,
      );
      const pending = Number(row.pending);
      const oldestAgeSeconds = Math.round(row.oldest_age_seconds ?? 0);
      if (oldestAgeSeconds > this.options.outboxMaxAgeSeconds) {
        return indicator.down({
          message: `the oldest unpublished outbox row is ${oldestAgeSeconds} s old (limit ${this.options.outboxMaxAgeSeconds} s)`,
          pending,
          oldestAgeSeconds,
        });
      }
      return indicator.up({ pending, oldestAgeSeconds });
    } catch (error) {
      return indicator.down({ message: (error as Error).message });
    }
  }
}

export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>(
      (_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)),
    ),
  ]).finally(() => clearTimeout(timer));
}
