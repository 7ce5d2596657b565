import { Injectable, Logger } from '@nestjs/common';
import { UnitOfWork, UnitsOfWork } from '@waybill/eventing';
import { verifyStandardWebhook, WebhookHeaders, WebhookOutcomes } from '@waybill/platform';
import { DataSource } from 'typeorm';
import { decidePurchaseOrderTransition, decideReceipt, PurchaseOrderState } from '../domain/purchase-order';
import { InventoryConfig } from '../inventory.config';
import { PurchaseOrder, PurchaseOrderRepository } from '../persistence/purchase-order.repository';
import { queryRows } from '../persistence/sql';
import { StockRepository } from '../persistence/stock.repository';
import { stockReceived } from '../replenishment/replenishment-events';
import { ReplenishmentPlanner } from '../replenishment/replenishment-planner';
import { Suppliers } from '../suppliers/suppliers';
import { parseSupplierMessage, SupplierMessage } from './supplier-message';
import {
  OverReceipt,
  PurchaseOrderClosed,
  ReceiptAlreadyBooked,
  UnknownPurchaseOrder,
  UnknownReceiptLine,
  UnknownSupplier,
} from './supplier-message.errors';

export interface SupplierMessageAck {
  readonly received: true;
  /** This webhook-id was received before: nothing was applied again. */
  readonly duplicate: boolean;
  /** `applied`, or `ignored` for a late or repeated message that would not move the order forward. */
  readonly outcome?: 'applied' | 'ignored';
  readonly purchaseOrder?: { readonly poNumber: string; readonly state: PurchaseOrderState };
}

/**
 * Acknowledgements, rejections, advance shipping notices and goods-received notes from suppliers.
 *
 * Applied synchronously, in one short transaction inside the request, rather than stored and
 * processed in the background like payment webhooks: an over-receipt or an unknown order number
 * must be refused with a 4xx the supplier sees (the issue: "rejected or flagged, never silently
 * booked"), which a background worker can no longer answer. A refusal rolls everything back — the
 * dedup row included — so the same message is refused again the same way, and stock is untouched.
 * Deduplication is by the supplier's `webhook-id`; receipts are also booked once per `receiptRef`.
 */
@Injectable()
export class ReceiveSupplierMessageService {
  private readonly logger = new Logger(ReceiveSupplierMessageService.name);

  constructor(
    private readonly config: InventoryConfig,
    private readonly dataSource: DataSource,
    private readonly units: UnitsOfWork,
    private readonly suppliers: Suppliers,
    private readonly orders: PurchaseOrderRepository,
    private readonly stock: StockRepository,
    private readonly replenishment: ReplenishmentPlanner,
    private readonly outcomes: WebhookOutcomes,
  ) {}

  async receive(supplierId: string, rawBody: Buffer, headers: WebhookHeaders): Promise<SupplierMessageAck> {
    const supplier = this.suppliers.get(supplierId);
    if (!supplier) {
      throw new UnknownSupplier(supplierId);
    }
    const limit = this.config.INVENTORY_SUPPLIER_WEBHOOK_MAX_BYTES;
    if (rawBody.length > limit) {
      throw this.outcomes.refuse(
        supplier.id,
        'PAYLOAD_TOO_LARGE',
        `supplier messages are limited to ${limit} bytes`,
      );
    }
    const verdict = verifyStandardWebhook({
      rawBody,
      headers,
      secrets: supplier.webhookSecrets,
      toleranceSeconds: this.config.INVENTORY_SUPPLIER_WEBHOOK_TOLERANCE_SECONDS,
    });
    if (!verdict.ok) {
      throw this.outcomes.refuse(supplier.id, verdict.rejection, verdict.message);
    }
    const parsed = parseSupplierMessage(rawBody);
    if (!parsed.ok) {
      throw this.outcomes.refuse(supplier.id, 'PAYLOAD_MALFORMED', parsed.problems.join('; '));
    }
    const { message } = parsed;

    const ack = await this.dataSource.transaction(async (manager): Promise<SupplierMessageAck> => {
      const fresh = await queryRows<{ message_id: string }>(
        manager,
        `INSERT INTO supplier_messages (supplier, message_id, type, po_number, raw_body)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING message_id`,
        [supplier.id, verdict.id, message.type, message.poNumber, rawBody],
      );
      if (fresh.length === 0) {
        this.outcomes.duplicate(supplier.id);
        return { received: true, duplicate: true };
      }

      const found = await this.orders.findByNumber(manager, message.poNumber);
      if (!found || found.supplier !== supplier.id) {
        throw new UnknownPurchaseOrder(supplier.id, message.poNumber);
      }
      // Stock row first, then the order: the lock order of every path that changes both.
      await this.stock.lock(manager, [found.sku]);
      const order = (await this.orders.lock(manager, found.id))!;
      const uow = this.units.within(manager, { correlationId: order.correlationId ?? undefined });
      const outcome = await this.apply(uow, order, message, verdict.id);
      const after = (await this.orders.find(manager, order.id))!;
      this.logger.log(
        `${order.poNumber}: ${message.type} from ${supplier.id} (${verdict.id}) ${outcome}, now ${after.state}`,
      );
      return {
        received: true,
        duplicate: false,
        outcome,
        purchaseOrder: { poNumber: after.poNumber, state: after.state },
      };
    });
    // Counted once committed: a message refused for its content (unknown PO, over-receipt) is not.
    if (!ack.duplicate) {
      this.outcomes.verified(supplier.id);
    }
    return ack;
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
    const receiptRef = message.receiptRef!;
    const decision = decideReceipt(
      order.state,
      [{ sku: order.sku, ordered: order.ordered, received: order.received }],
      message.lines!,
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
