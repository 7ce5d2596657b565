import { Injectable } from '@nestjs/common';
import { ReplenishmentTrigger } from '@waybill/contracts';
import { EntityManager } from 'typeorm';
import { formatPoNumber, OPEN_STATES, PurchaseOrderState } from '../domain/purchase-order';
import { queryRows } from './sql';

export interface PurchaseOrder {
  readonly id: string;
  readonly poNumber: string;
  readonly sequence: number;
  readonly sku: string;
  readonly supplier: string;
  readonly cycle: number;
  readonly ordered: number;
  readonly received: number;
  readonly state: PurchaseOrderState;
  readonly trigger: ReplenishmentTrigger;
  readonly replenishmentId: string;
  /** When the goods are due: creation plus the policy's lead time. */
  readonly expectedBy: Date;
  readonly correlationId: string | null;
  readonly dispatchAttempts: number;
  readonly nextDispatchAt: Date | null;
  readonly lastDispatchError: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export interface PurchaseOrderTransitionRecord {
  readonly from: PurchaseOrderState | null;
  readonly to: PurchaseOrderState;
  readonly cause: string;
  readonly detail: Record<string, unknown> | null;
  readonly at: Date;
}

export interface ReceiptRecord {
  readonly receiptRef: string;
  readonly lines: { sku: string; quantity: number }[];
  readonly messageId: string;
  readonly receivedAt: Date;
}

interface PurchaseOrderRow {
  id: string;
  po_number: string;
  sequence: string;
  sku: string;
  supplier: string;
  cycle: number;
  ordered: number;
  received: number;
  state: PurchaseOrderState;
  trigger: ReplenishmentTrigger;
  replenishment_id: string;
  expected_by: Date;
  correlation_id: string | null;
  dispatch_attempts: number;
  next_dispatch_at: Date | null;
  last_dispatch_error: string | null;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = `id, po_number, sequence, sku, supplier, cycle, ordered, received, state, trigger,
  replenishment_id, expected_by, correlation_id, dispatch_attempts, next_dispatch_at, last_dispatch_error, created_at, updated_at`;

const OPEN = OPEN_STATES.map((state) => `'${state}'`).join(', ');

function toPurchaseOrder(row: PurchaseOrderRow): PurchaseOrder {
  return {
    id: row.id,
    poNumber: row.po_number,
    sequence: Number(row.sequence),
    sku: row.sku,
    supplier: row.supplier,
    cycle: row.cycle,
    ordered: row.ordered,
    received: row.received,
    state: row.state,
    trigger: row.trigger,
    replenishmentId: row.replenishment_id,
    expectedBy: row.expected_by,
    correlationId: row.correlation_id,
    dispatchAttempts: row.dispatch_attempts,
    nextDispatchAt: row.next_dispatch_at,
    lastDispatchError: row.last_dispatch_error,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export interface NewPurchaseOrder {
  readonly id: string;
  readonly sku: string;
  readonly supplier: string;
  readonly ordered: number;
  readonly trigger: ReplenishmentTrigger;
  readonly replenishmentId: string;
  readonly leadTimeDays: number;
  readonly correlationId?: string;
}

export interface PurchaseOrderFilter {
  readonly sku?: string;
  readonly state?: PurchaseOrderState;
  readonly supplier?: string;
  /** Only orders numbered below this sequence (keyset pagination, newest first). */
  readonly before?: number;
  readonly limit: number;
}

/** Purchase orders, their history and receipts, by raw SQL on the caller's transaction. */
@Injectable()
export class PurchaseOrderRepository {
  /**
   * Opens the SKU's next cycle with a DRAFT order, unless the SKU already has an open one: the
   * partial unique index is the arbiter, so of any number of racing triggers exactly one inserts
   * and the others get undefined (waiting for the winner to commit or roll back, never guessing).
   */
  async insertIfNoneOpen(
    manager: EntityManager,
    order: NewPurchaseOrder,
  ): Promise<PurchaseOrder | undefined> {
    const [{ n }] = await queryRows<{ n: string }>(
      manager,
      `SELECT nextval('purchase_order_number_seq') AS n`,
    );
    const rows = await queryRows<PurchaseOrderRow>(
      manager,
      `INSERT INTO purchase_orders
         (id, po_number, sequence, sku, supplier, cycle, ordered, state, trigger, replenishment_id,
          correlation_id, expected_by, next_dispatch_at)
       VALUES ($1, $2, $3, $4, $5,
               COALESCE((SELECT max(cycle) FROM purchase_orders WHERE sku = $4), 0) + 1,
               $6, 'DRAFT', $7, $8, $9, now() + make_interval(days => $10), now())
       ON CONFLICT (sku) WHERE state IN (${OPEN}) DO NOTHING
       RETURNING ${COLUMNS}`,
      [
        order.id,
        formatPoNumber(Number(n)),
        n,
        order.sku,
        order.supplier,
        order.ordered,
        order.trigger,
        order.replenishmentId,
        order.correlationId ?? null,
        order.leadTimeDays,
      ],
    );
    return rows[0] && toPurchaseOrder(rows[0]);
  }

  async find(manager: EntityManager, id: string): Promise<PurchaseOrder | undefined> {
    const rows = await queryRows<PurchaseOrderRow>(
      manager,
      `SELECT ${COLUMNS} FROM purchase_orders WHERE id = $1`,
      [id],
    );
    return rows[0] && toPurchaseOrder(rows[0]);
  }

  async findByNumber(
    manager: EntityManager,
    poNumber: string,
    options: { lock?: boolean } = {},
  ): Promise<PurchaseOrder | undefined> {
    const rows = await queryRows<PurchaseOrderRow>(
      manager,
      `SELECT ${COLUMNS} FROM purchase_orders WHERE po_number = $1${options.lock ? ' FOR UPDATE' : ''}`,
      [poNumber],
    );
    return rows[0] && toPurchaseOrder(rows[0]);
  }

  async list(manager: EntityManager, filter: PurchaseOrderFilter): Promise<PurchaseOrder[]> {
    const rows = await queryRows<PurchaseOrderRow>(
      manager,
      `SELECT ${COLUMNS} FROM purchase_orders
        WHERE ($1::text IS NULL OR sku = $1) AND ($2::text IS NULL OR state = $2)
          AND ($3::text IS NULL OR supplier = $3) AND ($4::bigint IS NULL OR sequence < $4)
        ORDER BY sequence DESC
        LIMIT $5`,
      [
        filter.sku ?? null,
        filter.state ?? null,
        filter.supplier ?? null,
        filter.before ?? null,
        filter.limit,
      ],
    );
    return rows.map(toPurchaseOrder);
  }

  /** Moves the order to `to` and records why, in one statement pair on the caller's transaction. */
  async transition(
    manager: EntityManager,
    order: Pick<PurchaseOrder, 'id' | 'state'>,
    to: PurchaseOrderState,
    cause: string,
    detail?: Record<string, unknown>,
    changes: { received?: number } = {},
  ): Promise<void> {
    await manager.query(
      `UPDATE purchase_orders SET state = $2, received = COALESCE($3, received), updated_at = now() WHERE id = $1`,
      [order.id, to, changes.received ?? null],
    );
    await this.record(manager, order.id, order.state, to, cause, detail);
  }

  /** A history entry; also for what did not change the state (an advance shipping notice). */
  async record(
    manager: EntityManager,
    id: string,
    from: PurchaseOrderState | null,
    to: PurchaseOrderState,
    cause: string,
    detail?: Record<string, unknown>,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO purchase_order_transitions (purchase_order_id, from_state, to_state, cause, detail)
       VALUES ($1, $2, $3, $4, $5::jsonb)`,
      [id, from, to, cause, detail === undefined ? null : JSON.stringify(detail)],
    );
  }

  async history(manager: EntityManager, id: string): Promise<PurchaseOrderTransitionRecord[]> {
    const rows = await queryRows<{
      from_state: PurchaseOrderState | null;
      to_state: PurchaseOrderState;
      cause: string;
      detail: Record<string, unknown> | null;
      at: Date;
    }>(
      manager,
      `SELECT from_state, to_state, cause, detail, at FROM purchase_order_transitions
        WHERE purchase_order_id = $1 ORDER BY id`,
      [id],
    );
    return rows.map((row) => ({
      from: row.from_state,
      to: row.to_state,
      cause: row.cause,
      detail: row.detail,
      at: row.at,
    }));
  }

  /** Books a receipt once per (order, receipt ref); false when that ref was booked before. */
  async insertReceipt(
    manager: EntityManager,
    id: string,
    receipt: Omit<ReceiptRecord, 'receivedAt'>,
  ): Promise<boolean> {
    const rows = await queryRows<{ receipt_ref: string }>(
      manager,
      `INSERT INTO purchase_order_receipts (purchase_order_id, receipt_ref, lines, message_id)
       VALUES ($1, $2, $3::jsonb, $4) ON CONFLICT DO NOTHING RETURNING receipt_ref`,
      [id, receipt.receiptRef, JSON.stringify(receipt.lines), receipt.messageId],
    );
    return rows.length === 1;
  }

  async receipts(manager: EntityManager, id: string): Promise<ReceiptRecord[]> {
    const rows = await queryRows<{
      receipt_ref: string;
      lines: ReceiptRecord['lines'];
      message_id: string;
      received_at: Date;
    }>(
      manager,
      `SELECT receipt_ref, lines, message_id, received_at FROM purchase_order_receipts
        WHERE purchase_order_id = $1 ORDER BY received_at, receipt_ref`,
      [id],
    );
    return rows.map((row) => ({
      receiptRef: row.receipt_ref,
      lines: row.lines,
      messageId: row.message_id,
      receivedAt: row.received_at,
    }));
  }

  /**
   * Leases up to `limit` DRAFT orders due for sending: their next attempt moves `leaseMs` ahead and
   * the lease commits at once, so the send happens outside any transaction (no connection or lock
   * is held while a supplier is slow) and other instances skip them meanwhile. A crash mid-send
   * leaves the lease to run out, and the order is sent again under the same number.
   */
  async leaseDueForDispatch(
    manager: EntityManager,
    limit: number,
    leaseMs: number,
  ): Promise<PurchaseOrder[]> {
    const rows = await queryRows<PurchaseOrderRow>(
      manager,
      `UPDATE purchase_orders SET next_dispatch_at = now() + make_interval(secs => $2 / 1000.0)
        WHERE id IN (SELECT id FROM purchase_orders
                      WHERE state = 'DRAFT' AND next_dispatch_at <= now()
                      ORDER BY next_dispatch_at LIMIT $1 FOR UPDATE SKIP LOCKED)
        RETURNING ${COLUMNS}`,
      [limit, leaseMs],
    );
    return rows.map(toPurchaseOrder);
  }

  /** A failed send: the next attempt after `delayMs`. Only while still DRAFT (an ack may have come). */
  async dispatchFailed(manager: EntityManager, id: string, error: string, delayMs: number): Promise<void> {
    await manager.query(
      `UPDATE purchase_orders
          SET dispatch_attempts = dispatch_attempts + 1, last_dispatch_error = $2,
              next_dispatch_at = now() + make_interval(secs => $3 / 1000.0), updated_at = now()
        WHERE id = $1 AND state = 'DRAFT'`,
      [id, error.slice(0, 1000), delayMs],
    );
  }

  /** Locks the order for a state change; undefined if it does not exist. */
  async lock(manager: EntityManager, id: string): Promise<PurchaseOrder | undefined> {
    const rows = await queryRows<PurchaseOrderRow>(
      manager,
      `SELECT ${COLUMNS} FROM purchase_orders WHERE id = $1 FOR UPDATE`,
      [id],
    );
    return rows[0] && toPurchaseOrder(rows[0]);
  }

  async countAttempt(manager: EntityManager, id: string): Promise<void> {
    await manager.query(
      `UPDATE purchase_orders SET dispatch_attempts = dispatch_attempts + 1, last_dispatch_error = NULL WHERE id = $1`,
      [id],
    );
  }
}
