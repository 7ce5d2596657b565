/**
 * Shopify webhook deliveries (HTTPS), verified on the exact raw bytes
 * (channels-and-console notes A1):
 *   X-Shopify-Hmac-Sha256   base64(HMAC-SHA256(raw body, signing secret))
 *   X-Shopify-Webhook-Id    the delivery id, the same on every retry: what dedups
 *   X-Shopify-Topic         orders/create | orders/paid | orders/cancelled | refunds/create (others: answered, ignored)
 *   X-Shopify-Shop-Domain   the shop; must be the connection's (a public app signs every shop's
 *                           webhooks with one secret, so a signature alone does not name the shop)
 *   X-Shopify-API-Version   the Admin API version that serialised the body
 *   X-Shopify-Triggered-At  when the event fired, kept on retries: the staleness bound
 *
 * Why the HMAC check is ours and not `shopify.webhooks.validate` from @shopify/shopify-api: that
 * call is async while a webhook source verifies synchronously; it takes the body as a string, so
 * it cannot check the bytes as received (a body that is not valid UTF-8 is re-encoded before it
 * is hashed); it is bound to one `apiSecretKey` per configured app, while each connection has its
 * own secret (store-created webhooks are signed with the store's key, not the app's) and may hold
 * two during a rotation; and its one `invalid_hmac` does not tell a malformed header from a wrong
 * one. The check is base64-hmac-signature.ts, shared with WooCommerce;
 * shopify-signature.spec.ts proves it accepts and refuses exactly what the library does, for
 * valid, tampered and wrongly keyed bodies (fast-check), and the library stays a test-only witness.
 * What is hand-written here is header reading, the shop check and the staleness bound.
 *
 * Staleness: Shopify retries a failed delivery 8 times over 4 hours, each retry carrying the
 * original X-Shopify-Triggered-At. A retry is legitimate up to 4 h after the event, plus the time
 * Shopify's queue took to make the first attempt; six hours keeps two hours of margin for that and
 * still refuses a capture replayed the next day. Five minutes ahead allows for clock skew. The
 * header is not signed, so the bound stops honest late retries and verbatim replays; a replay that
 * rewrites it is still caught by deduplication on X-Shopify-Webhook-Id. The bound is checked after
 * the signature, so it cannot be probed without the secret.
 */
import { headerValue, type WebhookHeaders, type WebhookRefusal } from '@waybill/platform';
import { verifyBase64BodyHmac } from './base64-hmac-signature';

export const SHOPIFY_HEADERS = {
  hmac: 'x-shopify-hmac-sha256',
  topic: 'x-shopify-topic',
  shopDomain: 'x-shopify-shop-domain',
  webhookId: 'x-shopify-webhook-id',
  apiVersion: 'x-shopify-api-version',
  triggeredAt: 'x-shopify-triggered-at',
  eventId: 'x-shopify-event-id',
} as const;

/** What the ingress keeps beside the body so a stored copy verifies and reads again. */
export const SHOPIFY_STORED_HEADERS: readonly string[] = Object.values(SHOPIFY_HEADERS);

/**
 * The topics the channel acts on; any other verified topic is answered and never stored.
 * `orders/paid` takes in an order that was created unpaid (a bank transfer, cash on delivery).
 */
export const SHOPIFY_TOPICS = ['orders/create', 'orders/paid', 'orders/cancelled', 'refunds/create'] as const;
export type ShopifyTopic = (typeof SHOPIFY_TOPICS)[number];

export const SHOPIFY_MAX_AGE_SECONDS = 6 * 3600;
export const SHOPIFY_MAX_FUTURE_SECONDS = 300;

export interface ShopifyWebhookCheck {
  readonly rawBody: Buffer;
  readonly headers: WebhookHeaders;
  readonly secrets: readonly string[];
  /** The connection's shop, `example.myshopify.com`; compared case-insensitively. */
  readonly shopDomain: string;
  readonly now: Date;
  readonly maxAgeSeconds?: number;
}

export type ShopifyWebhookVerdict =
  | {
      readonly ok: true;
      /** X-Shopify-Webhook-Id. */
      readonly externalId: string;
      /** The topic as Shopify names it, `orders/create`. */
      readonly eventType: string;
      readonly ignored?: boolean;
      readonly shopDomain: string;
      readonly apiVersion: string;
      readonly triggeredAt: string;
    }
  | WebhookRefusal;

