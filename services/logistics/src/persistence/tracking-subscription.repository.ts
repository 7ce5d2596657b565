import { Injectable } from '@nestjs/common';
import { queryRows } from '@waybill/eventing';
import { EntityManager } from 'typeorm';

/** The pg_notify channel a booking that adds a subscription wakes the worker on (at its commit). */
export const TRACKING_SUBSCRIPTION_CHANNEL = 'waybill_tracking_subscriptions';

export type TrackingSubscriptionStatus = 'pending' | 'subscribed' | 'failed';

export interface TrackingSubscription {
  readonly shipmentId: string;
  /** The aggregator: `kuaidi100`. */
  readonly provider: string;
  /** The aggregator's code for the booking carrier. */
  readonly company: string;
  readonly trackingNumber: string;
  /** Last 4 digits only. */
  readonly phone?: string;
  readonly status: TrackingSubscriptionStatus;
  /** Attempts since the row last became pending (an abort starts the count again). */
  readonly attempts: number;
  readonly nextAttemptAt: Date;
  readonly lastError?: string;
  readonly subscribedAt?: Date;
}

type Row = Record<string, unknown>;

const COLUMNS = `shipment_id, provider, company, tracking_number, phone, status, attempts, next_attempt_at,
  last_error, subscribed_at`;

function toSubscription(row: Row): TrackingSubscription {
  return {
    shipmentId: row.shipment_id as string,
    provider: row.provider as string,
    company: row.company as string,
    trackingNumber: row.tracking_number as string,
    phone: typeof row.phone === 'string' ? row.phone : undefined,
    status: row.status as TrackingSubscriptionStatus,
    attempts: row.attempts as number,
    nextAttemptAt: row.next_attempt_at as Date,
    lastError: typeof row.last_error === 'string' ? row.last_error : undefined,
    subscribedAt: row.subscribed_at instanceof Date ? row.subscribed_at : undefined,
  };
}

/**
 * Tracking subscriptions in SQL. Every time is given by the caller (the worker's clock), never the
 * database's `now()`, so a test moves time instead of waiting.
 */
@Injectable()
export class TrackingSubscriptionRepository {
  /** In the booking's transaction; the notification reaches the worker when it commits. */
  async add(
    manager: EntityManager,
    subscription: Pick<
      TrackingSubscription,
      'shipmentId' | 'provider' | 'company' | 'trackingNumber' | 'phone'
    >,
    dueAt: Date,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO tracking_subscriptions (shipment_id, provider, company, tracking_number, phone, next_attempt_at)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (shipment_id) DO NOTHING`,
      [
        subscription.shipmentId,
        subscription.provider,
        subscription.company,
        subscription.trackingNumber,
        subscription.phone ?? null,
        dueAt,
      ],
    );
    await manager.query(`SELECT pg_notify($1, '')`, [TRACKING_SUBSCRIPTION_CHANNEL]);
  }

  /**
   * Leases up to `limit` pending rows due at `now`: their next attempt moves `leaseMs` ahead and
   * their attempt count up, committed at once, so the call runs outside any transaction and other
   * instances skip them meanwhile. A crash mid-call leaves the lease to run out, and it is retried.
   */
  async leaseDue(
    manager: EntityManager,
    now: Date,
    limit: number,
    leaseMs: number,
  ): Promise<TrackingSubscription[]> {
    const rows = await queryRows<Row>(
      manager,
      `UPDATE tracking_subscriptions
          SET next_attempt_at = $1::timestamptz + make_interval(secs => $3 / 1000.0),
              attempts = attempts + 1, updated_at = $1
        WHERE shipment_id IN (SELECT shipment_id FROM tracking_subscriptions
                               WHERE status = 'pending' AND next_attempt_at <= $1
                               ORDER BY next_attempt_at LIMIT $2 FOR UPDATE SKIP LOCKED)
        RETURNING ${COLUMNS}`,
      [now, limit, leaseMs],
    );
    return rows.map(toSubscription);
  }

  /**
   * The outcome of the attempt `leased` stands for. Only while the row is still that lease (same
   * attempt count, still pending): an abort that arrived meanwhile reset it, and wins.
   */
  async settle(
    manager: EntityManager,
    leased: TrackingSubscription,
    now: Date,
    outcome:
      | { readonly status: 'subscribed' }
      | { readonly status: 'failed'; readonly error: string }
      | { readonly status: 'pending'; readonly error: string; readonly retryAt: Date },
  ): Promise<boolean> {
    const rows = await queryRows<Row>(
      manager,
      `UPDATE tracking_subscriptions
          SET status = $3::text, updated_at = $4,
              subscribed_at = CASE WHEN $3 = 'subscribed' THEN $4 ELSE subscribed_at END,
              last_error = CASE WHEN $3 = 'subscribed' THEN NULL ELSE $5 END,
              next_attempt_at = COALESCE($6::timestamptz, next_attempt_at)
        WHERE shipment_id = $1 AND attempts = $2 AND status = 'pending'
        RETURNING shipment_id`,
      [
        leased.shipmentId,
        leased.attempts,
        outcome.status,
        now,
        outcome.status === 'subscribed' ? null : outcome.error,
        outcome.status === 'pending' ? outcome.retryAt : null,
      ],
    );
    return rows.length === 1;
  }

  /**
   * The aggregator stopped tracking the parcel (Kuaidi100 abort): pending again from `dueAt`, the
   * count started afresh. False when no subscription of this provider has that number.
   */
  async resubscribeAt(
    manager: EntityManager,
    provider: string,
    trackingNumber: string,
    dueAt: Date,
    reason: string,
  ): Promise<boolean> {
    const rows = await queryRows<Row>(
      manager,
      `UPDATE tracking_subscriptions
          SET status = 'pending', attempts = 0, next_attempt_at = $3, last_error = $4, updated_at = now()
        WHERE provider = $1 AND tracking_number = $2 AND status <> 'failed'
        RETURNING shipment_id`,
      [provider, trackingNumber, dueAt, reason],
    );
    return rows.length > 0;
  }

  async find(manager: EntityManager, shipmentId: string): Promise<TrackingSubscription | undefined> {
    const rows = await manager.query<Row[]>(
      `SELECT ${COLUMNS} FROM tracking_subscriptions WHERE shipment_id = $1`,
      [shipmentId],
    );
    return rows[0] ? toSubscription(rows[0]) : undefined;
  }
}
