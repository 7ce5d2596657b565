import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { queryRows } from '../persistence/query-rows';

export interface ReceivedWebhook {
  /** Who sent it: the provider, carrier or supplier slug from the URL. */
  readonly source: string;
  /** The sender's own event or message id; a second delivery of it is a duplicate. */
  readonly externalId: string;
  readonly eventType: string;
  /** The exact bytes that were verified. */
  readonly rawBody: Buffer;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface StoredWebhook {
  readonly id: string;
  readonly source: string;
  readonly externalId: string;
  readonly eventType: string;
  readonly rawBody: Buffer;
  readonly headers: Readonly<Record<string, string>>;
  readonly attempts: number;
  readonly receivedAt: Date;
  readonly processedAt?: Date;
  readonly lastError?: string;
}

interface WebhookRow {
  id: string;
  source: string;
  external_id: string;
  event_type: string;
  raw_body: Buffer;
  headers: Record<string, string>;
  attempts: number;
  received_at: Date;
  processed_at: Date | null;
  last_error: string | null;
}

const COLUMNS = `id, source, external_id, event_type, raw_body, headers, attempts, received_at, processed_at, last_error`;

/**
 * Headers that authenticate a caller to us rather than describe the webhook: never stored, so a
 * database dump does not hand out credentials.
 */
const UNSTORED_HEADERS = new Set(['authorization', 'cookie', 'proxy-authorization', 'x-api-key']);

export function storableHeaders(
  headers: Readonly<Record<string, string>> | undefined,
): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const lower = name.toLowerCase();
    if (!UNSTORED_HEADERS.has(lower)) {
      kept[lower] = value;
    }
  }
  return kept;
}

function toStoredWebhook(row: WebhookRow): StoredWebhook {
  return {
    id: row.id,
    source: row.source,
    externalId: row.external_id,
    eventType: row.event_type,
    rawBody: row.raw_body,
    headers: row.headers,
    attempts: row.attempts,
    receivedAt: row.received_at,
    processedAt: row.processed_at ?? undefined,
    lastError: row.last_error ?? undefined,
  };
}

/** The SQL of the webhook inbox; WebhookInbox, WebhookInboxWorker and WebhookIngress are its only users. */
@Injectable()
export class WebhookInboxStore {
  constructor(private readonly dataSource: DataSource) {}

  /** Undefined when this (source, external id) was stored before: it is not stored again. */
  insert(webhook: ReceivedWebhook): Promise<string | undefined> {
    return this.insertRow(this.dataSource, webhook, false);
  }

  /**
   * Stores a webhook applied in this same transaction (a source applied in the request): it is
   * processed already, so no worker claims it, and a rollback takes the dedup row with the effect.
   * Undefined when this (source, external id) was stored before.
   */
  insertApplied(manager: EntityManager, webhook: ReceivedWebhook): Promise<string | undefined> {
    return this.insertRow(manager, webhook, true);
  }

  private async insertRow(
    queryable: DataSource | EntityManager,
    webhook: ReceivedWebhook,
    applied: boolean,
  ): Promise<string | undefined> {
    const rows = await queryable.query<{ id: string }[]>(
      `INSERT INTO webhook_inbox (source, external_id, event_type, raw_body, headers, processed_at, attempts)
       VALUES ($1, $2, $3, $4, $5, CASE WHEN $6::boolean THEN now() END, CASE WHEN $6::boolean THEN 1 ELSE 0 END)
       ON CONFLICT (source, external_id) DO NOTHING
       RETURNING id`,
      [
        webhook.source,
        webhook.externalId,
        webhook.eventType,
        webhook.rawBody,
        JSON.stringify(storableHeaders(webhook.headers)),
        applied,
      ],
    );
    return rows[0]?.id;
  }

  async idOf(source: string, externalId: string): Promise<string | undefined> {
    const rows = await this.dataSource.query<{ id: string }[]>(
      `SELECT id FROM webhook_inbox WHERE source = $1 AND external_id = $2`,
      [source, externalId],
    );
    return rows[0]?.id;
  }

  async find(id: string): Promise<StoredWebhook | undefined> {
    if (!/^\d{1,18}$/.test(id)) {
      return undefined;
    }
    const rows = await this.dataSource.query<WebhookRow[]>(
      `SELECT ${COLUMNS} FROM webhook_inbox WHERE id = $1`,
      [id],
    );
    return rows[0] ? toStoredWebhook(rows[0]) : undefined;
  }

  /** Due again now, whether it was processed or still waiting for its next attempt. */
  async markDue(id: string, source: string): Promise<boolean> {
    if (!/^\d{1,18}$/.test(id)) {
      return false;
    }
    const rows = await queryRows(
      this.dataSource,
      `UPDATE webhook_inbox SET processed_at = NULL, next_attempt_at = now()
       WHERE id = $1 AND source = $2 RETURNING id`,
      [id, source],
    );
    return rows.length === 1;
  }

  /** The oldest due webhook, locked; other replicas' workers skip it. */
  async claimNext(manager: EntityManager): Promise<StoredWebhook | undefined> {
    const rows = await manager.query<WebhookRow[]>(
      `SELECT ${COLUMNS} FROM webhook_inbox
       WHERE processed_at IS NULL AND next_attempt_at <= now()
       ORDER BY next_attempt_at, id
       LIMIT 1
       FOR UPDATE SKIP LOCKED`,
    );
    return rows[0] ? toStoredWebhook(rows[0]) : undefined;
  }

  async markProcessed(manager: EntityManager, id: string): Promise<void> {
    await manager.query(
      `UPDATE webhook_inbox SET processed_at = now(), attempts = attempts + 1, last_error = NULL WHERE id = $1`,
      [id],
    );
  }

  /** The webhook waits `delayMs`, then is tried again. */
  async markFailed(manager: EntityManager, id: string, error: string, delayMs: number): Promise<void> {
    await manager.query(
      `UPDATE webhook_inbox
       SET attempts = attempts + 1, last_error = $2, next_attempt_at = now() + ($3 || ' milliseconds')::interval
       WHERE id = $1`,
      [id, error.slice(0, 1000), String(delayMs)],
    );
  }

  /**
   * Processed webhooks older than the retention are deleted; kept that long so a sender's late
   * retry of the same event id is still recognised as a duplicate.
   */
  async purgeProcessed(retentionHours: number): Promise<number> {
    const rows = await queryRows(
      this.dataSource,
      `DELETE FROM webhook_inbox
       WHERE processed_at IS NOT NULL AND received_at < now() - ($1 || ' hours')::interval
       RETURNING id`,
      [String(retentionHours)],
    );
    return rows.length;
  }
}
