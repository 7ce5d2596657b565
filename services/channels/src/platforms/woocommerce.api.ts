/**
 * WooCommerce's REST API v3 for the reconciliation poller (`GET /wp-json/wc/v3/orders` by
 * modification date, the one way to recover the webhooks WooCommerce never retries) and the
 * Shipment Tracking extension for the tracking-back dispatcher (notes A2). HTTP Basic auth with the
 * consumer key and secret, as WooCommerce takes them over HTTPS.
 *
 * Hand-written on fetch: WooCommerce has no maintained Node client for this (the old
 * `@woocommerce/woocommerce-rest-api` wraps axios and knows nothing of the tracking extension),
 * and two GETs and a POST need none.
 */
import type { ChannelKind } from '../domain/connection';
import { isRecord } from '../domain/map-order';
import { callPlatform, parseJson, PlatformAnswer, utcInstant } from './platform-http';
import type {
  ModifiedOrdersOutcome,
  ModifiedOrdersQuery,
  PlatformCall,
  PolledOrder,
  StorefrontApi,
  TrackingReport,
  TrackingReportOutcome,
} from './storefront-api';

/** WooCommerce answers at most 100 per page. */
const MAX_PAGE = 100;

/**
 * Statuses that mean the order will not ship: cancelled, and refunded (WooCommerce sets it on a
 * full refund; a part refund leaves the status alone), and trash.
 */
const CANCELLED_STATUSES = new Set(['cancelled', 'refunded', 'trash']);

/**
 * Waybill carrier → the Shipment Tracking extension's `tracking_provider`, for carriers on its
 * built-in list. From memory of the extension's provider list (grouped by country: Australia Post,
 * Royal Mail, UPS, USPS, Fedex, DHL …), none of Waybill's carriers is on it: SF and ZTO are not,
 * EasyPost and AfterShip are no carriers but intermediaries, and `direct` and `sandbox` are
 * Waybill's own. So the table is empty and every parcel goes the extension's custom way,
 * `custom_tracking_provider` named below + `custom_tracking_link`; add a row when a carrier is on
 * the list (checked against the extension), so WooCommerce builds the link itself.
 */
export const WOO_TRACKING_PROVIDERS: Readonly<Record<string, string>> = {};

/** The name shown to the buyer for a custom provider. */
export const WOO_CUSTOM_PROVIDER_NAMES: Readonly<Record<string, string>> = {
  sf: 'SF Express',
  zto: 'ZTO Express',
  easypost: 'EasyPost',
  aftership: 'AfterShip',
  direct: 'Direct delivery',
  sandbox: 'Sandbox carrier',
};

export class WooCommerceStorefrontApi implements StorefrontApi {
  readonly channel = 'woocommerce' satisfies ChannelKind;

  async ordersModifiedSince(call: PlatformCall, query: ModifiedOrdersQuery): Promise<ModifiedOrdersOutcome> {
    const sinceMs = Date.parse(query.since);
    if (Number.isNaN(sinceMs)) {
      return { status: 'failed', reason: `since ${JSON.stringify(query.since)} is not an ISO 8601 instant` };
    }
    const page = query.cursor === undefined ? 1 : Number(query.cursor);
    if (!Number.isSafeInteger(page) || page < 1) {
      return { status: 'failed', reason: `cursor ${JSON.stringify(query.cursor)} is not a page number` };
    }
    const perPage = Math.min(Math.max(Math.trunc(query.limit), 1), MAX_PAGE);
    const params = new URLSearchParams({
      // modified_after is strictly after, to the second: one second earlier answers "at or after".
      modified_after: new Date(sinceMs - 1000).toISOString().slice(0, 19),
      dates_are_gmt: 'true',
      orderby: 'modified',
      order: 'asc',
      per_page: String(perPage),
      page: String(page),
    });
    const answer = await woo(call, 'GET', `/wp-json/wc/v3/orders?${params.toString()}`);
    if (!answer.ok) {
      return answer.problem;
    }
    if (answer.status !== 200) {
      return { status: 'failed', reason: refusal(answer.status, answer.text) };
    }
    const elements = arrayElements(answer.text);
    if (elements === undefined) {
      return {
        status: 'retry',
        reason: 'WooCommerce answered HTTP 200 with a body that is not a JSON array',
      };
    }
    const orders: PolledOrder[] = [];
    for (const [index, element] of elements.entries()) {
      const polled = polledOrder(element);
      if (typeof polled === 'string') {
        // Skipping it would move the watermark past an order never read: the page fails instead.
        return { status: 'failed', reason: `WooCommerce's orders[${index}]: ${polled}` };
      }
      orders.push(polled);
    }
    const totalPages = Number(answer.headers.get('x-wp-totalpages') ?? '');
    const more =
      Number.isSafeInteger(totalPages) && totalPages > 0 ? page < totalPages : orders.length === perPage;
    return { status: 'page', orders, ...(more && { nextCursor: String(page + 1) }) };
  }

