import { Logger } from '@nestjs/common';
import { Kafka, Message, TopicMessages } from 'kafkajs';
import { PoolClient } from 'pg';
import { DataSource } from 'typeorm';
import { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { isDatabaseUnavailable } from '../consumer/failure-policy';
import { ReplaceableProducer, ReplaceableProducerOptions } from '../kafka/replaceable-producer';

export interface OutboxRelayOptions {
  readonly dataSource: DataSource;
  readonly kafka: Kafka;
  /** Rows per Kafka batch (default 1000). */
  readonly batchSize?: number;
  /** The fallback poll when no NOTIFY arrives (default 1000 ms). */
  readonly pollIntervalMs?: number;
  /** How long published rows stay for inspection (and replay) before they are deleted (default 7 days). */
  readonly retentionMs?: number;
  /** How long inbox rows are kept to recognise redeliveries (default 30 days). */
  readonly inboxRetentionMs?: number;
  readonly housekeepingIntervalMs?: number;
  /** Called after Kafka acknowledged a batch and before the position moves; fault tests kill the process here. */
  readonly afterPublish?: (eventIds: readonly string[]) => Promise<void> | void;
  /** Told the `ce_type` of every event Kafka acknowledged, for metrics. */
  readonly onPublished?: (types: readonly string[]) => void;
  /** Told when a failed send threw its producer away (the relay goes on with a new producer id). */
  readonly onProducerReplaced?: ReplaceableProducerOptions['onReplaced'];
}

interface OutboxRow {
  id: string;
  xid: string;
  event_id: string;
  topic: string;
  message_key: string;
  headers: Record<string, string>;
  payload: string;
}

/** How far the relay has published: the last (xid, id) Kafka acknowledged. */
interface Position {
  readonly xid: string;
  readonly id: string;
}

const NOTIFY_CHANNEL = 'waybill_outbox';
// One active relay per service database; replicas wait for the session lock (released if the holder dies).
const LEADER_LOCK_SQL = `SELECT pg_try_advisory_lock(hashtext('waybill.outbox.relay')) AS locked`;
// Only rows below the snapshot's xmin: no transaction still running can add a row before them.
// ORDER BY names the table's columns: a bare `xid` would be the text output column, which sorts
// '1000' before '999' (a batch cut there moves the position past unpublished rows) and cannot use
// the (xid, id) index, so every read sorted the whole backlog.
const NEXT_BATCH_SQL = `
  SELECT id, xid::text AS xid, event_id, topic, message_key, headers, payload
    FROM outbox
   WHERE (xid, id) > ($1::xid8, $2::bigint) AND xid < pg_snapshot_xmin(pg_current_snapshot())
   ORDER BY outbox.xid, outbox.id
   LIMIT $3`;

/**
 * Publishes committed outbox rows to Kafka in (xid, id) order and then moves its position past
 * them. A crash between the two publishes the batch again: consumers deduplicate by event id.
 *
 * While Kafka acknowledges one batch the next is already being read, so the database and the
 * broker work side by side; the position only ever moves past batches Kafka acknowledged.
 */
export interface OutboxRelayStatus {
  readonly running: boolean;
  readonly leader: boolean;
  readonly consecutiveFailures: number;
  readonly lastError?: string;
}

export class OutboxRelay {
  private readonly logger = new Logger(OutboxRelay.name);
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private producer?: ReplaceableProducer;
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

  private consecutiveFailures = 0;
  private lastError?: string;

  /** Events published since start; for metrics and benchmarks. */
  get publishedCount(): number {
    return this.published;
  }

  /**
   * For readiness: whether the loop runs, whether this replica holds the relay lock (the others
   * wait as standbys, which is healthy), and how many loops in a row have failed.
   */
  get status(): OutboxRelayStatus {
    return {
      running: this.running,
      leader: this.leader !== undefined,
      consecutiveFailures: this.consecutiveFailures,
      ...(this.lastError !== undefined && { lastError: this.lastError }),
    };
  }

  start(): void {
    if (this.running) {
      return;
    }
    this.running = true;
    this.producer = new ReplaceableProducer({
      kafka: this.options.kafka,
      role: 'relay',
      config: { allowAutoTopicCreation: true },
      onReplaced: this.options.onProducerReplaced,
    });
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    if (!this.running) {
      return;
    }
    this.running = false;
    this.wake?.();
    await this.loop;
    await this.releaseLeadership();
    await this.producer?.disconnect();
    this.logger.log(`outbox relay stopped (${this.published} events published)`);
  }

  private async run(): Promise<void> {
    const producer = this.producer;
    if (!producer) {
      return; // start() creates it before the loop; without it there is nothing to publish with
    }
    while (this.running) {
      try {
        await producer.connect();
        const client = await this.ensureLeadership();
        if (!client) {
          await this.idle(this.pollIntervalMs);
          continue;
        }
        await this.publishUntilIdle(client, producer);
        this.recovered();
      } catch (error) {
        const failures = (this.consecutiveFailures += 1);
        this.lastError = (error as Error).message;
        const delay = Math.min(100 * 2 ** Math.min(failures, 6), 5000);
        this.logger.warn(`outbox relay: ${(error as Error).message}; retrying in ${delay} ms`);
        if (this.leader && isDatabaseUnavailable(error)) {
          await this.releaseLeadership();
        }
        await this.idle(delay);
      }
    }
  }

  /**
   * Publishes batch after batch from the stored position (re-read on every entry, so a new leader
   * or a retry after a failure starts from what Kafka acknowledged), idling when caught up.
   */
  private async publishUntilIdle(client: PoolClient, producer: ReplaceableProducer): Promise<void> {
    let position = await this.readPosition(client);
    let pending = this.selectAfter(client, position);
    try {
      while (this.running) {
        const rows = await pending;
        if (rows.length === 0) {
          this.recovered();
          await this.housekeepingIfDue(client);
          await this.idle(this.pollIntervalMs);
          pending = this.selectAfter(client, position);
          continue;
        }
        const last = rows[rows.length - 1];
        const next: Position = { xid: last.xid, id: last.id };
        // A full batch means more is probably waiting: read it while Kafka takes this one.
        pending = rows.length === this.batchSize ? this.selectAfter(client, next) : Promise.resolve([]);

        const started = performance.now();
        await producer.sendBatch({ acks: -1, topicMessages: groupByTopic(rows) });
        this.timings.send += performance.now() - started;
        this.recovered();
        await this.options.afterPublish?.(rows.map((row) => row.event_id));
        await this.savePosition(client, next);
        position = next;
        await this.housekeepingIfDue(client);
        this.timings.batches += 1;
        this.published += rows.length;
        this.options.onPublished?.(rows.map((row) => row.headers.ce_type ?? 'unknown'));
        // After a partial batch the loop idles: a NOTIFY that came during the send ends the idle
        // at once, and without one there is nothing new to read (a read now would be wasted).
      }
    } finally {
      // A read still in flight must not surface as an unhandled rejection after a failure.
      pending.catch(() => undefined);
    }
  }

  /** Progress was made: a backoff starts again from its first step, and readiness clears. */
  private recovered(): void {
    this.consecutiveFailures = 0;
    this.lastError = undefined;
  }

  private async selectAfter(client: PoolClient, position: Position): Promise<OutboxRow[]> {
    const started = performance.now();
    const { rows } = await client.query<OutboxRow>(NEXT_BATCH_SQL, [
      position.xid,
      position.id,
      this.batchSize,
    ]);
    this.timings.select += performance.now() - started;
    return rows;
  }

  private async readPosition(client: PoolClient): Promise<Position> {
    const { rows } = await client.query<Position>(
      `SELECT xid::text AS xid, id::text AS id FROM outbox_relay_position`,
    );
    return rows[0] ?? { xid: '0', id: '0' };
  }

  private async savePosition(client: PoolClient, position: Position): Promise<void> {
    const started = performance.now();
    await client.query(
      `INSERT INTO outbox_relay_position (singleton, xid, id, updated_at) VALUES (true, $1, $2, now())
       ON CONFLICT (singleton) DO UPDATE SET xid = excluded.xid, id = excluded.id, updated_at = now()`,
      [position.xid, position.id],
    );
    this.timings.mark += performance.now() - started;
  }

  private async housekeepingIfDue(client: PoolClient): Promise<void> {
    const interval = this.options.housekeepingIntervalMs ?? 60_000;
    if (Date.now() - this.lastHousekeeping < interval) {
      return;
    }
    this.lastHousekeeping = Date.now();
    const retention = `${this.options.retentionMs ?? 7 * 86_400_000} milliseconds`;
    const inboxRetention = `${this.options.inboxRetentionMs ?? 30 * 86_400_000} milliseconds`;
    // Bounded deletes keep each statement short even after a long outage.
    await client.query(
      `DELETE FROM outbox WHERE id IN (
         SELECT o.id FROM outbox o, outbox_relay_position p
          WHERE (o.xid, o.id) <= (p.xid, p.id) AND o.created_at < now() - $1::interval LIMIT 10000)`,
      [retention],
    );
    await client.query(
      `DELETE FROM inbox WHERE ctid IN (
         SELECT ctid FROM inbox WHERE received_at < now() - $1::interval LIMIT 10000)`,
      [inboxRetention],
    );
  }

  /** The leader's connection, or undefined while another instance leads. */
  private async ensureLeadership(): Promise<PoolClient | undefined> {
    if (this.leader) {
      return this.leader;
    }
    const pool = (this.options.dataSource.driver as PostgresDriver).master as {
      connect(): Promise<PoolClient>;
    };
    const client = await pool.connect();
    try {
      const { rows } = await client.query<{ locked: boolean }>(LEADER_LOCK_SQL);
      if (!rows[0]?.locked) {
        client.release();
        return undefined;
      }
      client.on('notification', () => this.requestWake());
      client.on('error', (error) => {
        this.logger.warn(`outbox relay lost its database connection: ${error.message}`);
        void this.releaseLeadership(error);
      });
      await client.query(`LISTEN ${NOTIFY_CHANNEL}`);
      // The position is only a bookmark: if the database loses its last moves in a crash, the
      // relay publishes those batches again and consumers skip them by event id. So moving it need
      // not wait for a WAL flush, which at a steady trickle of small batches is most of its cost.
      await client.query(`SET synchronous_commit TO off`);
      this.leader = client;
      return client;
    } catch (error) {
      client.release(error as Error);
      throw error;
    }
  }

  private async releaseLeadership(error?: Error): Promise<void> {
    const client = this.leader;
    this.leader = undefined;
    if (!client) {
      return;
    }
    client.removeAllListeners('notification');
    if (error) {
      client.release(error); // destroys the connection, which also releases the advisory lock
      return;
    }
    try {
      await client.query(`UNLISTEN ${NOTIFY_CHANNEL}`);
      // The connection goes back to the pool: the service's own transactions must stay durable.
      await client.query(`RESET synchronous_commit`);
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
    if (!messages) {
      byTopic.set(row.topic, (messages = []));
    }
    messages.push({ key: row.message_key, value: row.payload, headers: row.headers });
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}
