import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { ReplenishmentTrigger } from '@waybill/contracts';
import { notifyAtCommit, OutgoingEvent, UnitOfWork } from '@waybill/eventing';
import { decideReplenishment } from '../domain/replenishment-policy';
import { PurchaseOrderRepository } from '../persistence/purchase-order.repository';
import { ReplenishmentPolicyRepository } from '../persistence/replenishment-policy.repository';
import { StockRepository } from '../persistence/stock.repository';
import { PURCHASE_ORDER_DISPATCH_CHANNEL } from './dispatch-channel';
import { purchaseOrderIssued, replenishmentRequested, stockLow } from './replenishment-events';

export interface RaisedOrder {
  readonly sku: string;
  readonly purchaseOrderId: string;
  readonly poNumber: string;
  readonly quantity: number;
  readonly supplier: string;
}

/**
 * Decides, inside the caller's unit of work, whether SKUs need a purchase order, and opens one
 * where they do, publishing stock-low, replenishment-requested and purchase-order-issued for each
 * through that uow (so no caller can forget them). Every trigger (a stock change, the sweep, the run endpoint, a trigger event) ends
 * here. The caller must hold the SKUs' stock row locks (`lockedAlready`), or let `evaluate` take
 * them in SKU order — so the position decided on cannot move before the commit, and a stock change
 * and a run for the same SKU queue rather than decide side by side. The partial unique index
 * decides the rest: one open order per SKU, whatever races.
 */
@Injectable()
export class ReplenishmentPlanner {
  private readonly logger = new Logger(ReplenishmentPlanner.name);

  constructor(
    private readonly stock: StockRepository,
    private readonly policies: ReplenishmentPolicyRepository,
    private readonly orders: PurchaseOrderRepository,
  ) {}

  async evaluate(
    uow: UnitOfWork,
    skus: readonly string[],
    trigger: ReplenishmentTrigger,
    options: { lockedAlready?: boolean; correlationId?: string } = {},
  ): Promise<RaisedOrder[]> {
    const raised: RaisedOrder[] = [];
    const events: OutgoingEvent[] = [];
    if (skus.length === 0) {
      return raised;
    }
    const { manager } = uow;
    if (!options.lockedAlready) {
      await this.stock.lock(manager, skus);
    }
    for (const { policy, position } of await this.policies.withoutOpenOrder(manager, skus)) {
      const decision = decideReplenishment(policy, position);
      if (decision.outcome === 'none') {
        continue;
      }
      const order = await this.orders.insertIfNoneOpen(manager, {
        id: randomUUID(),
        sku: policy.sku,
        supplier: policy.supplier,
        ordered: decision.quantity,
        trigger,
        replenishmentId: randomUUID(),
        leadTimeDays: policy.leadTimeDays,
        correlationId: options.correlationId,
      });
      if (!order) {
        continue;
      } // another trigger opened this cycle first
      await this.stock.addIncoming(manager, policy.sku, order.ordered);
      await this.orders.record(manager, order.id, null, 'DRAFT', `trigger:${trigger}`, {
        available: position.available,
        incoming: position.incoming,
        reorderPoint: policy.reorderPoint,
        quantity: order.ordered,
      });
      raised.push({
        sku: order.sku,
        purchaseOrderId: order.id,
        poNumber: order.poNumber,
        quantity: order.ordered,
        supplier: order.supplier,
      });
      events.push(
        stockLow(policy, position, order.createdAt),
        replenishmentRequested(order, policy, position, trigger),
        purchaseOrderIssued(order),
      );
      this.logger.log(
        `${order.poNumber}: ${order.ordered} x ${order.sku} from ${order.supplier} (${trigger}; available ` +
          `${position.available}, incoming ${position.incoming}, reorder point ${policy.reorderPoint})`,
      );
    }
    if (raised.length > 0) {
      await uow.publish(events);
      // The dispatcher wakes when this commits, and finds the new DRAFT orders committed.
      await notifyAtCommit(uow.manager, PURCHASE_ORDER_DISPATCH_CHANNEL);
    }
    return raised;
  }
}
