import { Injectable, Logger } from '@nestjs/common';
import { UnitOfWork, UnitsOfWork, WebhookAcknowledgement, WebhookIngress } from '@waybill/eventing';
import { WebhookHeaders } from '@waybill/platform';
import { decidePurchaseOrderTransition, decideReceipt } from '../domain/purchase-order';
import { InventoryConfig } from '../inventory.config';
import { PurchaseOrder, PurchaseOrderRepository } from '../persistence/purchase-order.repository';
import { StockRepository } from '../persistence/stock.repository';
import { stockReceived } from '../policies/replenishment-events';
import { ReplenishmentPlanner } from '../policies/replenishment-planner';
import { Suppliers } from '../suppliers/suppliers';
import type { SupplierMessage } from './supplier-message';
import {
  OverReceipt,
  PurchaseOrderClosed,
  ReceiptAlreadyBooked,
  UnknownPurchaseOrder,
  UnknownReceiptLine,
  UnknownSupplier,
} from './supplier-message.errors';
import { SupplierMessageApplied, SupplierWebhookSource } from './supplier-webhook-source';

export type { SupplierMessageAck } from './supplier-webhook-source';

/**
 * Acknowledgements, rejections, advance shipping notices and goods-received notes from suppliers.
 *
 * Through the one webhook ingress, but applied in the request (`receiveAndApply`), in the one short
 * transaction that also stores the message, rather than stored and applied in the background like
 * payment and carrier webhooks: an over-receipt or an unknown order number must be refused with a
 * 4xx the supplier sees (the issue: "rejected or flagged, never silently booked"), which a
 * background worker can no longer answer. A refusal rolls everything back — the dedup row included
 * — so the same message is refused again the same way, and stock is untouched. Deduplication is by
 * the supplier's `webhook-id`; receipts are also booked once per `receiptRef`.
 */
@Injectable()
export class ReceiveSupplierMessageService {
  private readonly logger = new Logger(ReceiveSupplierMessageService.name);

  constructor(
    private readonly config: InventoryConfig,
    private readonly suppliers: Suppliers,
    private readonly orders: PurchaseOrderRepository,
    private readonly stock: StockRepository,
    private readonly replenishment: ReplenishmentPlanner,
    private readonly ingress: WebhookIngress,
    private readonly units: UnitsOfWork,
  ) {}

  receive(supplierId: string, rawBody: Buffer, headers: WebhookHeaders): Promise<WebhookAcknowledgement> {
    const supplier = this.suppliers.get(supplierId);
    if (!supplier) {
      throw new UnknownSupplier(supplierId);
    }
    const source = new SupplierWebhookSource(
      supplier,
      this.config.INVENTORY_SUPPLIER_WEBHOOK_TOLERANCE_SECONDS,
    );
    return this.ingress.receiveAndApply(source, rawBody, headers, (uow, { stored, read }) =>
      this.applyMessage(uow, supplier.id, read, stored.externalId),
    );
  }

  private async applyMessage(
    uow: UnitOfWork,
    supplierId: string,
    message: SupplierMessage,
    messageId: string,
  ): Promise<SupplierMessageApplied> {
    const { manager } = uow;
    const found = await this.orders.findByNumber(manager, message.poNumber);
    if (!found || found.supplier !== supplierId) {
      throw new UnknownPurchaseOrder(supplierId, message.poNumber);
    }
    // Stock row first, then the order: the lock order of every path that changes both.
    await this.stock.lock(manager, [found.sku]);
    const order = await this.orders.lock(manager, found.id);
    if (!order) {
      throw new UnknownPurchaseOrder(supplierId, message.poNumber);
    }
    // What the message causes continues the flow of the order that raised the purchase order.
    const flow = this.units.within(manager, { correlationId: order.correlationId ?? undefined });
    const outcome = await this.apply(flow, order, message, messageId);
    const after = await this.orders.find(manager, order.id);
    if (!after) {
      throw new Error(`purchase order ${order.id} vanished inside its own transaction`);
    }
    this.logger.log(
      `${order.poNumber}: ${message.type} from ${supplierId} (${messageId}) ${outcome}, now ${after.state}`,
    );
    return { outcome, purchaseOrder: { poNumber: after.poNumber, state: after.state } };
  }

  private async apply(
    uow: UnitOfWork,
    order: PurchaseOrder,
    message: SupplierMessage,
    messageId: string,
  ): Promise<'applied' | 'ignored'> {
    const cause = `supplier:${message.type}`;
    switch (message.type) {
      case 'purchase_order.acknowledged':
      case 'purchase_order.rejected': {
        const action = message.type === 'purchase_order.acknowledged' ? 'acknowledged' : 'rejected';
        const transition = decidePurchaseOrderTransition(order.state, action);
        if (transition.outcome === 'ignore') {
          return 'ignored';
        }
        await this.orders.transition(uow.manager, order, transition.to, cause, {
          messageId,
          reason: message.reason,
        });
        // Refused: what was expected from this order no longer is. No new order at once (the same
        // supplier would likely refuse again at its own speed); the next sweep decides.
        if (transition.to === 'REJECTED') {
          await this.stock.addIncoming(uow.manager, order.sku, -(order.ordered - order.received));
        }
        return 'applied';
      }
      case 'shipment.advised':
        await this.orders.record(uow.manager, order.id, order.state, order.state, cause, {
          messageId,
          lines: message.lines,
        });
        return 'applied';
      case 'goods.received':
        return this.book(uow, order, message, messageId);
    }
  }

  private async book(
    uow: UnitOfWork,
    order: PurchaseOrder,
    message: SupplierMessage,
    messageId: string,
  ): Promise<'applied'> {
    const { receiptRef, lines } = message;
    // parseSupplierMessage refuses a goods.received without either, so this cannot happen here.
    if (!receiptRef || !lines) {
      throw new Error(`goods.received for ${order.poNumber} without receiptRef or lines`);
    }
    const decision = decideReceipt(
      order.state,
      [{ sku: order.sku, ordered: order.ordered, received: order.received }],
      lines,
    );
    if (decision.outcome === 'refuse') {
      this.logger.warn(`${order.poNumber}: goods-received ${receiptRef} refused (${decision.code})`);
      if (decision.code === 'PO_CLOSED') {
        throw new PurchaseOrderClosed(order.poNumber, decision.state);
      }
      if (decision.code === 'UNKNOWN_LINE') {
        throw new UnknownReceiptLine(order.poNumber, decision.skus);
      }
      throw new OverReceipt(order.poNumber, decision.lines);
    }
    const booked = decision.lines.filter((line) => line.quantity > 0);
    if (!(await this.orders.insertReceipt(uow.manager, order.id, { receiptRef, lines: booked, messageId }))) {
      throw new ReceiptAlreadyBooked(order.poNumber, receiptRef);
    }
    const quantity = booked.reduce((sum, line) => sum + line.quantity, 0);
    await this.stock.receive(uow.manager, order.sku, quantity);
    await this.orders.transition(
      uow.manager,
      order,
      decision.to,
      'supplier:goods.received',
      { messageId, receiptRef, lines: booked },
      { received: order.received + quantity },
    );
    const received = stockReceived(order, receiptRef, booked, new Date());
    // A completed order closes the cycle: if the SKU is still at its reorder point, the next opens now.
    await uow.publish(received);
    await this.replenishment.evaluate(uow, [order.sku], 'reorder_point', {
      lockedAlready: true,
      correlationId: order.correlationId ?? undefined,
    });
    return 'applied';
  }
}
