import {
  BeforeApplicationShutdown,
  Optional,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  Provider,
  Type,
} from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Metrics, WebhookOutcomes } from '@waybill/platform';
import { databaseCountGauge } from '../metrics/eventing-metrics';
import type { SqlQueryable } from '../persistence/query-rows';
import { UnitOfWork, UnitsOfWork } from '../unit-of-work/unit-of-work';
import { WebhookInbox1764200000000 } from './1764200000000-webhook-inbox';
import { ReceivedWebhook, StoredWebhook, WebhookInboxStore } from './webhook-inbox.store';

export type { ReceivedWebhook, StoredWebhook } from './webhook-inbox.store';

/** Add to a service's migrations when it receives webhooks. */
export const WEBHOOK_INBOX_MIGRATIONS = [WebhookInbox1764200000000];

/**
 * What a service does with one stored webhook. It runs in the worker's transaction, as a unit of
 * work (its events go to that transaction's outbox); throwing undoes its effect and schedules a
 * retry.
 */
export interface WebhookHandler {
  handle(uow: UnitOfWork, webhook: StoredWebhook): Promise<void>;
}

export interface WebhookInboxOptions {
  /** How often the worker looks for due webhooks besides being woken by a new one. */
  readonly pollIntervalMs?: number;
  /** The longest wait between two attempts at a failing webhook. */
  readonly maxBackoffMs?: number;
  /** How long processed webhooks are kept for deduplication. */
  readonly retentionHours?: number;
}

export const WEBHOOK_HANDLER = Symbol('WEBHOOK_HANDLER');
export const WEBHOOK_INBOX_OPTIONS = Symbol('WEBHOOK_INBOX_OPTIONS');

const DEFAULTS: Required<WebhookInboxOptions> = {
  pollIntervalMs: 5000,
  maxBackoffMs: 5 * 60_000,
  // Stripe retries for three days, carriers and suppliers less: a month covers every sender.
  retentionHours: 30 * 24,
};
const PURGE_EVERY_MS = 60 * 60_000;

/**
 * `waybill_webhooks_failing{source}`, read at scrape time. A webhook that keeps failing is retried
 * (backoff up to maxBackoffMs) until it succeeds or an operator replays or fixes it: this is what
 * tells them to look.
 */
export function webhookInboxMetrics(metrics: Metrics, db: SqlQueryable): void {
  databaseCountGauge(metrics, db, {
    name: 'waybill_webhooks_failing',
    help: 'Stored webhooks whose processing failed and that wait for another attempt, by source',
    labelName: 'source',
    labels: [],
    sql: `SELECT source AS label, count(*) AS count FROM webhook_inbox
           WHERE processed_at IS NULL AND attempts > 0 GROUP BY source`,
  });
}

/**
 * Processes stored webhooks in the background: woken right after one is stored, and sweeping
 * periodically for leftovers (a crash between answering and processing, a failed attempt, a
 * replay). One transaction per webhook: the handler's effect, its outbox rows and the mark.
 */
