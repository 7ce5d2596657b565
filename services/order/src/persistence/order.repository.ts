import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { OrderSagaState, PaymentActionFact } from '../domain/order-saga';
import type { OrderStatus } from '../domain/order-status';

/** What can run a query: the DataSource (autocommit reads) or a transaction's EntityManager. */
export type Queryable = Pick<EntityManager, 'query'>;

export interface OrderLineRecord {
  readonly sku: string;
  readonly quantity: number;
  readonly unitPrice: number;
}

export interface CustomerRecord {
  readonly id: string;
  readonly email: string;
}

export interface AddressRecord {
  readonly name?: string;
  readonly line1: string;
  readonly line2?: string;
  readonly city: string;
  readonly region?: string;
  readonly postalCode: string;
  readonly country: string;
  readonly phone?: string;
}

export interface NewOrder {
  readonly id: string;
  readonly storefrontId: string;
  readonly storefrontOrderId: string;
  readonly currency: string;
  readonly subtotal: number;
  readonly totalAmount: number;
  readonly customer: CustomerRecord;
  readonly lines: readonly OrderLineRecord[];
  readonly shippingAddress: AddressRecord;
  readonly paymentProvider: string;
}

export interface OrderRecord extends NewOrder, OrderSagaState {
  readonly statusReason?: string;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export interface TimelineRecord {
  readonly status: OrderStatus;
  readonly reason?: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly occurredAt: Date;
}

export interface Cause {
  readonly eventId: string;
  readonly eventType: string;
}

interface OrderRow {
  id: string;
  storefront_id: string;
  storefront_order_id: string;
  status: OrderStatus;
  status_reason: string | null;
  currency: string;
  subtotal: string;
  total_amount: string;
  customer: CustomerRecord;
  lines: OrderLineRecord[];
  shipping_address: AddressRecord;
  payment_provider: string;
  reservation_id: string | null;
  payment_id: string | null;
  payment_authorized: boolean;
  payment_action: PaymentActionFact | null;
  shipment_id: string | null;
  created_at: Date;
  updated_at: Date;
}

interface TimelineRow {
  status: OrderStatus;
  reason: string | null;
  event_id: string;
  event_type: string;
  occurred_at: Date;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `id` can name an order at all; anything else is simply not found. */
export function isOrderId(id: string): boolean {
  return UUID.test(id);
}

/** Hand-written SQL over `orders` and `order_timeline`; every write takes the caller's transaction. */
@Injectable()
export class OrderRepository {
  /**
   * Inserts a PENDING order and returns it as stored (so a request can answer without reading it
   * back); undefined when the storefront already has an order with that id.
   */
  async insert(manager: Queryable, order: NewOrder): Promise<OrderRecord | undefined> {
    const rows: OrderRow[] = await manager.query(
      `INSERT INTO orders (id, storefront_id, storefront_order_id, status, currency, subtotal, total_amount,
                           customer, lines, shipping_address, payment_provider)
       VALUES ($1, $2, $3, 'PENDING', $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT ON CONSTRAINT orders_storefront_order_unique DO NOTHING
       RETURNING *`,
      [
        order.id,
        order.storefrontId,
        order.storefrontOrderId,
        order.currency,
        order.subtotal,
        order.totalAmount,
        JSON.stringify(order.customer),
        JSON.stringify(order.lines),
        JSON.stringify(order.shippingAddress),
        order.paymentProvider,
      ],
    );
    return rows[0] && toRecord(rows[0]);
  }

  async findIdByStorefrontOrderId(
    manager: Queryable,
    storefrontId: string,
    storefrontOrderId: string,
  ): Promise<string | undefined> {
    const rows: { id: string }[] = await manager.query(
      `SELECT id FROM orders WHERE storefront_id = $1 AND storefront_order_id = $2`,
      [storefrontId, storefrontOrderId],
    );
    return rows[0]?.id;
  }

  /** Reads and row-locks the order for the rest of the transaction: its events apply one at a time. */
  async lock(manager: Queryable, id: string): Promise<OrderRecord | undefined> {
    if (!isOrderId(id)) {
      return undefined;
    }
    const rows: OrderRow[] = await manager.query(`SELECT * FROM orders WHERE id = $1 FOR UPDATE`, [id]);
    return rows[0] && toRecord(rows[0]);
  }

  async find(manager: Queryable, id: string): Promise<OrderRecord | undefined> {
    if (!isOrderId(id)) {
      return undefined;
    }
    const rows: OrderRow[] = await manager.query(`SELECT * FROM orders WHERE id = $1`, [id]);
    return rows[0] && toRecord(rows[0]);
  }

  async findByStorefrontOrderId(
    manager: Queryable,
    storefrontOrderId: string,
    storefrontId?: string,
  ): Promise<OrderRecord[]> {
    const rows: OrderRow[] = await manager.query(
      `SELECT * FROM orders WHERE storefront_order_id = $1 AND ($2::text IS NULL OR storefront_id = $2)
       ORDER BY created_at, id LIMIT 100`,
      [storefrontOrderId, storefrontId ?? null],
    );
    return rows.map(toRecord);
  }

