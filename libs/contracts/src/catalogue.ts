import { EventClass } from './registry/event-contract';
import { EventRegistry } from './registry/event-registry';
import { OrderCancelledV1 } from './events/order/order-cancelled.v1';
import { OrderCompletedV1 } from './events/order/order-completed.v1';
import { OrderConfirmedV1 } from './events/order/order-confirmed.v1';
import { OrderPlacedV1 } from './events/order/order-placed.v1';
import { OrderRejectedV1 } from './events/order/order-rejected.v1';
import { OrderShippedV1 } from './events/order/order-shipped.v1';
import { PurchaseOrderIssuedV1 } from './events/inventory/purchase-order-issued.v1';
import { ReplenishmentRequestedV1 } from './events/inventory/replenishment-requested.v1';
import { StockCommittedV1 } from './events/inventory/stock-committed.v1';
import { StockLowV1 } from './events/inventory/stock-low.v1';
import { StockReceivedV1 } from './events/inventory/stock-received.v1';
import { StockRejectedV1 } from './events/inventory/stock-rejected.v1';
import { StockReleasedV1 } from './events/inventory/stock-released.v1';
import { StockReservedV1 } from './events/inventory/stock-reserved.v1';
import { PaymentActionRequiredV1 } from './events/payment/payment-action-required.v1';
import { PaymentAuthorizedV1 } from './events/payment/payment-authorized.v1';
import { PaymentCapturedV1 } from './events/payment/payment-captured.v1';
import { PaymentFailedV1 } from './events/payment/payment-failed.v1';
import { PaymentRefundedV1 } from './events/payment/payment-refunded.v1';
import { PaymentVoidedV1 } from './events/payment/payment-voided.v1';
import { ReplenishmentRunRequestedV1 } from './events/replenishment/replenishment-run-requested.v1';
import { ShipmentCreatedV1 } from './events/shipment/shipment-created.v1';
import { ShipmentDeliveredV1 } from './events/shipment/shipment-delivered.v1';
import { ShipmentExceptionV1 } from './events/shipment/shipment-exception.v1';
import { ShipmentStatusChangedV1 } from './events/shipment/shipment-status-changed.v1';
import { StorefrontOrderCancellationRequestedV1 } from './events/storefront/order-cancellation-requested.v1';
import { StorefrontOrderSubmittedV1 } from './events/storefront/order-submitted.v1';

/** Every published event version. A class missing here is neither validated nor documented. */
export const EVENT_CLASSES: readonly EventClass[] = [
  OrderPlacedV1,
  OrderConfirmedV1,
  OrderRejectedV1,
  OrderCancelledV1,
  OrderShippedV1,
  OrderCompletedV1,
  StockReservedV1,
  StockRejectedV1,
  StockReleasedV1,
  StockCommittedV1,
  StockLowV1,
  ReplenishmentRequestedV1,
  PurchaseOrderIssuedV1,
  StockReceivedV1,
  PaymentActionRequiredV1,
  PaymentAuthorizedV1,
  PaymentFailedV1,
  PaymentCapturedV1,
  PaymentVoidedV1,
  PaymentRefundedV1,
  ShipmentCreatedV1,
  ShipmentStatusChangedV1,
  ShipmentDeliveredV1,
  ShipmentExceptionV1,
  StorefrontOrderSubmittedV1,
  StorefrontOrderCancellationRequestedV1,
  ReplenishmentRunRequestedV1,
];

export const eventRegistry = new EventRegistry(EVENT_CLASSES);