@Injectable()
export class WebhookInboxWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(WebhookInboxWorker.name);
  private readonly options: Required<WebhookInboxOptions>;
  private timer?: NodeJS.Timeout;
  private draining?: Promise<void>;
  private again = false;
  private stopped = true;
  private lastPurge = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly store: WebhookInboxStore,
    private readonly unitsOfWork: UnitsOfWork,
    @Inject(WEBHOOK_HANDLER) private readonly handler: WebhookHandler,
    @Inject(WEBHOOK_INBOX_OPTIONS) options: WebhookInboxOptions,
    @Optional() metrics?: Metrics,
  ) {
    this.options = { ...DEFAULTS, ...options };
    if (metrics) {
      webhookInboxMetrics(metrics, dataSource);
    }
  }

  onApplicationBootstrap(): void {
    this.stopped = false;
    this.timer = setInterval(() => this.wake(), this.options.pollIntervalMs);
    this.wake();
  }

  // Before shutdown: a drain holds pooled connections, and the pool closes on shutdown.
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.draining;
  }

  /** Starts a drain, or asks the running one to look again once it is done. */
  wake(): void {
    if (this.stopped) {
      return;
    }
    if (this.draining) {
      this.again = true;
      return;
    }
    this.draining = this.drain().finally(() => {
      this.draining = undefined;
      if (this.again) {
        this.again = false;
        this.wake();
      }
    });
  }

  private async drain(): Promise<void> {
    try {
      while (!this.stopped && (await this.processOne())) {
        // next webhook
      }
      if (!this.stopped && Date.now() - this.lastPurge > PURGE_EVERY_MS) {
        this.lastPurge = Date.now();
        await this.store.purgeProcessed(this.options.retentionHours);
      }
    } catch (error) {
      // The database is away; the next poll tries again.
      this.logger.error(`webhook processing stopped: ${(error as Error).message}`);
    }
  }

  /** False when nothing was due. */
  private async processOne(): Promise<boolean> {
    return await this.dataSource.transaction(async (manager) => {
      const webhook = await this.store.claimNext(manager);
      if (!webhook) {
        return false;
      }
      try {
        await manager.query('SAVEPOINT apply_webhook');
        await this.handler.handle(this.unitsOfWork.within(manager), webhook);
        await this.store.markProcessed(manager, webhook.id);
      } catch (error) {
        // Undo the partial effect but keep the row's lock, and schedule another attempt.
        await manager.query('ROLLBACK TO SAVEPOINT apply_webhook');
        const delay = Math.min(this.options.maxBackoffMs, 1000 * 2 ** Math.min(webhook.attempts, 20));
        const message = error instanceof Error ? error.message : String(error);
        this.logger.warn(
          `webhook ${webhook.source}/${webhook.id} failed (attempt ${webhook.attempts + 1}): ${message}`,
        );
        await this.store.markFailed(manager, webhook.id, message, delay);
      }
      return true;
    });
  }
}

/** What WebhookIngress uses for sources applied in the background: store, look up, replay. */
@Injectable()
export class WebhookInbox {
  private readonly outcomes: WebhookOutcomes;

  constructor(
    private readonly rows: WebhookInboxStore,
    private readonly worker: WebhookInboxWorker,
    @Optional() outcomes?: WebhookOutcomes,
  ) {
    this.outcomes = outcomes ?? new WebhookOutcomes();
  }

  /**
   * Stores a verified webhook and wakes the worker. A second delivery of the same (source,
   * external id) is not stored again: `duplicate` is true and `id` is the first one's.
   */
  async store(webhook: ReceivedWebhook): Promise<{ id: string; duplicate: boolean }> {
    const id = await this.rows.insert(webhook);
    if (id === undefined) {
      this.outcomes.duplicate(webhook.source);
    } else {
      this.outcomes.verified(webhook.source);
    }
    if (id !== undefined) {
      this.worker.wake();
      return { id, duplicate: false };
    }
    const existing = await this.rows.idOf(webhook.source, webhook.externalId);
    // Only a purge between the two statements leaves nothing; the sender's retry will store it.
    return { id: existing ?? '', duplicate: true };
  }

  find(id: string): Promise<StoredWebhook | undefined> {
    return this.rows.find(id);
  }

  /** Processes a stored webhook again (an operator's replay); undefined when `source` has no such id. */
  async replay(source: string, id: string): Promise<StoredWebhook | undefined> {
    if (!(await this.rows.markDue(id, source))) {
      return undefined;
    }
    this.worker.wake();
    return await this.rows.find(id);
  }
}

/** The inbox, its worker and the service's handler, for a service module's `providers`. */
export function webhookInboxProviders(
  handler: Type<WebhookHandler>,
  options: WebhookInboxOptions = {},
): Provider[] {
  return [
    handler,
    { provide: WEBHOOK_HANDLER, useExisting: handler },
    { provide: WEBHOOK_INBOX_OPTIONS, useValue: options },
    WebhookInboxStore,
    WebhookInboxWorker,
    WebhookInbox,
  ];
}
