import { Logger } from '@nestjs/common';
import { Client, ClientConfig } from 'pg';
import { DataSource } from 'typeorm';
import { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { BackgroundLoop } from '@waybill/platform';
import type { SqlQueryable } from './query-rows';

/** Channel names are SQL identifiers in LISTEN: keep them to these characters. */
const CHANNEL = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Announces, from inside a transaction, that work is waiting for a listener. PostgreSQL delivers
 * the notification when the transaction commits and drops it when it rolls back, so a listener
 * woken by it always finds the committed rows: no timer guessing when the commit will be.
 */
export async function notifyAtCommit(manager: SqlQueryable, channel: string): Promise<void> {
  await manager.query(`SELECT pg_notify($1, '')`, [channel]);
}

export interface CommitListenerOptions {
  readonly dataSource: DataSource;
  readonly channel: string;
  readonly onNotify: () => void;
  /** First wait before reconnecting after the connection is lost; doubles up to 30 s. */
  readonly reconnectDelayMs?: number;
}

/**
 * LISTENs on one channel over a connection of its own (outside the pool, so it never takes one
 * from the service's transactions) and calls `onNotify` for each notification. A lost connection
 * is reopened with backoff, and `onNotify` is called once it is back: notifications sent while it
 * was away are gone, so the listener's owner looks for waiting work then. The owner still polls
 * slowly too, for what no notification announced (rows written before it started listening).
 */
export class CommitListener {
  private readonly logger: Logger;
  private client?: Client;
  private stopped = true;
  private retry?: NodeJS.Timeout;
  private delayMs: number;

  constructor(private readonly options: CommitListenerOptions) {
    if (!CHANNEL.test(options.channel)) {
      throw new Error(`invalid notification channel ${JSON.stringify(options.channel)}`);
    }
    this.logger = new Logger(`CommitListener:${options.channel}`);
    this.delayMs = options.reconnectDelayMs ?? 500;
  }

  start(): void {
    this.stopped = false;
    void this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.stopped) {
      return;
    }
    const client = new Client(connectionConfig(this.options.dataSource));
    client.on('notification', () => this.options.onNotify());
    client.on('error', (error) => this.lost(client, error));
    try {
      await client.connect();
      await client.query(`LISTEN ${this.options.channel}`);
    } catch (error) {
      this.lost(client, error as Error);
      return;
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.delayMs = this.options.reconnectDelayMs ?? 500;
    // Whatever was announced while no one listened is found now.
    this.options.onNotify();
  }

  private lost(client: Client, error: Error): void {
    client.removeAllListeners('notification');
    void client.end().catch(() => undefined);
    if (this.client === client) {
      this.client = undefined;
    }
    if (this.stopped || this.retry) {
      return;
    }
    this.logger.warn(`listening connection lost (${error.message}); reconnecting in ${this.delayMs} ms`);
    this.retry = setTimeout(() => {
      this.retry = undefined;
      void this.connect();
    }, this.delayMs);
    this.retry.unref();
    this.delayMs = Math.min(this.delayMs * 2, 30_000);
  }
}

/** The pool's own connection settings (URL, host, credentials, TLS), for a connection beside it. */
function connectionConfig(dataSource: DataSource): ClientConfig {
  const pool = (dataSource.driver as PostgresDriver).master as { options: ClientConfig };
  return { ...pool.options, application_name: 'waybill-listener' };
}

export interface CommitWokenLoopOptions {
  /** For logs: what the loop does, e.g. `purchase order dispatch`. */
  readonly name: string;
  readonly dataSource: DataSource;
  /** The channel the writers notify at commit (notifyAtCommit). */
  readonly channel: string;
  /** The slow poll, for work no notification announced (retries falling due, rows from before start). */
  readonly pollIntervalMs: number;
  readonly work: (shouldContinue: () => boolean) => Promise<void>;
  readonly logger: Logger;
}

/**
 * A background loop woken by commits on `channel` and by a slow poll: the shape of every worker
 * that sends what a transaction left to send (purchase orders, tracking subscriptions). Started,
 * it runs once at once (work may be waiting from before the start), then listens.
 */
export class CommitWokenLoop {
  private readonly loop: BackgroundLoop;
  private readonly listener: CommitListener;

  constructor(options: CommitWokenLoopOptions) {
    this.loop = new BackgroundLoop(options.name, options.pollIntervalMs, options.work, options.logger);
    this.listener = new CommitListener({
      dataSource: options.dataSource,
      channel: options.channel,
      onNotify: () => this.loop.kick(),
    });
  }

  start(): void {
    this.loop.start();
    this.loop.kick();
    this.listener.start();
  }

  async stop(): Promise<void> {
    await this.listener.stop();
    await this.loop.stop();
  }
}
