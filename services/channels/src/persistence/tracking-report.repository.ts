import { Injectable } from '@nestjs/common';
import { queryRows, SqlQueryable } from '@waybill/eventing';

/** The pg_notify channel a commit that adds a tracking report wakes the dispatcher on. */
export const TRACKING_REPORT_CHANNEL = 'waybill_channel_tracking_reports';

/** A parcel as logistics announced it (shipment.created). */
export interface ShipmentFacts {
  readonly waybillOrderId: string;
  readonly shipmentId: string;
  readonly carrier: string;
  readonly trackingNumber: string;
  readonly trackingUrl?: string;
  readonly shippedAt: Date;
}

export type TrackingReportStatus = 'pending' | 'reported' | 'failed';

/** A report leased for dispatch, with what the call needs of its channel order. */
export interface LeasedTrackingReport {
  readonly id: string;
  readonly channelOrderId: string;
  readonly connectionId: string;
  readonly externalOrderId: string;
  readonly carrier: string;
  readonly trackingNumber: string;
  readonly trackingUrl: string | null;
  readonly shippedAt: Date;
  readonly attempts: number;
  /** What the platform answered for an earlier parcel of the same order: this one updates it. */
  readonly previousPlatformRef: string | null;
}

export interface TrackingReportView {
  readonly id: string;
  readonly shipmentId: string;
  readonly carrier: string;
  readonly trackingNumber: string;
  readonly status: TrackingReportStatus;
  readonly attempts: number;
  readonly lastError: string | null;
  readonly platformRef: string | null;
  readonly reportedAt: Date | null;
}

interface LeasedRow {
  id: string;
  channel_order_id: string;
  connection_id: string;
  external_order_id: string;
  carrier: string;
  tracking_number: string;
  tracking_url: string | null;
  shipped_at: Date;
  attempts: number;
  previous_platform_ref: string | null;
}

