/**
 * WooCommerce webhook deliveries, verified on the exact raw bytes (channels-and-console notes A2,
 * read from class-wc-webhook.php):
 *   X-WC-Webhook-Signature    base64(HMAC-SHA256(body as sent, secret)) — the check Shopify uses
 *                             too (base64-hmac-signature.ts). WooCommerce passes the secret through
 *                             wp_specialchars_decode first, so the key is the secret as the merchant
 *                             typed it (`&`, not `&amp;`): store that one.
 *   X-WC-Webhook-Source       the store's home URL: must be the connection's
 *   X-WC-Webhook-Topic        order.created | order.updated (acted on; refunds and cancellations
 *                             arrive as order.updated); anything else is answered and ignored
 *   X-WC-Webhook-ID           the webhook's post id
 *   X-WC-Webhook-Delivery-ID  wp_hash(webhook id . time()): new on every delivery
 *
 * Hand-written: WooCommerce has no maintained Node library for its webhooks (the
 * @woocommerce/woocommerce-rest-api client only calls the REST API).
 *
 * Deduplication: WooCommerce never retries, so its delivery id never repeats and dedups nothing;
 * the same change does reach us twice when two webhooks cover one topic, when Action Scheduler runs
 * a delivery twice, or when a captured request is replayed. So the delivery is named by what it
 * says — store, topic, order id and `date_modified_gmt` — and a second copy of it is a duplicate.
 * A body without `date_modified_gmt` (`*.deleted` sends only `{id}`) falls back to the delivery id.
 *
 * No staleness bound: WooCommerce signs no timestamp, and deliveries queued in Action Scheduler
 * can legitimately be late; a replay of a captured delivery is the duplicate above.
 *
 * The creation ping: saving a webhook in WooCommerce posts the form body `webhook_id=N` with no
 * signature, and shows an error unless it gets 200. It carries nothing, so it is recognised before
 * anything else (even on a connection without a secret yet) and answered as ignored, never stored.
 */
import { headerValue, type WebhookHeaders, type WebhookRefusal } from '@waybill/platform';
import { verifyBase64BodyHmac } from './base64-hmac-signature';

export const WOOCOMMERCE_HEADERS = {
  signature: 'x-wc-webhook-signature',
  source: 'x-wc-webhook-source',
  topic: 'x-wc-webhook-topic',
  resource: 'x-wc-webhook-resource',
  event: 'x-wc-webhook-event',
  webhookId: 'x-wc-webhook-id',
  deliveryId: 'x-wc-webhook-delivery-id',
} as const;

export const WOOCOMMERCE_STORED_HEADERS: readonly string[] = Object.values(WOOCOMMERCE_HEADERS);

export const WOOCOMMERCE_TOPICS = ['order.created', 'order.updated'] as const;
export type WooCommerceTopic = (typeof WOOCOMMERCE_TOPICS)[number];

/** The event type of the creation ping. */
export const WOOCOMMERCE_PING = 'ping';

export interface WooCommerceWebhookCheck {
  readonly rawBody: Buffer;
  readonly headers: WebhookHeaders;
  readonly secrets: readonly string[];
  /** The connection's site URL, `https://shop.example`; compared without scheme case or trailing slash. */
  readonly siteUrl: string;
}

export type WooCommerceWebhookVerdict =
  | {
      readonly ok: true;
      readonly externalId: string;
      /** The topic as WooCommerce names it (`order.created`), or `ping`. */
      readonly eventType: string;
      readonly ignored?: boolean;
      readonly webhookId?: string;
      readonly deliveryId?: string;
    }
  | WebhookRefusal;

const PING = /^webhook_id=(\d{1,20})$/;

export function isWooCommerceTopic(topic: string): topic is WooCommerceTopic {
  return (WOOCOMMERCE_TOPICS as readonly string[]).includes(topic);
}

export function verifyWooCommerceWebhook(check: WooCommerceWebhookCheck): WooCommerceWebhookVerdict {
  const read = (name: string): string | undefined => {
    const value = headerValue(check.headers, name)?.trim();
    return value === '' ? undefined : value;
  };
  const signature = read(WOOCOMMERCE_HEADERS.signature);
  const ping = signature === undefined ? PING.exec(check.rawBody.toString('utf8').trim()) : null;
  if (ping) {
    return {
      ok: true,
      externalId: `ping:${ping[1]}`,
      eventType: WOOCOMMERCE_PING,
      ignored: true,
      webhookId: ping[1],
    };
  }
  const refusal = verifyBase64BodyHmac({
    rawBody: check.rawBody,
    header: signature,
    headerName: 'X-WC-Webhook-Signature',
    secrets: check.secrets,
  });
  if (refusal) {
    return refusal;
  }
  const topic = read(WOOCOMMERCE_HEADERS.topic);
  const source = read(WOOCOMMERCE_HEADERS.source);
  const deliveryId = read(WOOCOMMERCE_HEADERS.deliveryId);
  const webhookId = read(WOOCOMMERCE_HEADERS.webhookId);
  if (!topic || !source || !deliveryId) {
    const missing = [
      topic ? undefined : 'X-WC-Webhook-Topic',
      source ? undefined : 'X-WC-Webhook-Source',
      deliveryId ? undefined : 'X-WC-Webhook-Delivery-ID',
    ].filter((name): name is string => name !== undefined);
    return malformed(`missing header(s): ${missing.join(', ')}`);
  }
  if (siteKey(source) !== siteKey(check.siteUrl)) {
    return {
      ok: false,
      rejection: 'SIGNATURE_MISMATCH',
      message: 'the delivery comes from another store than this connection’s',
    };
  }
  const resource = readResource(check.rawBody);
  if (typeof resource === 'string') {
    return malformed(resource);
  }
  const what = resource.modifiedGmt
    ? `${resource.id}@${resource.modifiedGmt}`
    : `${resource.id}#${deliveryId}`;
  return {
    ok: true,
    externalId: `${siteKey(source)}|${topic}|${what}`,
    eventType: topic,
    ...(!isWooCommerceTopic(topic) && { ignored: true }),
    ...(webhookId && { webhookId }),
    deliveryId,
  };
}

/** `https://Shop.example/` and `https://shop.example` are one store; the path is kept (sub-sites). */
export function siteKey(url: string): string {
  const trimmed = url.trim().replace(/\/+$/, '');
  const scheme = /^[a-z][a-z0-9+.-]*:\/\/[^/]*/i.exec(trimmed);
  return scheme ? scheme[0].toLowerCase() + trimmed.slice(scheme[0].length) : trimmed;
}

const GMT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/;

/** The resource's id and GMT modification time, or why the body does not read. */
function readResource(rawBody: Buffer): { readonly id: number; readonly modifiedGmt?: string } | string {
  let value: unknown;
  try {
    value = JSON.parse(rawBody.toString('utf8'));
  } catch {
    return 'the body is not valid JSON';
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return 'the body must be a JSON object';
  }
  const { id, date_modified_gmt: modified } = value as Readonly<Record<string, unknown>>;
  // WooCommerce ids are MySQL post ids, far below 2^53: a number parse loses nothing.
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id <= 0) {
    return 'the body must carry a positive integer id';
  }
  if (modified !== undefined && modified !== null && (typeof modified !== 'string' || !GMT.test(modified))) {
    return 'date_modified_gmt must be yyyy-MM-ddTHH:mm:ss';
  }
  return { id, ...(typeof modified === 'string' && { modifiedGmt: modified }) };
}

function malformed(message: string): WebhookRefusal {
  return { ok: false, rejection: 'PAYLOAD_MALFORMED', message };
}
