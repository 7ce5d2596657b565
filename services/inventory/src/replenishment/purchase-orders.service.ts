import { Injectable } from '@nestjs/common';
import type { UnitOfWork } from '@waybill/eventing';
import { DataSource, EntityManager } from 'typeorm';
import { decidePurchaseOrderTransition, PurchaseOrderState } from '../domain/purchase-order';
import {
  PurchaseOrder,
  PurchaseOrderFilter,
  PurchaseOrderRepository,
  PurchaseOrderTransitionRecord,
  ReceiptRecord,
} from '../persistence/purchase-order.repository';
import { StockRepository } from '../persistence/stock.repository';
import { PurchaseOrderNotCancellable, PurchaseOrderNotFound } from './replenishment.errors';

export interface PurchaseOrderSummary {
  readonly id: string;
  readonly poNumber: string;
  readonly sku: string;
  readonly supplier: string;
  readonly state: PurchaseOrderState;
  readonly cycle: number;
  readonly trigger: string;
  readonly lines: { sku: string; ordered: number; received: number }[];
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface PurchaseOrderView extends PurchaseOrderSummary {
  readonly replenishmentId: string;
  readonly expectedBy: string;
  readonly dispatch: { attempts: number; lastError?: string; nextAttemptAt?: string };
  readonly history: { from: string | null; to: string; cause: string; detail?: unknown; at: string }[];
  readonly receipts: { receiptRef: string; lines: { sku: string; quantity: number }[]; receivedAt: string }[];
}

function summary(order: PurchaseOrder): PurchaseOrderSummary {
  return {
    id: order.id,
    poNumber: order.poNumber,
    sku: order.sku,
    supplier: order.supplier,
    state: order.state,
    cycle: order.cycle,
    trigger: order.trigger,
    lines: [{ sku: order.sku, ordered: order.ordered, received: order.received }],
    createdAt: order.createdAt.toISOString(),
    updatedAt: order.updatedAt.toISOString(),
  };
}

function view(
  order: PurchaseOrder,
  history: readonly PurchaseOrderTransitionRecord[],
  receipts: readonly ReceiptRecord[],
): PurchaseOrderView {
  return {
    ...summary(order),
    replenishmentId: order.replenishmentId,
    expectedBy: order.expectedBy.toISOString(),
    dispatch: {
      attempts: order.dispatchAttempts,
      ...(order.lastDispatchError !== null && { lastError: order.lastDispatchError }),
      ...(order.state === 'DRAFT' &&
        order.nextDispatchAt && { nextAttemptAt: order.nextDispatchAt.toISOString() }),
    },
    history: history.map((entry) => ({
      from: entry.from,
      to: entry.to,
      cause: entry.cause,
      ...(entry.detail !== null && { detail: entry.detail }),
      at: entry.at.toISOString(),
    })),
    receipts: receipts.map((receipt) => ({
      receiptRef: receipt.receiptRef,
      lines: receipt.lines,
      receivedAt: receipt.receivedAt.toISOString(),
    })),
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface CancelPurchaseOrderCommand {
  readonly idOrNumber: string;
  readonly reason?: string;
}

/** By id or by PO number. */
async function findPurchaseOrder(
  orders: PurchaseOrderRepository,
  manager: EntityManager,
  idOrNumber: string,
): Promise<PurchaseOrder> {
  const order = UUID.test(idOrNumber)
    ? await orders.find(manager, idOrNumber)
    : await orders.findByNumber(manager, idOrNumber);
  if (!order) {
    throw new PurchaseOrderNotFound(idOrNumber);
  }
  return order;
}

async function viewOf(orders: PurchaseOrderRepository, manager: EntityManager, order: PurchaseOrder) {
  return view(order, await orders.history(manager, order.id), await orders.receipts(manager, order.id));
}

/** What operators see of purchase orders. */
@Injectable()
export class PurchaseOrderQueries {
  constructor(
    private readonly dataSource: DataSource,
    private readonly orders: PurchaseOrderRepository,
  ) {}

  /** Newest first; `nextCursor` continues after the last item. */
  async list(filter: PurchaseOrderFilter): Promise<{ items: PurchaseOrderSummary[]; nextCursor?: string }> {
    const items = await this.orders.list(this.dataSource.manager, filter);
    const last = items.at(-1);
    return {
      items: items.map(summary),
      ...(items.length === filter.limit && last && { nextCursor: String(last.sequence) }),
    };
  }

  /** By id or by PO number. */
  async get(idOrNumber: string): Promise<PurchaseOrderView> {
    const manager = this.dataSource.manager;
    return viewOf(this.orders, manager, await findPurchaseOrder(this.orders, manager, idOrNumber));
  }
}

/**
 * Calls an order off before anything was received (the supplier is told out of band); what it
 * would have brought stops counting as incoming, and the cycle closes.
 */
@Injectable()
export class CancelPurchaseOrder {
  constructor(
    private readonly orders: PurchaseOrderRepository,
    private readonly stock: StockRepository,
  ) {}

  async execute(
    uow: UnitOfWork,
    { idOrNumber, reason }: CancelPurchaseOrderCommand,
  ): Promise<PurchaseOrderView> {
    const { manager } = uow;
    const found = await findPurchaseOrder(this.orders, manager, idOrNumber);
    await this.stock.lock(manager, [found.sku]);
    const order = await this.orders.lock(manager, found.id);
    if (!order) {
      throw new PurchaseOrderNotFound(idOrNumber);
    }
    const transition = decidePurchaseOrderTransition(order.state, 'cancelled');
    if (transition.outcome === 'ignore') {
      throw new PurchaseOrderNotCancellable(order.poNumber, order.state);
    }
    await this.orders.transition(manager, order, transition.to, 'operator:cancelled', { reason });
    await this.stock.addIncoming(manager, order.sku, -(order.ordered - order.received));
    const cancelled = await this.orders.find(manager, order.id);
    if (!cancelled) {
      throw new PurchaseOrderNotFound(idOrNumber);
    }
    return viewOf(this.orders, manager, cancelled);
  }
}