  /** Stores the saga's facts without a transition (nothing for the timeline). */
  async saveSagaState(manager: Queryable, id: string, state: OrderSagaState): Promise<void> {
    await manager.query(
      `UPDATE orders
          SET status = $2, reservation_id = $3, payment_id = $4, payment_authorized = $5, shipment_id = $6,
              payment_action = $7, updated_at = now()
        WHERE id = $1`,
      [id, ...sagaStateParams(state)],
    );
  }

  /**
   * Stores the saga's facts and appends the transitions to the timeline in one statement (one
   * round trip on the saga's hottest path). `statusReason` replaces the stored reason when given.
   */
  async recordTransitions(
    manager: Queryable,
    id: string,
    state: OrderSagaState,
    statusReason: string | undefined,
    entries: readonly TransitionEntry[],
    cause: Cause,
  ): Promise<void> {
    await manager.query(
      `WITH updated AS (
         UPDATE orders
            SET status = $2, reservation_id = $3, payment_id = $4, payment_authorized = $5, shipment_id = $6,
                payment_action = $7, status_reason = COALESCE($8, status_reason), updated_at = now()
          WHERE id = $1
          RETURNING id)
       ${timelineInsertFrom('updated', 9)}`,
      [id, ...sagaStateParams(state), statusReason ?? null, ...timelineParams(entries, cause)],
    );
  }

  /** Appends transitions in order (one statement), returning them as stored. */
  async appendTimeline(
    manager: Queryable,
    orderId: string,
    entries: readonly TransitionEntry[],
    cause: Cause,
  ): Promise<TimelineRecord[]> {
    const rows: TimelineRow[] = await manager.query(
      `WITH target AS (SELECT $1::uuid AS id)
       ${timelineInsertFrom('target', 2)}
       RETURNING status, reason, event_id, event_type, occurred_at`,
      [orderId, ...timelineParams(entries, cause)],
    );
    return rows.map(toTimelineRecord);
  }

  async timeline(manager: Queryable, orderId: string): Promise<TimelineRecord[]> {
    const rows: TimelineRow[] = await manager.query(
      `SELECT status, reason, event_id, event_type, occurred_at FROM order_timeline WHERE order_id = $1 ORDER BY id`,
      [orderId],
    );
    return rows.map(toTimelineRecord);
  }
}

export interface TransitionEntry {
  readonly status: OrderStatus;
  readonly reason?: string;
}

/**
 * `INSERT … SELECT` of the timeline entries for the order `source` yields (no row: nothing is
 * inserted), with `timelineParams` as the four parameters from `$first`: the entries as parallel arrays; WITH
 * ORDINALITY keeps their order, and so the order of their serial ids.
 */
function timelineInsertFrom(source: string, first: number): string {
  const [statuses, reasons, eventId, eventType] = [first, first + 1, first + 2, first + 3].map(
    (n) => `$${n}`,
  );
  return `INSERT INTO order_timeline (order_id, status, reason, event_id, event_type)
       SELECT ${source}.id, entry.status, entry.reason, ${eventId}::uuid, ${eventType}
         FROM ${source}, unnest(${statuses}::text[], ${reasons}::text[]) WITH ORDINALITY AS entry(status, reason, n)
        ORDER BY entry.n`;
}

function sagaStateParams(state: OrderSagaState): unknown[] {
  return [
    state.status,
    state.reservationId ?? null,
    state.paymentId ?? null,
    state.paymentAuthorized,
    state.shipmentId ?? null,
    state.paymentAction ? JSON.stringify(state.paymentAction) : null,
  ];
}

function timelineParams(entries: readonly TransitionEntry[], cause: Cause): unknown[] {
  return [
    entries.map((entry) => entry.status),
    entries.map((entry) => entry.reason ?? null),
    cause.eventId,
    cause.eventType,
  ];
}

function toTimelineRecord(row: TimelineRow): TimelineRecord {
  return {
    status: row.status,
    ...(row.reason !== null && { reason: row.reason }),
    eventId: row.event_id,
    eventType: row.event_type,
    occurredAt: row.occurred_at,
  };
}

function toRecord(row: OrderRow): OrderRecord {
  return {
    id: row.id,
    storefrontId: row.storefront_id,
    storefrontOrderId: row.storefront_order_id,
    status: row.status,
    ...(row.status_reason !== null && { statusReason: row.status_reason }),
    currency: row.currency,
    subtotal: Number(row.subtotal),
    totalAmount: Number(row.total_amount),
    customer: row.customer,
    lines: row.lines,
    shippingAddress: row.shipping_address,
    paymentProvider: row.payment_provider,
    ...(row.reservation_id !== null && { reservationId: row.reservation_id }),
    ...(row.payment_id !== null && { paymentId: row.payment_id }),
    paymentAuthorized: row.payment_authorized,
    ...(row.payment_action !== null && { paymentAction: row.payment_action }),
    ...(row.shipment_id !== null && { shipmentId: row.shipment_id }),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
