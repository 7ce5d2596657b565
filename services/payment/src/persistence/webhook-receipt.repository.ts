import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

export interface WebhookReceipt {
  readonly id: string;
  readonly provider: string;
  readonly providerEventId: string;
  readonly rawBody: Buffer;
  readonly attempts: number;
}

/** Raw copies of verified provider webhooks, deduplicated by (provider, provider event id). */
@Injectable()
export class WebhookReceiptRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** False when this provider event was already received: it is not stored or processed again. */
  async insert(
    provider: string,
    providerEventId: string,
    eventType: string,
    rawBody: Buffer,
  ): Promise<boolean> {
    const rows = await this.dataSource.query<unknown[]>(
      `INSERT INTO webhook_receipts (provider, provider_event_id, event_type, raw_body)
       VALUES ($1, $2, $3, $4)
       ON CONFLICT (provider, provider_event_id) DO NOTHING
       RETURNING id`,
      [provider, providerEventId, eventType, rawBody],
    );
    return rows.length === 1;
  }

  /** The oldest due receipt, locked; concurrent workers (other replicas) skip it. */
  async claimNext(manager: EntityManager): Promise<WebhookReceipt | undefined> {
    const rows = await manager.query<
      { id: string; provider: string; provider_event_id: string; raw_body: Buffer; attempts: number }[]
    >(
      `SELECT id, provider, provider_event_id, raw_body, attempts FROM webhook_receipts
       WHERE processed_at IS NULL AND next_attempt_at <= now()
       ORDER BY next_attempt_at, id
       LIMIT 1
       FOR UPDATE SKIP LOCKED`,
    );
    const row = rows[0];
    return row
      ? {
          id: row.id,
          provider: row.provider,
          providerEventId: row.provider_event_id,
          rawBody: row.raw_body,
          attempts: row.attempts,
        }
      : undefined;
  }

  async markProcessed(manager: EntityManager, id: string): Promise<void> {
    await manager.query(
      `UPDATE webhook_receipts SET processed_at = now(), attempts = attempts + 1 WHERE id = $1`,
      [id],
    );
  }

  /** The receipt waits `delayMs`, then is tried again. */
  async markFailed(manager: EntityManager, id: string, error: string, delayMs: number): Promise<void> {
    await manager.query(
      `UPDATE webhook_receipts
       SET attempts = attempts + 1, last_error = $2, next_attempt_at = now() + ($3 || ' milliseconds')::interval
       WHERE id = $1`,
      [id, error.slice(0, 1000), String(delayMs)],
    );
  }
}