  async reportTracking(call: PlatformCall, report: TrackingReport): Promise<TrackingReportOutcome> {
    if (!/^[1-9]\d*$/.test(report.externalOrderId)) {
      return {
        status: 'failed',
        reason: `WooCommerce order id ${JSON.stringify(report.externalOrderId)} is not numeric`,
      };
    }
    const path = `/wp-json/wc-shipment-tracking/v3/orders/${report.externalOrderId}/shipment-trackings`;
    // The extension has no idempotency key: a tracking number already on the order is this parcel.
    const listed = await woo(call, 'GET', path);
    if (!listed.ok) {
      return listed.problem;
    }
    if (listed.status !== 200) {
      return { status: 'failed', reason: trackingRefusal(listed.status, listed.text) };
    }
    const trackings = parseJson(listed.text);
    if (!Array.isArray(trackings)) {
      return { status: 'retry', reason: 'WooCommerce listed the trackings as something not a JSON array' };
    }
    const earlier = trackings.find(
      (tracking) => isRecord(tracking) && tracking.tracking_number === report.trackingNumber,
    ) as Record<string, unknown> | undefined;
    if (earlier !== undefined) {
      return reported(earlier);
    }
    if (report.platformRef !== undefined) {
      // The extension has no update: the parcel's earlier tracking goes, then the new one is added.
      // Removed first, so a retry after a lost answer finds it gone (404) and only adds.
      if (!/^[0-9a-f]+$/.test(report.platformRef)) {
        return { status: 'failed', reason: `${JSON.stringify(report.platformRef)} is no tracking_id` };
      }
      const removed = await woo(call, 'DELETE', `${path}/${report.platformRef}`);
      if (!removed.ok) {
        return removed.problem;
      }
      if (removed.status !== 200 && removed.status !== 404) {
        return { status: 'failed', reason: trackingRefusal(removed.status, removed.text) };
      }
    }
    const created = await woo(call, 'POST', path, trackingBody(report, call.connection.defaults.timezone));
    if (!created.ok) {
      return created.problem;
    }
    if (created.status !== 201 && created.status !== 200) {
      return { status: 'failed', reason: trackingRefusal(created.status, created.text) };
    }
    const tracking = parseJson(created.text);
    if (!isRecord(tracking) || tracking.tracking_number !== report.trackingNumber) {
      return { status: 'failed', reason: 'WooCommerce answered the tracking without its tracking number' };
    }
    return reported(tracking);
  }
}

function reported(tracking: Record<string, unknown>): TrackingReportOutcome {
  return typeof tracking.tracking_id === 'string' && tracking.tracking_id !== ''
    ? { status: 'reported', platformRef: tracking.tracking_id }
    : { status: 'reported' };
}

function trackingBody(report: TrackingReport, timezone: string): Record<string, string> {
  const provider = WOO_TRACKING_PROVIDERS[report.carrier];
  return {
    ...(provider !== undefined
      ? { tracking_provider: provider }
      : {
          custom_tracking_provider: WOO_CUSTOM_PROVIDER_NAMES[report.carrier] ?? report.carrier,
          ...(report.trackingUrl !== undefined && { custom_tracking_link: report.trackingUrl }),
        }),
    tracking_number: report.trackingNumber,
    date_shipped: shippedDate(report.shippedAt, timezone),
  };
}

