/**
 * One connection's platform as a source on the one webhook ingress: the platform's own signature
 * check on the raw bytes (shopify-, woocommerce-, youzan-signature.ts), then what the delivery
 * says, read the same way from the stored copy. The ingress stores, dedupes, counts and answers;
 * the intake (TakeInOrder) decides what the order becomes.
 */
import {
  jsonAcknowledgement,
  WebhookAcknowledgement,
  WebhookReceipt,
  WebhookSource,
} from '@waybill/eventing';
import type { WebhookHeaders, WebhookVerdict } from '@waybill/platform';
import type { ConnectionSecrets, ConnectionView } from '../domain/connection';
import { externalIdAt, parseRawJson } from '../domain/external-id';
import { isRecord, records } from '../domain/map-order';
import { toMinorUnits } from '../domain/money';
import { SHOPIFY_HEADERS, SHOPIFY_STORED_HEADERS, verifyShopifyWebhook } from './shopify-signature';
import type { OrderPayload } from './storefront-api';
import { verifyWooCommerceWebhook, WOOCOMMERCE_STORED_HEADERS } from './woocommerce-signature';
import { decodeYouzanMsg, verifyYouzanPush, YOUZAN_ACKNOWLEDGEMENT, youzanMsgText } from './youzan-signature';

/** What one delivery asks of the channel. */
export type ChannelDelivery =
  /**
   * An order created, updated, paid or cancelled: its payload says which. WooCommerce states its
   * refunds inside the order (`refunds[]`), so they come with it.
   */
  | { readonly kind: 'order'; readonly payload: OrderPayload; readonly refunds?: readonly RefundFacts[] }
  | ({ readonly kind: 'refund' } & RefundFacts);

/** One platform refund, recorded once per refund id. */
export interface RefundFacts {
  readonly refundId: string;
  readonly externalOrderId: string;
  /** In minor units, positive, when the platform states one amount in one currency. */
  readonly amount?: { readonly minor: number; readonly currency: string };
  readonly rawBody: string;
}

/** What taking a delivery in did, for logs and for the acknowledgement of senders that show it. */
export interface DeliveryTaken {
  readonly outcome: 'submitted' | 'held' | 'awaiting_payment' | 'cancelled' | 'duplicate' | 'refund-recorded';
  readonly channelOrderId?: string;
}

export class ChannelWebhookSource implements WebhookSource<ChannelDelivery, DeliveryTaken> {
  readonly name: string;
  readonly storedHeaders: readonly string[];

  constructor(
    private readonly connection: ConnectionView,
    private readonly secrets: ConnectionSecrets,
  ) {
    this.name = connection.channel;
    this.storedHeaders =
      connection.channel === 'shopify'
        ? SHOPIFY_STORED_HEADERS
        : connection.channel === 'woocommerce'
          ? WOOCOMMERCE_STORED_HEADERS
          : [];
  }

  verify(rawBody: Buffer, headers: WebhookHeaders, now: Date): WebhookVerdict {
    const { connection, secrets } = this;
    switch (connection.channel) {
      case 'shopify':
        return verifyShopifyWebhook({
          rawBody,
          headers,
          secrets: [secrets.signingSecret],
          shopDomain: connection.store,
          now,
        });
      case 'woocommerce':
        return verifyWooCommerceWebhook({
          rawBody,
          headers,
          secrets: [secrets.signingSecret],
          siteUrl: connection.store,
        });
      case 'youzan':
        return verifyYouzanPush({
          rawBody,
          clientId: secrets.credentials.clientId ?? '',
          clientSecret: secrets.signingSecret,
          kdtId: connection.store,
        });
    }
  }

