import { Injectable } from '@nestjs/common';
import { queryRows, SqlQueryable } from '@waybill/eventing';
import type { CanonicalOrder, HoldReason } from '../domain/canonical-order';
import type { PayloadFormat } from '../platforms/storefront-api';

export type ChannelOrderStatus = 'awaiting_payment' | 'held' | 'submitted' | 'cancelled';
export type ReceivedVia = 'webhook' | 'poll' | 'release';

/** One platform order as the channel took it in. */
export interface ChannelOrderRecord {
  readonly id: string;
  readonly connectionId: string;
  readonly channel: string;
  readonly store: string;
  readonly storefrontId: string;
  readonly externalOrderId: string | null;
  readonly status: ChannelOrderStatus;
  readonly receivedVia: ReceivedVia;
  readonly payloadFormat: PayloadFormat;
  readonly rawPayload: string;
  readonly mappingVersion: string;
  readonly holdReasons: readonly HoldReason[] | null;
  readonly canonicalOrder: CanonicalOrder | null;
  readonly waybillOrderId: string | null;
  readonly submittedAt: Date | null;
  readonly cancelledAt: Date | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

interface Row {
  id: string;
  connection_id: string;
  channel: string;
  store: string;
  storefront_id: string;
  external_order_id: string | null;
  status: ChannelOrderStatus;
  received_via: ReceivedVia;
  payload_format: PayloadFormat;
  raw_payload: string;
  mapping_version: string;
  hold_reasons: HoldReason[] | null;
  canonical_order: CanonicalOrder | null;
  waybill_order_id: string | null;
  submitted_at: Date | null;
  cancelled_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = `id, connection_id, channel, store, storefront_id, external_order_id, status, received_via,
  payload_format, raw_payload, mapping_version, hold_reasons, canonical_order, waybill_order_id,
  submitted_at, cancelled_at, created_at, updated_at`;

function toRecord(row: Row): ChannelOrderRecord {
  return {
    id: row.id,
    connectionId: row.connection_id,
    channel: row.channel,
    store: row.store,
    storefrontId: row.storefront_id,
    externalOrderId: row.external_order_id,
    status: row.status,
    receivedVia: row.received_via,
    payloadFormat: row.payload_format,
    rawPayload: row.raw_payload,
    mappingVersion: row.mapping_version,
    holdReasons: row.hold_reasons,
    canonicalOrder: row.canonical_order,
    waybillOrderId: row.waybill_order_id,
    submittedAt: row.submitted_at,
    cancelledAt: row.cancelled_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** What a new row or a new state of a row says; the rest is the row's identity. */
export interface ChannelOrderState {
  readonly status: ChannelOrderStatus;
  readonly receivedVia: ReceivedVia;
  readonly payloadFormat: PayloadFormat;
  readonly rawPayload: string;
  readonly mappingVersion: string;
  readonly holdReasons?: readonly HoldReason[];
  readonly canonicalOrder?: CanonicalOrder;
}

export interface NewChannelOrder extends ChannelOrderState {
  readonly id: string;
  readonly connectionId: string;
  readonly channel: string;
  readonly store: string;
  readonly storefrontId: string;
  readonly externalOrderId: string | null;
}

function stateParameters(state: ChannelOrderState): unknown[] {
  return [
    state.status,
    state.receivedVia,
    state.payloadFormat,
    state.rawPayload,
    state.mappingVersion,
    state.holdReasons === undefined ? null : JSON.stringify(state.holdReasons),
    state.canonicalOrder === undefined ? null : JSON.stringify(state.canonicalOrder),
  ];
}

/** Channel orders in SQL. */
@Injectable()
export class ChannelOrderRepository {
  /**
   * The row of this platform order, locked for the rest of the transaction, or undefined. Two
   * deliveries of one order (a webhook and its retry, a webhook and the poller) serialise here.
   */
  async lockByExternalId(
    db: SqlQueryable,
    key: { channel: string; store: string; externalOrderId: string },
  ): Promise<ChannelOrderRecord | undefined> {
    const [row] = await queryRows<Row>(
      db,
      `SELECT ${COLUMNS} FROM channel_orders
        WHERE channel = $1 AND store = $2 AND external_order_id = $3 FOR UPDATE`,
      [key.channel, key.store, key.externalOrderId],
    );
    return row && toRecord(row);
  }

  async lock(db: SqlQueryable, id: string): Promise<ChannelOrderRecord | undefined> {
    const [row] = await queryRows<Row>(db, `SELECT ${COLUMNS} FROM channel_orders WHERE id = $1 FOR UPDATE`, [
      id,
    ]);
    return row && toRecord(row);
  }

  async get(db: SqlQueryable, id: string): Promise<ChannelOrderRecord | undefined> {
    const [row] = await queryRows<Row>(db, `SELECT ${COLUMNS} FROM channel_orders WHERE id = $1`, [id]);
    return row && toRecord(row);
  }

  /**
   * Inserts the row unless another transaction holds this platform order already: then undefined,
   * and the caller locks the existing row (ON CONFLICT waited for it to commit).
   */
  async insert(db: SqlQueryable, order: NewChannelOrder, now: Date): Promise<ChannelOrderRecord | undefined> {
    const [row] = await queryRows<Row>(
      db,
      `INSERT INTO channel_orders (id, connection_id, channel, store, storefront_id, external_order_id,
         status, received_via, payload_format, raw_payload, mapping_version, hold_reasons, canonical_order,
         submitted_at, cancelled_at, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13,
         CASE WHEN $7 = 'submitted' THEN $14::timestamptz END,
         CASE WHEN $7 = 'cancelled' THEN $14::timestamptz END, $14, $14)
       ON CONFLICT (channel, store, external_order_id) DO NOTHING
       RETURNING ${COLUMNS}`,
      [
        order.id,
        order.connectionId,
        order.channel,
        order.store,
        order.storefrontId,
        order.externalOrderId,
        ...stateParameters(order),
        now,
      ],
    );
    return row && toRecord(row);
  }

  /** Moves a locked row to its new state (a held order mapped again, a submission, a cancellation). */
  async update(
    db: SqlQueryable,
    id: string,
    state: ChannelOrderState,
    now: Date,
  ): Promise<ChannelOrderRecord> {
    const [row] = await queryRows<Row>(
      db,
      `UPDATE channel_orders SET status = $2, received_via = $3, payload_format = $4, raw_payload = $5,
         mapping_version = $6, hold_reasons = $7, canonical_order = $8,
         submitted_at = CASE WHEN $2 = 'submitted' THEN coalesce(submitted_at, $9) ELSE submitted_at END,
         cancelled_at = CASE WHEN $2 = 'cancelled' THEN coalesce(cancelled_at, $9) ELSE cancelled_at END,
         updated_at = $9
       WHERE id = $1 RETURNING ${COLUMNS}`,
      [id, ...stateParameters(state), now],
    );
    if (!row) {
      throw new Error(`channel order ${id} vanished inside its own transaction`);
    }
    return toRecord(row);
  }

  /** Records which Waybill order a submitted channel order became (from order.placed). */
  async linkWaybillOrder(
    db: SqlQueryable,
    key: { storefrontId: string; externalOrderId: string },
    waybillOrderId: string,
  ): Promise<ChannelOrderRecord | undefined> {
    const [row] = await queryRows<Row>(
      db,
      `UPDATE channel_orders SET waybill_order_id = $3, updated_at = now()
        WHERE storefront_id = $1 AND external_order_id = $2 AND status IN ('submitted', 'cancelled')
          AND (waybill_order_id IS NULL OR waybill_order_id = $3)
        RETURNING ${COLUMNS}`,
      [key.storefrontId, key.externalOrderId, waybillOrderId],
    );
    return row && toRecord(row);
  }

  async findByWaybillOrder(
    db: SqlQueryable,
    waybillOrderId: string,
  ): Promise<ChannelOrderRecord | undefined> {
    const [row] = await queryRows<Row>(
      db,
      `SELECT ${COLUMNS} FROM channel_orders WHERE waybill_order_id = $1`,
      [waybillOrderId],
    );
    return row && toRecord(row);
  }

  /** Held orders, oldest first by id within a connection; `after` is the previous page's last id. */
  async listHeld(
    db: SqlQueryable,
    page: { connectionId?: string; after?: string; limit: number },
  ): Promise<ChannelOrderRecord[]> {
    const rows = await queryRows<Row>(
      db,
      `SELECT ${COLUMNS} FROM channel_orders
        WHERE status = 'held' AND ($1::text IS NULL OR connection_id = $1) AND ($2::uuid IS NULL OR id > $2)
        ORDER BY id LIMIT $3`,
      [page.connectionId ?? null, page.after ?? null, page.limit],
    );
    return rows.map(toRecord);
  }

  /** How many orders wait per connection, for `waybill_channel_orders_held`. */
  async countHeld(db: SqlQueryable): Promise<{ connectionId: string; held: number }[]> {
    const rows = await queryRows<{ connection_id: string; held: string }>(
      db,
      `SELECT connection_id, count(*) AS held FROM channel_orders WHERE status = 'held' GROUP BY connection_id`,
    );
    return rows.map((row) => ({ connectionId: row.connection_id, held: Number(row.held) }));
  }

  /** Records a platform refund once; false when this refund id was recorded before. */
  async recordRefund(
    db: SqlQueryable,
    refund: {
      channel: string;
      store: string;
      refundId: string;
      connectionId: string;
      externalOrderId: string;
      amount?: number;
      currency?: string;
      rawPayload: string;
    },
  ): Promise<boolean> {
    const rows = await queryRows<{ refund_id: string }>(
      db,
      `INSERT INTO channel_refunds (channel, store, refund_id, connection_id, external_order_id, amount, currency, raw_payload)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING RETURNING refund_id`,
      [
        refund.channel,
        refund.store,
        refund.refundId,
        refund.connectionId,
        refund.externalOrderId,
        refund.amount ?? null,
        refund.currency ?? null,
        refund.rawPayload,
      ],
    );
    return rows.length > 0;
  }
}