/** The extension takes the shipping date as `YYYY-MM-DD`, the store's calendar day. */
function shippedDate(shippedAt: string, timezone: string): string {
  const at = new Date(Date.parse(shippedAt));
  if (Number.isNaN(at.getTime())) {
    return new Date().toISOString().slice(0, 10);
  }
  try {
    // en-CA writes dates as YYYY-MM-DD.
    return new Intl.DateTimeFormat('en-CA', { timeZone: timezone }).format(at);
  } catch {
    return at.toISOString().slice(0, 10);
  }
}

async function woo(
  call: PlatformCall,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  json?: unknown,
): Promise<PlatformAnswer> {
  const { consumerKey, consumerSecret } = call.secrets.credentials;
  if (!consumerKey || !consumerSecret) {
    return {
      ok: false,
      problem: {
        status: 'failed',
        reason: 'the connection lacks the consumerKey or consumerSecret credential',
      },
    };
  }
  return callPlatform('WooCommerce', {
    url: `${call.connection.api.base.replace(/\/+$/, '')}${path}`,
    method,
    headers: { Authorization: `Basic ${Buffer.from(`${consumerKey}:${consumerSecret}`).toString('base64')}` },
    ...(json !== undefined && { json }),
    timeoutMs: call.timeoutMs,
  });
}

/** A WordPress REST error: `{code, message, data: {status}}`. */
function refusal(status: number, text: string): string {
  const body = parseJson(text);
  const code = isRecord(body) && typeof body.code === 'string' ? ` ${body.code}` : '';
  const message = isRecord(body) && typeof body.message === 'string' ? `: ${body.message.slice(0, 200)}` : '';
  return `WooCommerce answered HTTP ${status}${code}${message}`;
}

function trackingRefusal(status: number, text: string): string {
  const said = refusal(status, text);
  // WordPress answers an unknown route with rest_no_route: the extension is not active on the store.
  return said.includes('rest_no_route') ? `${said} (is the Shipment Tracking extension installed?)` : said;
}

/** One order of the list → PolledOrder, or what is wrong with it. */
function polledOrder(rawOrder: string): PolledOrder | string {
  const order = parseJson(rawOrder);
  if (!isRecord(order)) {
    return 'not an object';
  }
  if (typeof order.id !== 'number' || !Number.isSafeInteger(order.id) || order.id < 1) {
    return `id is ${JSON.stringify(order.id) ?? 'missing'}, not an order id`;
  }
  // date_modified_gmt is GMT written without a zone.
  const modified = order.date_modified_gmt;
  const updatedAt =
    typeof modified === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/.test(modified)
      ? utcInstant(`${modified}Z`)
      : undefined;
  if (updatedAt === undefined) {
    return `order ${order.id}: date_modified_gmt is ${JSON.stringify(modified) ?? 'missing'}`;
  }
  if (typeof order.status !== 'string') {
    return `order ${order.id}: status is ${JSON.stringify(order.status) ?? 'missing'}`;
  }
  return {
    externalOrderId: String(order.id),
    updatedAt,
    cancelled: CANCELLED_STATUSES.has(order.status),
    // The order's text as WooCommerce wrote it, so the mapper reads exactly what a webhook carries.
    payload: { format: 'woocommerce-rest', rawBody: rawOrder },
  };
}

/**
 * The source text of each element of a top-level JSON array, or undefined when the text is not
 * one. JSON.parse vouches for the text first, so the walk only tracks strings and nesting.
 */
export function arrayElements(text: string): string[] | undefined {
  if (!Array.isArray(parseJson(text))) {
    return undefined;
  }
  const elements: string[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let at = 0; at < text.length; at++) {
    const char = text.charAt(at);
    if (inString) {
      if (char === '\\') {
        at++;
      } else if (char === '"') {
        inString = false;
      }
      continue;
    }
    if (depth === 1 && start === -1 && !/[\s,\]]/.test(char)) {
      start = at;
    }
    if (char === '"') {
      inString = true;
    } else if (char === '[' || char === '{') {
      depth++;
    } else if (char === ']' || char === '}') {
      depth--;
    }
    // An element ends at a comma or the array's closing bracket, outside any nesting.
    if (start !== -1 && ((depth === 1 && char === ',') || depth === 0)) {
      elements.push(text.slice(start, at).trim());
      start = -1;
    }
  }
  return elements;
}
