import { Injectable } from '@nestjs/common';
import type { KafkaMessage } from 'kafkajs';
import { DataSource } from 'typeorm';
import { LATENCY_BUCKETS, Metrics } from '@waybill/platform';
import { readOutboxBacklog } from '../outbox/outbox-backlog';
import { queryRows, SqlQueryable } from '../persistence/query-rows';

/** What the consumer runner reports as it works; metrics implement it, tests may too. */
export interface ConsumerObserver {
  settled(type: string, outcome: string): void;
  handled(type: string, seconds: number): void;
  retried(type: string): void;
  deadLettered(reason: string): void;
  lag(topic: string, partition: number, messages: number): void;
  /** A topic's consumer crashed and is being replaced by a new one. */
  consumerRestarted(topic: string): void;
  /** A producer (`dead-letter`) was thrown away after a failed send. */
  producerReplaced(role: string, reason: string): void;
}

/** The type of a message as its `ce_type` header says, without decoding it; `unknown` when absent. */
export function messageType(message: KafkaMessage): string {
  const header = message.headers?.ce_type;
  const value = Array.isArray(header) ? header[0] : header;
  return value === undefined ? 'unknown' : value.toString();
}

/**
 * The eventing layer's Prometheus metrics: events produced by the relay and consumed by the
 * runner, by type; handler time; retries; dead letters; consumer lag; and the outbox backlog,
 * read from the database at scrape time.
 */
@Injectable()
export class EventingMetrics implements ConsumerObserver {
  private readonly produced;
  private readonly consumed;
  private readonly handlerDuration;
  private readonly retries;
  private readonly deadLetters;
  private readonly consumerLag;
  private readonly consumerRestarts;
  private readonly producerReplacements;

  constructor(metrics: Metrics, dataSource: DataSource) {
    this.produced = metrics.counter({
      name: 'waybill_events_produced_total',
      help: 'Events the outbox relay published to Kafka (acknowledged), by type',
      labelNames: ['type'] as const,
    });
    this.consumed = metrics.counter({
      name: 'waybill_events_consumed_total',
      help: 'Events the consumer runner settled, by type and outcome (applied, duplicate, ignored, dead-lettered)',
      labelNames: ['type', 'outcome'] as const,
    });
    this.handlerDuration = metrics.histogram({
      name: 'waybill_event_handler_duration_seconds',
      help: 'Time in an event handler, by type',
      labelNames: ['type'] as const,
      buckets: LATENCY_BUCKETS,
    });
    this.retries = metrics.counter({
      name: 'waybill_event_retries_total',
      help: 'Failed handler attempts that will be retried, by type',
      labelNames: ['type'] as const,
    });
    this.deadLetters = metrics.counter({
      name: 'waybill_dead_letters_total',
      help: "Messages sent to this service's dead-letter topic, by reason",
      labelNames: ['reason'] as const,
    });
    this.consumerLag = metrics.gauge({
      name: 'waybill_consumer_lag_messages',
      help: 'Messages behind the partition end after the last batch, by topic and partition',
      labelNames: ['topic', 'partition'] as const,
    });
    this.consumerRestarts = metrics.counter({
      name: 'waybill_consumer_restarts_total',
      help: 'Consumers that crashed (left their group, a non-retriable error) and were started again, by topic',
      labelNames: ['topic'] as const,
    });
    this.producerReplacements = metrics.counter({
      name: 'waybill_kafka_producer_replacements_total',
      help: 'Kafka producers thrown away after a failed send and replaced by one with a new producer id, by role (relay, dead-letter) and the error',
      labelNames: ['role', 'reason'] as const,
    });
    const backlog = metrics.gauge({
      name: 'waybill_outbox_backlog',
      help: 'Outbox rows Kafka has not acknowledged yet',
    });
    const oldestAge = metrics.gauge({
      name: 'waybill_outbox_oldest_age_seconds',
      help: 'Age of the oldest outbox row Kafka has not acknowledged (0 when none)',
      // Read on scrape: the numbers are the database's, whichever replica runs the relay.
      async collect() {
        const read = await readOutboxBacklog(dataSource).catch(() => undefined);
        if (!read) {
          return;
        }
        oldestAge.set(read.oldestAgeSeconds);
        backlog.set(read.pending);
      },
    });
  }

  published(types: readonly string[]): void {
    for (const type of types) {
      this.produced.inc({ type });
    }
  }

  settled(type: string, outcome: string): void {
    this.consumed.inc({ type, outcome });
  }

  handled(type: string, seconds: number): void {
    this.handlerDuration.observe({ type }, seconds);
  }

  retried(type: string): void {
    this.retries.inc({ type });
  }

  deadLettered(reason: string): void {
    this.deadLetters.inc({ reason });
  }

  lag(topic: string, partition: number, messages: number): void {
    this.consumerLag.set({ topic, partition: String(partition) }, messages);
  }

  consumerRestarted(topic: string): void {
    this.consumerRestarts.inc({ topic });
  }

  producerReplaced(role: string, reason: string): void {
    this.producerReplacements.inc({ role, reason });
  }
}

/**
 * A business gauge read from the database at scrape time, e.g. orders by status: `sql` returns
 * rows of `{ label, count }`. Every value in `labels` is reported, 0 when the query has no row for
 * it, so a status that empties shows 0 instead of its last count; other labels are reported while
 * the query returns them.
 */
export function databaseCountGauge(
  metrics: Metrics,
  db: SqlQueryable,
  gauge: {
    readonly name: string;
    readonly help: string;
    readonly labelName: string;
    readonly labels: readonly string[];
    readonly sql: string;
  },
): void {
  const created = metrics.gauge({
    name: gauge.name,
    help: gauge.help,
    labelNames: [gauge.labelName],
    async collect() {
      const rows = await queryRows<{ label: string; count: string }>(db, gauge.sql).catch(() => undefined);
      if (!rows) {
        return;
      }
      const counts = new Map(rows.map((row) => [row.label, Number(row.count)]));
      // A label found last time and gone now (not in `labels`) must not keep its old count.
      created.reset();
      for (const label of new Set([...gauge.labels, ...counts.keys()])) {
        created.set({ [gauge.labelName]: label }, counts.get(label) ?? 0);
      }
    },
  });
}