  read(rawBody: Buffer, headers: Readonly<Record<string, string>>): ChannelDelivery {
    const text = rawBody.toString('utf8');
    switch (this.connection.channel) {
      case 'shopify':
        return headers[SHOPIFY_HEADERS.topic] === 'refunds/create'
          ? shopifyRefund(text)
          : { kind: 'order', payload: { format: 'shopify-rest', rawBody: text } };
      case 'woocommerce':
        // Refunds and cancellations arrive as order.updated with the order's new status.
        return {
          kind: 'order',
          payload: { format: 'woocommerce-rest', rawBody: text },
          refunds: wooRefunds(text),
        };
      case 'youzan':
        return youzanDelivery(text);
    }
  }

  acknowledge(_receipt: WebhookReceipt<DeliveryTaken>): WebhookAcknowledgement {
    // Youzan pushes again unless it reads exactly this; Shopify and WooCommerce take any 2xx.
    return jsonAcknowledgement(
      this.connection.channel === 'youzan' ? YOUZAN_ACKNOWLEDGEMENT : { received: true },
    );
  }
}

function shopifyRefund(text: string): ChannelDelivery {
  const parsed = parseRawJson(text);
  if (!parsed.ok || !isRecord(parsed.json.value)) {
    throw new Error('a stored Shopify refund is not a JSON object');
  }
  const refundId = externalIdAt(parsed.json, '/id');
  const orderId = externalIdAt(parsed.json, '/order_id');
  if (!refundId.ok || !orderId.ok) {
    throw new Error('a stored Shopify refund names no refund or order id');
  }
  // The money refunded is the successful refund transactions; one currency or no stated amount.
  const refunds = records(parsed.json.value.transactions).filter(
    (transaction) => transaction.kind === 'refund' && transaction.status === 'success',
  );
  const currencies = new Set(refunds.map((transaction) => transaction.currency));
  let amount: { minor: number; currency: string } | undefined;
  const [currency] = currencies;
  if (currencies.size === 1 && typeof currency === 'string') {
    let minor = 0;
    for (const transaction of refunds) {
      const part = toMinorUnits(String(transaction.amount), currency);
      if (!part.ok) {
        minor = Number.NaN;
        break;
      }
      minor += part.minor;
    }
    amount = Number.isSafeInteger(minor) ? { minor, currency } : undefined;
  }
  return {
    kind: 'refund',
    refundId: refundId.id,
    externalOrderId: orderId.id,
    ...(amount && { amount }),
    rawBody: text,
  };
}

/** `refunds: [{id, reason, total: "-10.00"}]` of a WooCommerce order, in the order's currency. */
function wooRefunds(text: string): RefundFacts[] {
  const order: unknown = JSON.parse(text);
  if (!isRecord(order) || typeof order.id !== 'number' || typeof order.currency !== 'string') {
    return [];
  }
  const currency = order.currency;
  return records(order.refunds).flatMap((refund): RefundFacts[] => {
    if (typeof refund.id !== 'number') {
      return [];
    }
    const total =
      typeof refund.total === 'string'
        ? toMinorUnits(refund.total, currency, { allowNegative: true })
        : undefined;
    return [
      {
        refundId: String(refund.id),
        externalOrderId: String(order.id),
        ...(total?.ok && { amount: { minor: Math.abs(total.minor), currency } }),
        rawBody: JSON.stringify(refund),
      },
    ];
  });
}

function youzanDelivery(text: string): ChannelDelivery {
  const body: unknown = JSON.parse(text);
  if (!isRecord(body) || typeof body.msg !== 'string' || typeof body.id !== 'string') {
    throw new Error('a stored Youzan push has no msg or id');
  }
  const message = decodeYouzanMsg(body.msg);
  if (body.type === 'TRADE_ORDER_REFUND') {
    const refundId =
      typeof message.refund_id === 'string' ? message.refund_id : `${body.id}:${String(body.status)}`;
    return { kind: 'refund', refundId, externalOrderId: body.id, rawBody: text };
  }
  // The trade as msg carries it (decoded), in the shape the Youzan mapper reads.
  return { kind: 'order', payload: { format: 'youzan-trade', rawBody: youzanMsgText(body.msg) } };
}