/** Shipments of channel orders, and the reports that tell the platforms, in SQL. */
@Injectable()
export class TrackingReportRepository {
  /** Kept until order.placed says whose order it is (the topics are read side by side). */
  async rememberShipment(db: SqlQueryable, shipment: ShipmentFacts): Promise<void> {
    await db.query(
      `INSERT INTO channel_shipments (waybill_order_id, shipment_id, carrier, tracking_number, tracking_url, shipped_at)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
      [
        shipment.waybillOrderId,
        shipment.shipmentId,
        shipment.carrier,
        shipment.trackingNumber,
        shipment.trackingUrl ?? null,
        shipment.shippedAt,
      ],
    );
  }

  /** The shipments remembered for an order, taken (deleted) now that its channel order is known. */
  async takeShipments(db: SqlQueryable, waybillOrderId: string): Promise<ShipmentFacts[]> {
    const rows = await queryRows<{
      shipment_id: string;
      carrier: string;
      tracking_number: string;
      tracking_url: string | null;
      shipped_at: Date;
    }>(
      db,
      `DELETE FROM channel_shipments WHERE waybill_order_id = $1
       RETURNING shipment_id, carrier, tracking_number, tracking_url, shipped_at`,
      [waybillOrderId],
    );
    return rows.map((row) => ({
      waybillOrderId,
      shipmentId: row.shipment_id,
      carrier: row.carrier,
      trackingNumber: row.tracking_number,
      ...(row.tracking_url !== null && { trackingUrl: row.tracking_url }),
      shippedAt: row.shipped_at,
    }));
  }

  /**
   * Shipments of orders that never turned out to be a channel's (every other storefront's): kept a
   * week, far longer than any consumer lag between the order and logistics topics.
   */
  async forgetShipmentsBefore(db: SqlQueryable, before: Date): Promise<void> {
    await db.query(`DELETE FROM channel_shipments WHERE created_at < $1`, [before]);
  }

  /** One report per parcel; a redelivered shipment.created adds nothing. Wakes the dispatcher. */
  async enqueue(
    db: SqlQueryable,
    id: string,
    channelOrderId: string,
    shipment: ShipmentFacts,
  ): Promise<boolean> {
    const rows = await queryRows<{ id: string }>(
      db,
      `INSERT INTO channel_tracking_reports (id, channel_order_id, shipment_id, carrier, tracking_number, tracking_url, shipped_at, status)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending') ON CONFLICT (shipment_id, tracking_number) DO NOTHING
       RETURNING id`,
      [
        id,
        channelOrderId,
        shipment.shipmentId,
        shipment.carrier,
        shipment.trackingNumber,
        shipment.trackingUrl ?? null,
        shipment.shippedAt,
      ],
    );
    if (rows.length > 0) {
      await db.query(`SELECT pg_notify($1, '')`, [TRACKING_REPORT_CHANNEL]);
    }
    return rows.length > 0;
  }

  /**
   * Leases up to `limit` pending reports due at `now`, committed at once, so the platform call runs
   * outside any transaction and other replicas skip them meanwhile; a crash mid-call leaves the
   * lease to run out, and the report is tried again.
   */
  async leaseDue(
    db: SqlQueryable,
    now: Date,
    limit: number,
    leaseMs: number,
  ): Promise<LeasedTrackingReport[]> {
    const rows = await queryRows<LeasedRow>(
      db,
      `WITH leased AS (
         UPDATE channel_tracking_reports
            SET next_attempt_at = $1::timestamptz + make_interval(secs => $3 / 1000.0),
                attempts = attempts + 1, updated_at = $1
          WHERE id IN (SELECT id FROM channel_tracking_reports
                        WHERE status = 'pending' AND next_attempt_at <= $1
                        ORDER BY next_attempt_at LIMIT $2 FOR UPDATE SKIP LOCKED)
          RETURNING id, channel_order_id, carrier, tracking_number, tracking_url, shipped_at, attempts)
       SELECT leased.*, o.connection_id, o.external_order_id,
              (SELECT r.platform_ref FROM channel_tracking_reports r
                WHERE r.channel_order_id = leased.channel_order_id AND r.status = 'reported'
                  AND r.platform_ref IS NOT NULL
                ORDER BY r.reported_at DESC LIMIT 1) AS previous_platform_ref
         FROM leased JOIN channel_orders o ON o.id = leased.channel_order_id`,
      [now, limit, leaseMs],
    );
    return rows.map((row) => ({
      id: row.id,
      channelOrderId: row.channel_order_id,
      connectionId: row.connection_id,
      externalOrderId: row.external_order_id,
      carrier: row.carrier,
      trackingNumber: row.tracking_number,
      trackingUrl: row.tracking_url,
      shippedAt: row.shipped_at,
      attempts: row.attempts,
      previousPlatformRef: row.previous_platform_ref,
    }));
  }

  /** The outcome of the attempt `leased` stands for, only while the row is still that lease. */
  async settle(
    db: SqlQueryable,
    leased: LeasedTrackingReport,
    now: Date,
    outcome:
      | { readonly status: 'reported'; readonly platformRef?: string }
      | { readonly status: 'failed'; readonly error: string }
      | { readonly status: 'pending'; readonly error: string; readonly retryAt: Date },
  ): Promise<boolean> {
    const rows = await queryRows<{ id: string }>(
      db,
      `UPDATE channel_tracking_reports
          SET status = $3::text, updated_at = $4,
              reported_at = CASE WHEN $3 = 'reported' THEN $4 ELSE reported_at END,
              platform_ref = CASE WHEN $3 = 'reported' THEN $5 ELSE platform_ref END,
              last_error = CASE WHEN $3 = 'reported' THEN NULL ELSE $6 END,
              next_attempt_at = COALESCE($7::timestamptz, next_attempt_at)
        WHERE id = $1 AND attempts = $2 AND status = 'pending'
        RETURNING id`,
      [
        leased.id,
        leased.attempts,
        outcome.status,
        now,
        outcome.status === 'reported' ? (outcome.platformRef ?? null) : null,
        outcome.status === 'reported' ? null : outcome.error,
        outcome.status === 'pending' ? outcome.retryAt : null,
      ],
    );
    return rows.length === 1;
  }

  async ofChannelOrder(db: SqlQueryable, channelOrderId: string): Promise<TrackingReportView[]> {
    const rows = await queryRows<{
      id: string;
      shipment_id: string;
      carrier: string;
      tracking_number: string;
      status: TrackingReportStatus;
      attempts: number;
      last_error: string | null;
      platform_ref: string | null;
      reported_at: Date | null;
    }>(
      db,
      `SELECT id, shipment_id, carrier, tracking_number, status, attempts, last_error, platform_ref, reported_at
         FROM channel_tracking_reports WHERE channel_order_id = $1 ORDER BY created_at`,
      [channelOrderId],
    );
    return rows.map((row) => ({
      id: row.id,
      shipmentId: row.shipment_id,
      carrier: row.carrier,
      trackingNumber: row.tracking_number,
      status: row.status,
      attempts: row.attempts,
      lastError: row.last_error,
      platformRef: row.platform_ref,
      reportedAt: row.reported_at,
    }));
  }
}
