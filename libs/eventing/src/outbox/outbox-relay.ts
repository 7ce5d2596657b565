import { Logger } from '@nestjs/common';
import { Kafka, Message, Producer, TopicMessages } from 'kafkajs';
import { PoolClient } from 'pg';
import { DataSource } from 'typeorm';
import { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { isDatabaseUnavailable } from '../consumer/failure-policy';

export interface OutboxRelayOptions {
  readonly dataSource: DataSource;
  readonly kafka: Kafka;
  /** Rows per Kafka batch (default 1000). */
  readonly batchSize?: number;
  /** The fallback poll when no NOTIFY arrives (default 1000 ms). */
  readonly pollIntervalMs?: number;
  /** How long published rows stay for inspection before they are deleted (default 7 days). */
  readonly retentionMs?: number;
  /** How long inbox rows are kept to recognise redeliveries (default 30 days). */
  readonly inboxRetentionMs?: number;
  readonly housekeepingIntervalMs?: number;
  /** Called after Kafka acknowledged a batch and before it is marked; fault tests kill the process here. */
  readonly afterPublish?: (eventIds: readonly string[]) => Promise<void> | void;
}

interface OutboxRow {
  id: string;
  event_id: string;
  topic: string;
  message_key: string;
  headers: Record<string, string>;
  payload: string;
}

const NOTIFY_CHANNEL = 'waybill_outbox';
// One active relay per service database; replicas wait for the session lock (released if the holder dies).
const LEADER_LOCK_SQL = `SELECT pg_try_advisory_lock(hashtext('waybill.outbox.relay')) AS locked`;

/**
 * Publishes committed outbox rows to Kafka in (xid, id) order, then marks them published.
 * A crash between the two publishes the batch again: consumers deduplicate by event id.
 */
export class OutboxRelay {
  private readonly logger = new Logger(OutboxRelay.name);
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private producer?: Producer;
  private leader?: PoolClient;
  private running = false;
  private loop?: Promise<void>;
  private wakeRequested = false;
  private wake?: () => void;
  private lastHousekeeping = 0;
  private published = 0;
  /** Cumulative milliseconds per phase, for metrics and for finding the bottleneck. */
  readonly timings = { select: 0, send: 0, mark: 0, batches: 0 };

  constructor(private readonly options: OutboxRelayOptions) {
    this.batchSize = options.batchSize ?? 1000;
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
  }

  /** Events published since start; for metrics and benchmarks. */
  get publishedCount(): number {
    return this.published;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.producer = this.options.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: true,
    });
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wake?.();
    await this.loop;
    await this.releaseLeadership();
    await this.producer?.disconnect().catch(() => undefined);
    this.logger.log(`outbox relay stopped (${this.published} events published)`);
  }

  private async run(): Promise<void> {
    let failures = 0;
    let producerConnected = false;
    while (this.running) {
      try {
        if (!producerConnected) {
          await this.producer!.connect();
          producerConnected = true;
        }
        if (!(await this.ensureLeadership())) {
          await this.idle(this.pollIntervalMs);
          continue;
        }
        const count = await this.publishBatch();
        await this.housekeepingIfDue();
        failures = 0;
        if (count < this.batchSize) await this.idle(this.pollIntervalMs);
      } catch (error) {
        failures += 1;
        const delay = Math.min(100 * 2 ** Math.min(failures, 6), 5000);
        this.logger.warn(`outbox relay: ${(error as Error).message}; retrying in ${delay} ms`);
        if (this.leader && isDatabaseUnavailable(error)) await this.releaseLeadership();
        await this.idle(delay);
      }
    }
  }

  private async publishBatch(): Promise<number> {
    let started = performance.now();
    const { rows } = await this.leader!.query<OutboxRow>(
      `SELECT id, event_id, topic, message_key, headers, payload
         FROM outbox
        WHERE published_at IS NULL AND xid < pg_snapshot_xmin(pg_current_snapshot())
        ORDER BY xid, id
        LIMIT $1`,
      [this.batchSize],
    );
    this.timings.select += performance.now() - started;
    if (rows.length === 0) return 0;

    started = performance.now();
    await this.producer!.sendBatch({ acks: -1, topicMessages: groupByTopic(rows) });
    this.timings.send += performance.now() - started;
    await this.options.afterPublish?.(rows.map((row) => row.event_id));
    started = performance.now();
    await this.leader!.query(`UPDATE outbox SET published_at = now() WHERE id = ANY($1::bigint[])`, [
      rows.map((row) => row.id),
    ]);
    this.timings.mark += performance.now() - started;
    this.timings.batches += 1;
    this.published += rows.length;
    return rows.length;
  }

  private async housekeepingIfDue(): Promise<void> {
    const interval = this.options.housekeepingIntervalMs ?? 60_000;
    if (Date.now() - this.lastHousekeeping < interval) return;
    this.lastHousekeeping = Date.now();
    const retention = `${this.options.retentionMs ?? 7 * 86_400_000} milliseconds`;
    const inboxRetention = `${this.options.inboxRetentionMs ?? 30 * 86_400_000} milliseconds`;
    // Bounded deletes keep each statement short even after a long outage.
    await this.leader!.query(
      `DELETE FROM outbox WHERE id IN (
         SELECT id FROM outbox WHERE published_at < now() - $1::interval LIMIT 10000)`,
      [retention],
    );
    await this.leader!.query(
      `DELETE FROM inbox WHERE ctid IN (
         SELECT ctid FROM inbox WHERE received_at < now() - $1::interval LIMIT 10000)`,
      [inboxRetention],
    );
  }

  private async ensureLeadership(): Promise<boolean> {
    if (this.leader) return true;
    const pool = (this.options.dataSource.driver as PostgresDriver).master as {
      connect(): Promise<PoolClient>;
    };
    const client = await pool.connect();
    try {
      const { rows } = await client.query<{ locked: boolean }>(LEADER_LOCK_SQL);
      if (!rows[0]?.locked) {
        client.release();
        return false;
      }
      client.on('notification', () => this.requestWake());
      client.on('error', (error) => {
        this.logger.warn(`outbox relay lost its database connection: ${error.message}`);
        void this.releaseLeadership(error);
      });
      await client.query(`LISTEN ${NOTIFY_CHANNEL}`);
      this.leader = client;
      return true;
    } catch (error) {
      client.release(error as Error);
      throw error;
    }
  }

  private async releaseLeadership(error?: Error): Promise<void> {
    const client = this.leader;
    this.leader = undefined;
    if (!client) return;
    client.removeAllListeners('notification');
    if (error) {
      client.release(error); // destroys the connection, which also releases the advisory lock
      return;
    }
    try {
      await client.query(`UNLISTEN ${NOTIFY_CHANNEL}`);
      await client.query(`SELECT pg_advisory_unlock_all()`);
      client.release();
    } catch (unlockError) {
      client.release(unlockError as Error);
    }
  }

  private requestWake(): void {
    this.wakeRequested = true;
    this.wake?.();
  }

  /** Sleeps until NOTIFY, stop() or the timeout, whichever comes first. */
  private idle(ms: number): Promise<void> {
    if (this.wakeRequested || !this.running) {
      this.wakeRequested = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wake = undefined;
        this.wakeRequested = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }
}

function groupByTopic(rows: readonly OutboxRow[]): TopicMessages[] {
  const byTopic = new Map<string, Message[]>();
  for (const row of rows) {
    let messages = byTopic.get(row.topic);
    if (!messages) byTopic.set(row.topic, (messages = []));
    messages.push({ key: row.message_key, value: row.payload, headers: row.headers });
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}
