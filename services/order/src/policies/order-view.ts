import type { OrderStatus } from '../domain/order-status';
import { orderLinks } from '../order-errors';
import type {
  AddressRecord,
  CustomerRecord,
  OrderLineRecord,
  OrderRecord,
  OrderRepository,
  Queryable,
  TimelineRecord,
} from '../persistence/order.repository';

export interface TimelineEntryView {
  readonly status: OrderStatus;
  readonly reason?: string;
  /** The event that caused the transition (for a request: the event that announced it). */
  readonly event: { readonly id: string; readonly type: string };
  readonly at: string;
}

export interface NextActionView {
  readonly type: 'qr_code' | 'redirect';
  readonly qrCode?: string;
  readonly url?: string;
  readonly expiresAt: string;
}

/** The order as the API shows it. Never the payment token. */
export interface OrderView {
  readonly id: string;
  readonly storefrontId: string;
  readonly storefrontOrderId: string;
  readonly status: OrderStatus;
  readonly statusReason?: string;
  readonly currency: string;
  readonly totals: { readonly subtotal: number; readonly total: number };
  readonly lines: readonly OrderLineRecord[];
  readonly customer: CustomerRecord;
  readonly shippingAddress: AddressRecord;
  /** `nextAction` while AWAITING_PAYMENT: what the storefront shows the buyer, and until when. */
  readonly payment: { readonly provider: string; readonly nextAction?: NextActionView };
  readonly reservationId?: string;
  readonly paymentId?: string;
  readonly shipmentId?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly timeline: readonly TimelineEntryView[];
  readonly links: { readonly self: string; readonly cancel: string };
}

export function toOrderView(order: OrderRecord, timeline: readonly TimelineRecord[]): OrderView {
  return {
    id: order.id,
    storefrontId: order.storefrontId,
    storefrontOrderId: order.storefrontOrderId,
    status: order.status,
    ...(order.statusReason !== undefined && { statusReason: order.statusReason }),
    currency: order.currency,
    totals: { subtotal: order.subtotal, total: order.totalAmount },
    lines: order.lines.map(({ sku, quantity, unitPrice }) => ({ sku, quantity, unitPrice })),
    customer: { id: order.customer.id, email: order.customer.email },
    shippingAddress: order.shippingAddress,
    payment: {
      provider: order.paymentProvider,
      ...(order.status === 'AWAITING_PAYMENT' &&
        order.paymentAction && {
          nextAction: { ...order.paymentAction.nextAction, expiresAt: order.paymentAction.expiresAt },
        }),
    },
    ...(order.reservationId !== undefined && { reservationId: order.reservationId }),
    ...(order.paymentId !== undefined && { paymentId: order.paymentId }),
    ...(order.shipmentId !== undefined && { shipmentId: order.shipmentId }),
    createdAt: order.createdAt.toISOString(),
    updatedAt: order.updatedAt.toISOString(),
    timeline: timeline.map((entry) => ({
      status: entry.status,
      ...(entry.reason !== undefined && { reason: entry.reason }),
      event: { id: entry.eventId, type: entry.eventType },
      at: entry.occurredAt.toISOString(),
    })),
    links: orderLinks(order.id),
  };
}

/** The order with its timeline, read through `queryable` (inside a transaction: its own writes). */
export async function orderViewOf(
  orders: OrderRepository,
  queryable: Queryable,
  orderId: string,
): Promise<OrderView | undefined> {
  const order = await orders.find(queryable, orderId);
  return order && toOrderView(order, await orders.timeline(queryable, orderId));
}
