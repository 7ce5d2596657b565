/**
 * What the intake needs to know of a platform order before it maps it — which order it is, whether
 * the platform has the money, whether it is cancelled — and the mapper that reads each payload
 * shape. Only paid orders become Waybill orders: a Shopify order awaiting a bank transfer, a
 * WooCommerce order still `pending` or `on-hold`, a Youzan trade still WAIT_BUYER_PAY would be
 * shipped unpaid otherwise. They are kept as `awaiting_payment` and taken in when a later delivery
 * (a webhook or the poller) shows them paid.
 */
import type { MappingOutcome } from '../domain/canonical-order';
import { externalIdAt, parseRawJson } from '../domain/external-id';
import { isRecord, type MapOptions } from '../domain/map-order';
import { mapShopifyGraphqlOrder } from './shopify-graphql-order';
import { mapShopifyOrder } from './shopify-order';
import type { OrderPayload, PayloadFormat } from './storefront-api';
import { mapWooCommerceOrder } from './woocommerce-order';
import { mapYouzanOrder } from './youzan-order';

export interface OrderStanding {
  /** Undefined when the payload names no readable order id. */
  readonly externalOrderId?: string;
  readonly paid: boolean;
  readonly cancelled: boolean;
  /** The platform's own words for it, for logs and the held-orders view. */
  readonly platformStatus: string;
}

interface StandingRule {
  readonly idPointer: string;
  /** Where the status is, and which values mean paid and cancelled. */
  readonly status: (order: Record<string, unknown>) => string;
  readonly paid: ReadonlySet<string>;
  readonly cancelled: (order: Record<string, unknown>, status: string) => boolean;
}

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

const RULES: Readonly<Record<PayloadFormat, StandingRule>> = {
  // `authorized`: the shop captures on fulfilment, as Waybill's own manual-capture providers do.
  'shopify-rest': {
    idPointer: '/id',
    status: (order) => text(order.financial_status),
    paid: new Set(['paid', 'partially_refunded', 'authorized']),
    cancelled: (order) => order.cancelled_at !== null && order.cancelled_at !== undefined,
  },
  'shopify-graphql': {
    idPointer: '/legacyResourceId',
    status: (order) => text(order.displayFinancialStatus).toLowerCase(),
    paid: new Set(['paid', 'partially_refunded', 'authorized']),
    cancelled: (order) => order.cancelledAt !== null && order.cancelledAt !== undefined,
  },
  // WooCommerce sets `processing` once payment is received; a whole refund ends the order too.
  'woocommerce-rest': {
    idPointer: '/id',
    status: (order) => text(order.status),
    paid: new Set(['processing', 'completed']),
    cancelled: (_order, status) => status === 'cancelled' || status === 'refunded' || status === 'failed',
  },
  'youzan-trade': {
    idPointer: '/full_order_info/order_info/tid',
    status: (order) => {
      const full = isRecord(order.full_order_info) ? order.full_order_info : {};
      const info = isRecord(full.order_info) ? full.order_info : {};
      return text(info.status) || text(order.status);
    },
    paid: new Set(['WAIT_SELLER_SEND_GOODS', 'WAIT_BUYER_CONFIRM_GOODS', 'TRADE_SUCCESS']),
    cancelled: (_order, status) => status === 'TRADE_CLOSED',
  },
};

export function orderStanding(payload: OrderPayload): OrderStanding {
  const rule = RULES[payload.format];
  const parsed = parseRawJson(payload.rawBody);
  if (!parsed.ok || !isRecord(parsed.json.value)) {
    return { paid: false, cancelled: false, platformStatus: 'unreadable' };
  }
  const order = parsed.json.value;
  const id = externalIdAt(parsed.json, rule.idPointer);
  const status = rule.status(order);
  const cancelled = rule.cancelled(order, status);
  return {
    ...(id.ok && { externalOrderId: id.id }),
    paid: !cancelled && rule.paid.has(status),
    cancelled,
    platformStatus: cancelled ? `cancelled (${status || 'no status'})` : status || 'no status',
  };
}

type Mapper = (rawBody: string, options: Omit<MapOptions, 'payload'>) => Promise<MappingOutcome>;

const MAPPERS: Readonly<Record<PayloadFormat, Mapper>> = {
  'shopify-rest': mapShopifyOrder,
  'shopify-graphql': mapShopifyGraphqlOrder,
  'woocommerce-rest': mapWooCommerceOrder,
  'youzan-trade': mapYouzanOrder,
};

/** The mapper of the payload's shape; a webhook's and the poller's copy of one order map alike. */
export function mapOrderPayload(
  payload: OrderPayload,
  options: Omit<MapOptions, 'payload'>,
): Promise<MappingOutcome> {
  return MAPPERS[payload.format](payload.rawBody, options);
}
