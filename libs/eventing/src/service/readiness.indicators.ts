import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import { EVENTING_OPTIONS, EventingOptions, KAFKA, OutboxRelayService } from '../eventing.module';
import { readOutboxBacklog } from '../outbox/outbox-backlog';
import { ConsumerHealth } from '../consumer/consumer-health';

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
    private readonly consumerHealth: ConsumerHealth,
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
    if (this.eventing.relayEnabled === false) {
      return indicator.up({ enabled: false });
    }
    const status = this.relayService.relay.status;
    if (!status.running) {
      return indicator.down({ message: 'the outbox relay is not running' });
    }
    if (status.consecutiveFailures >= RELAY_FAILURES_BEFORE_DOWN) {
      return indicator.down({
        message: `the outbox relay failed ${status.consecutiveFailures} times in a row: ${status.lastError ?? ''}`,
      });
    }
    return indicator.up({ leader: status.leader });
  }

  /** Down while a crashed consumer waits for (or fails at) its replacement: its topic is not being read. */
  consumers(): HealthIndicatorResult<'consumers'> {
    const indicator = this.indicators.check('consumers');
    const statuses = this.consumerHealth.statuses();
    const restarting = statuses.filter((status) => status.state === 'restarting');
    if (restarting.length > 0) {
      return indicator.down({
        message: restarting
          .map((status) => `the consumer of ${status.topic} is restarting (${status.lastError ?? 'crashed'})`)
          .join('; '),
        restarting: restarting.map((status) => status.topic),
      });
    }
    return indicator.up({ consuming: statuses.filter((status) => status.state === 'consuming').length });
  }

  async outboxBacklog(): Promise<HealthIndicatorResult<'outbox'>> {
    const indicator = this.indicators.check('outbox');
    try {
      const { pending, oldestAgeSeconds } = await withTimeout(
        readOutboxBacklog(this.dataSource),
        this.options.checkTimeoutMs,
      );
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
