import type {
  OrderCancelledV1,
  OrderCompletedV1,
  OrderConfirmedV1,
  OrderPlacedV1,
  OrderRejectedV1,
  OrderShippedV1,
  PaymentActionRequiredV1,
  PaymentAuthorizedV1,
  PaymentCapturedV1,
  PaymentFailedV1,
  PaymentRefundedV1,
  PaymentVoidedV1,
  PurchaseOrderIssuedV1,
  ReplenishmentRequestedV1,
  ReplenishmentRunRequestedV1,
  ShipmentCreatedV1,
  ShipmentDeliveredV1,
  ShipmentExceptionV1,
  ShipmentStatusChangedV1,
  StockCommittedV1,
  StockLowV1,
  StockReceivedV1,
  StockRejectedV1,
  StockReleasedV1,
  StockReservedV1,
  StorefrontOrderCancellationRequestedV1,
  StorefrontOrderSubmittedV1,
} from './events';

/*
 * One valid `data` per event type, telling one order's story with the same ids throughout, so
 * tests can chain them. `satisfies` keeps each example in step with its class at compile time;
 * the registry spec checks they also pass validation. Deeply frozen: copy before changing
 * (`exampleData` does).
 */

export const EXAMPLE_IDS = {
  orderId: '3f9a8c2e-5b7d-4e1f-9a6c-2d8b7e4f1a90',
  reservationId: '7c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f',
  paymentId: 'a4b5c6d7-e8f9-4a0b-9c1d-2e3f4a5b6c7d',
  refundId: 'c9d8e7f6-a5b4-4c3d-9e2f-1a0b9c8d7e6f',
  shipmentId: 'b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e',
  replenishmentId: 'd2e3f4a5-b6c7-4d8e-9f0a-1b2c3d4e5f6a',
  purchaseOrderId: 'e5f6a7b8-c9d0-4e1f-8a2b-3c4d5e6f7a8b',
  requestId: 'f0e1d2c3-b4a5-4968-8776-655443322110',
} as const;

const customer = { id: 'cust-1042', email: 'ada@example.com' };
const lines = [
  { sku: 'MUG-BLUE-350', quantity: 2, unitPrice: 1250 },
  { sku: 'TEE-BLK-M', quantity: 1, unitPrice: 2400 },
];
const stockLines = lines.map(({ sku, quantity }) => ({ sku, quantity }));
const shippingAddress = {
  name: 'Ada Lovelace',
  line1: 'Friedrichstraße 123',
  city: 'Berlin',
  postalCode: '10117',
  country: 'DE',
  phone: '+4930123456',
};
const shipment = {
  orderId: EXAMPLE_IDS.orderId,
  shipmentId: EXAMPLE_IDS.shipmentId,
  carrier: 'dhl',
  trackingNumber: '00340434161094042557',
};
const payment = {
  orderId: EXAMPLE_IDS.orderId,
  paymentId: EXAMPLE_IDS.paymentId,
  provider: 'stripe',
  amount: 5390,
  currency: 'EUR',
};
const supplier = { id: 'acme-ceramics', name: 'Acme Ceramics GmbH' };