/** ISO 8601 with a zone; Shopify writes nanoseconds (`2024-09-10T12:00:00.123456789Z`). */
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
const WEBHOOK_ID = /^[\x21-\x7e]{1,128}$/;

export function isShopifyTopic(topic: string): topic is ShopifyTopic {
  return (SHOPIFY_TOPICS as readonly string[]).includes(topic);
}

export function verifyShopifyWebhook(check: ShopifyWebhookCheck): ShopifyWebhookVerdict {
  const refusal = verifyBase64BodyHmac({
    rawBody: check.rawBody,
    header: headerValue(check.headers, SHOPIFY_HEADERS.hmac)?.trim(),
    headerName: 'X-Shopify-Hmac-Sha256',
    secrets: check.secrets,
  });
  if (refusal) {
    return refusal;
  }
  const read = (name: string): string | undefined => {
    const value = headerValue(check.headers, name)?.trim();
    return value === '' ? undefined : value;
  };
  const webhookId = read(SHOPIFY_HEADERS.webhookId);
  const topic = read(SHOPIFY_HEADERS.topic);
  const shopDomain = read(SHOPIFY_HEADERS.shopDomain);
  const apiVersion = read(SHOPIFY_HEADERS.apiVersion);
  const triggeredAt = read(SHOPIFY_HEADERS.triggeredAt);
  // The library's required set (hmac, topic, domain, API version, webhook id), and triggered-at,
  // which every HTTPS delivery carries and the staleness bound needs.
  const missing = [
    webhookId ? undefined : 'X-Shopify-Webhook-Id',
    topic ? undefined : 'X-Shopify-Topic',
    shopDomain ? undefined : 'X-Shopify-Shop-Domain',
    apiVersion ? undefined : 'X-Shopify-API-Version',
    triggeredAt ? undefined : 'X-Shopify-Triggered-At',
  ].filter((name): name is string => name !== undefined);
  if (!webhookId || !topic || !shopDomain || !apiVersion || !triggeredAt) {
    return malformed(`missing header(s): ${missing.join(', ')}`);
  }
  if (!WEBHOOK_ID.test(webhookId)) {
    return malformed('X-Shopify-Webhook-Id must be 1–128 printable characters');
  }
  if (shopDomain.toLowerCase() !== check.shopDomain.trim().toLowerCase()) {
    return {
      ok: false,
      rejection: 'SIGNATURE_MISMATCH',
      message: 'the delivery is signed for another shop than this connection’s',
    };
  }
  const firedAtMs = INSTANT.test(triggeredAt) ? Date.parse(triggeredAt) : Number.NaN;
  if (Number.isNaN(firedAtMs)) {
    return malformed('X-Shopify-Triggered-At must be an ISO 8601 instant');
  }
  const maxAge = check.maxAgeSeconds ?? SHOPIFY_MAX_AGE_SECONDS;
  const ageMs = check.now.getTime() - firedAtMs;
  if (ageMs > maxAge * 1000 || ageMs < -SHOPIFY_MAX_FUTURE_SECONDS * 1000) {
    return {
      ok: false,
      rejection: 'TIMESTAMP_OUT_OF_TOLERANCE',
      message: `X-Shopify-Triggered-At is more than ${maxAge} s old or ${SHOPIFY_MAX_FUTURE_SECONDS} s ahead`,
    };
  }
  if (!isJsonObject(check.rawBody)) {
    return malformed('the body is not a JSON object');
  }
  return {
    ok: true,
    externalId: webhookId,
    eventType: topic,
    ...(!isShopifyTopic(topic) && { ignored: true }),
    shopDomain: shopDomain.toLowerCase(),
    apiVersion,
    triggeredAt,
  };
}

function malformed(message: string): WebhookRefusal {
  return { ok: false, rejection: 'PAYLOAD_MALFORMED', message };
}

/**
 * Whether the body parses as a JSON object. Only the shape is checked here: the order's int64 ids
 * are read without precision loss by the mapping, never through this parse.
 */
export function isJsonObject(rawBody: Buffer): boolean {
  try {
    const value: unknown = JSON.parse(rawBody.toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}
