import {
  PurchaseOrderIssuedV1,
  ReplenishmentRequestedV1,
  ReplenishmentTrigger,
  StockLowV1,
  StockReceivedV1,
} from '@waybill/contracts';
import { OutgoingEvent } from '@waybill/eventing';
import { ReplenishmentPolicy, StockPosition } from '../domain/replenishment-policy';
import { PurchaseOrder } from '../persistence/purchase-order.repository';

/*
 * The events inventory publishes about replenishment. The Kafka key is the SKU, so one SKU's
 * cycle (low, requested, issued, received) stays in order on one partition.
 */

export function stockLow(
  policy: ReplenishmentPolicy,
  position: StockPosition,
  at: Date,
): OutgoingEvent<StockLowV1> {
  return {
    type: 'waybill.inventory.stock-low.v1',
    subject: policy.sku,
    data: {
      sku: policy.sku,
      available: position.available,
      incoming: position.incoming,
      reorderPoint: policy.reorderPoint,
      detectedAt: at.toISOString(),
    },
  };
}

export function replenishmentRequested(
  order: PurchaseOrder,
  policy: ReplenishmentPolicy,
  position: StockPosition,
  trigger: ReplenishmentTrigger,
): OutgoingEvent<ReplenishmentRequestedV1> {
  return {
    type: 'waybill.inventory.replenishment-requested.v1',
    subject: order.sku,
    data: {
      replenishmentId: order.replenishmentId,
      sku: order.sku,
      quantity: order.ordered,
      trigger,
      cycle: String(order.cycle),
      available: position.available,
      incoming: position.incoming,
      reorderPoint: policy.reorderPoint,
      requestedAt: order.createdAt.toISOString(),
    },
  };
}

export function purchaseOrderIssued(order: PurchaseOrder): OutgoingEvent<PurchaseOrderIssuedV1> {
  return {
    type: 'waybill.inventory.purchase-order-issued.v1',
    subject: order.id,
    key: order.sku,
    data: {
      purchaseOrderId: order.id,
      poNumber: order.poNumber,
      supplier: { id: order.supplier },
      lines: [{ sku: order.sku, quantity: order.ordered }],
      replenishmentId: order.replenishmentId,
      issuedAt: order.createdAt.toISOString(),
    },
  };
}

export function stockReceived(
  order: PurchaseOrder,
  receiptRef: string,
  lines: readonly { sku: string; quantity: number }[],
  at: Date,
): OutgoingEvent<StockReceivedV1> {
  return {
    type: 'waybill.inventory.stock-received.v1',
    subject: order.id,
    key: order.sku,
    data: {
      purchaseOrderId: order.id,
      poNumber: order.poNumber,
      supplier: { id: order.supplier },
      receiptRef,
      lines: lines.filter((line) => line.quantity > 0).map(({ sku, quantity }) => ({ sku, quantity })),
      receivedAt: at.toISOString(),
    },
  };
}