const examples = {
  'waybill.storefront.order-submitted.v1': {
    storefrontId: 'shop-eu',
    storefrontOrderId: 'EU-100233',
    customer,
    lines,
    currency: 'EUR',
    totalAmount: 5390,
    shippingAddress,
    payment: { provider: 'stripe', token: 'tok_1PqRsT2eZvKYlo2C0example' },
    submittedAt: '2025-03-01T10:14:58Z',
  } satisfies StorefrontOrderSubmittedV1,
  'waybill.storefront.order-cancellation-requested.v1': {
    storefrontId: 'shop-eu',
    storefrontOrderId: 'EU-100233',
    reason: 'customer changed their mind',
    requestedAt: '2025-03-01T10:40:12Z',
  } satisfies StorefrontOrderCancellationRequestedV1,
  'waybill.order.placed.v1': {
    orderId: EXAMPLE_IDS.orderId,
    storefrontId: 'shop-eu',
    storefrontOrderId: 'EU-100233',
    customer,
    lines,
    currency: 'EUR',
    totalAmount: 5390,
    shippingAddress,
    payment: { provider: 'stripe', paymentMethodRef: 'pm_1PqRsT2eZvKYlo2Cexample' },
    placedAt: '2025-03-01T10:15:00Z',
  } satisfies OrderPlacedV1,
  'waybill.inventory.stock-reserved.v1': {
    orderId: EXAMPLE_IDS.orderId,
    reservationId: EXAMPLE_IDS.reservationId,
    lines: stockLines,
    expiresAt: '2025-03-01T10:30:01Z',
    reservedAt: '2025-03-01T10:15:01Z',
  } satisfies StockReservedV1,
  'waybill.inventory.stock-rejected.v1': {
    orderId: EXAMPLE_IDS.orderId,
    reason: 'INVENTORY.INSUFFICIENT_STOCK',
    shortLines: [{ sku: 'TEE-BLK-M', requested: 1, available: 0 }],
    rejectedAt: '2025-03-01T10:15:01Z',
  } satisfies StockRejectedV1,
  'waybill.order.rejected.v1': {
    orderId: EXAMPLE_IDS.orderId,
    reason: 'ORDER.INSUFFICIENT_STOCK',
    shortLines: [{ sku: 'TEE-BLK-M', requested: 1, available: 0 }],
    rejectedAt: '2025-03-01T10:15:02Z',
  } satisfies OrderRejectedV1,
  'waybill.payment.authorized.v1': {
    ...payment,
    providerPaymentRef: 'pi_3PqRsT2eZvKYlo2C1example',
    authorizedAt: '2025-03-01T10:15:03Z',
    expiresAt: '2025-03-08T10:15:03Z',
  } satisfies PaymentAuthorizedV1,
  'waybill.payment.action-required.v1': {
    ...payment,
    providerPaymentRef: '3f9a8c2e5b7d4e1f9a6c2d8b7e4f1a90',
    nextAction: { type: 'qr_code', qrCode: 'https://qr.alipay.com/bax08431ifq3dxmbwcyu00a6' },
    expiresAt: '2025-03-01T10:30:03Z',
    requiredAt: '2025-03-01T10:15:03Z',
  } satisfies PaymentActionRequiredV1,
  'waybill.payment.failed.v1': {
    ...payment,
    reason: 'PAYMENT.DECLINED',
    declineCode: 'insufficient_funds',
    failedAt: '2025-03-01T10:15:03Z',
  } satisfies PaymentFailedV1,
  'waybill.order.confirmed.v1': {
    orderId: EXAMPLE_IDS.orderId,
    storefrontId: 'shop-eu',
    reservationId: EXAMPLE_IDS.reservationId,
    paymentId: EXAMPLE_IDS.paymentId,
    customer,
    lines,
    currency: 'EUR',
    totalAmount: 5390,
    shippingAddress,
    confirmedAt: '2025-03-01T10:15:04Z',
  } satisfies OrderConfirmedV1,
  'waybill.order.cancelled.v1': {
    orderId: EXAMPLE_IDS.orderId,
    reason: 'ORDER.PAYMENT_FAILED',
    reservationId: EXAMPLE_IDS.reservationId,
    cancelledAt: '2025-03-01T10:15:04Z',
  } satisfies OrderCancelledV1,
  'waybill.inventory.stock-released.v1': {
    orderId: EXAMPLE_IDS.orderId,
    reservationId: EXAMPLE_IDS.reservationId,
    reason: 'INVENTORY.ORDER_CANCELLED',
    lines: stockLines,
    releasedAt: '2025-03-01T10:15:05Z',
  } satisfies StockReleasedV1,
  'waybill.payment.voided.v1': {
    ...payment,
    reason: 'PAYMENT.ORDER_CANCELLED',
    voidedAt: '2025-03-01T10:15:05Z',
  } satisfies PaymentVoidedV1,
  'waybill.shipment.created.v1': {
    ...shipment,
    labelRef: 'labels/2025/03/01/b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e.pdf',
    createdAt: '2025-03-01T10:16:00Z',
  } satisfies ShipmentCreatedV1,
  'waybill.shipment.status-changed.v1': {
    ...shipment,
    status: 'in_transit',
    previousStatus: 'label_created',
    carrierStatus: 'PU',
    location: 'Berlin Hub',
    occurredAt: '2025-03-01T17:42:00+01:00',
  } satisfies ShipmentStatusChangedV1,
  'waybill.order.shipped.v1': {
    ...shipment,
    shippedAt: '2025-03-01T16:42:00Z',
  } satisfies OrderShippedV1,
  'waybill.payment.captured.v1': {
    ...payment,
    capturedAt: '2025-03-01T16:42:02Z',
  } satisfies PaymentCapturedV1,
  'waybill.inventory.stock-committed.v1': {
    orderId: EXAMPLE_IDS.orderId,
    reservationId: EXAMPLE_IDS.reservationId,
    lines: stockLines,
    committedAt: '2025-03-01T16:42:02Z',
  } satisfies StockCommittedV1,
  'waybill.shipment.exception.v1': {
    ...shipment,
    carrierStatus: 'ADDRESS_ISSUE',
    message: 'Recipient address incomplete; parcel held at depot.',
    occurredAt: '2025-03-02T08:10:00Z',
  } satisfies ShipmentExceptionV1,
  'waybill.shipment.delivered.v1': {
    ...shipment,
    deliveredAt: '2025-03-03T11:05:00Z',
  } satisfies ShipmentDeliveredV1,
  'waybill.order.completed.v1': {
    orderId: EXAMPLE_IDS.orderId,
    shipmentId: EXAMPLE_IDS.shipmentId,
    deliveredAt: '2025-03-03T11:05:00Z',
    completedAt: '2025-03-03T11:05:01Z',
  } satisfies OrderCompletedV1,
  'waybill.payment.refunded.v1': {
    ...payment,
    refundId: EXAMPLE_IDS.refundId,
    amount: 2400,
    reason: 'PAYMENT.RETURNED',
    refundedAt: '2025-03-10T09:00:00Z',
  } satisfies PaymentRefundedV1,
  'waybill.inventory.stock-low.v1': {
    sku: 'TEE-BLK-M',
    available: 3,
    incoming: 0,
    reorderPoint: 5,
    detectedAt: '2025-03-01T16:42:03Z',
  } satisfies StockLowV1,
  'waybill.replenishment.run-requested.v1': {
    requestId: EXAMPLE_IDS.requestId,
    skus: ['TEE-BLK-M'],
    requestedBy: 'ops-console:jane',
    requestedAt: '2025-03-01T16:45:00Z',
  } satisfies ReplenishmentRunRequestedV1,
  'waybill.inventory.replenishment-requested.v1': {
    replenishmentId: EXAMPLE_IDS.replenishmentId,
    sku: 'TEE-BLK-M',
    quantity: 50,
    trigger: 'reorder_point',
    cycle: '2025-03-01',
    available: 3,
    incoming: 0,
    reorderPoint: 5,
    requestedAt: '2025-03-01T16:42:04Z',
  } satisfies ReplenishmentRequestedV1,
  'waybill.inventory.purchase-order-issued.v1': {
    purchaseOrderId: EXAMPLE_IDS.purchaseOrderId,
    poNumber: 'PO-2025-000042',
    supplier,
    lines: [{ sku: 'TEE-BLK-M', quantity: 50 }],
    replenishmentId: EXAMPLE_IDS.replenishmentId,
    issuedAt: '2025-03-01T16:42:05Z',
  } satisfies PurchaseOrderIssuedV1,
  'waybill.inventory.stock-received.v1': {
    purchaseOrderId: EXAMPLE_IDS.purchaseOrderId,
    poNumber: 'PO-2025-000042',
    supplier,
    receiptRef: 'DN-88121',
    lines: [{ sku: 'TEE-BLK-M', quantity: 50 }],
    receivedAt: '2025-03-04T07:30:00Z',
  } satisfies StockReceivedV1,
};

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) {
      deepFreeze(child);
    }
    Object.freeze(value);
  }
  return value;
}

export type ExampleEventType = keyof typeof examples;

/** A valid `data` object for every registered event type, keyed by `ce_type`. */
export const EVENT_EXAMPLES: Readonly<Record<string, object>> = deepFreeze(structuredClone(examples));

/** A fresh, mutable copy of an example, optionally with top-level fields replaced. */
export function exampleData<T extends object = Record<string, unknown>>(
  type: string,
  overrides: Readonly<Record<string, unknown>> = {},
): T {
  const example = EVENT_EXAMPLES[type];
  if (!example) {
    throw new Error(`no example for event type ${type}`);
  }
  return { ...(structuredClone(example) as T), ...overrides };
}
