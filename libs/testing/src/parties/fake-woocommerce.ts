import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { closeLocal, listenLocal, readBody } from './local-http-party';
import { addDecimals, multiplyDecimal, pause, postWebhook } from './storefront-webhook-sender';

/**
 * A stand-in for one WooCommerce store over real HTTP (channels-and-console notes A2, from
 * class-wc-webhook.php and the v3 REST docs), hand-written on node:http and node:crypto, sharing
 * no code with the channel's WooCommerce adapter.
 *
 * As WooCommerce does, it
 * - delivers webhooks once, never retrying: `X-WC-Webhook-Source` (home URL), `-Topic`,
 *   `-Resource`, `-Event`, `-Signature` (base64 HMAC-SHA256 of the body as sent), `-ID` and a
 *   `-Delivery-ID` new on every delivery; success is a 2xx, 301 or 302 (`code >= 200 && < 303`);
 *   each failure counts, a success resets the count, and once the count is past five
 *   (`woocommerce_max_webhook_delivery_failures`) the webhook is disabled and sends nothing more
 *   until re-enabled (`enableWebhook`, the REST edit a merchant makes);
 * - sends the creation ping, form body `webhook_id=N` with no signature headers;
 * - answers `GET /wp-json/wc/v3/orders` (`modified_after`, `dates_are_gmt`, `per_page`, `page`,
 *   `orderby`/`order` on modification date; X-WP-Total and X-WP-TotalPages) with consumer key and
 *   secret as HTTP Basic auth or `consumer_key`/`consumer_secret` query parameters — the two ways
 *   WooCommerce takes them over HTTPS; this plain-HTTP fake stands in for the HTTPS site (real
 *   WooCommerce over plain HTTP wants OAuth 1.0a instead);
 * - answers the Shipment Tracking extension's
 *   `POST /wp-json/wc-shipment-tracking/v3/orders/:id/shipment-trackings` (`tracking_provider` or
 *   `custom_tracking_provider` + `custom_tracking_link`, `tracking_number`, `date_shipped`) with
 *   201 and the tracking, recording it per order, and its
 *   `GET /wp-json/wc-shipment-tracking/v3/orders/:id/shipment-trackings` listing them and
 *   `DELETE …/shipment-trackings/:tracking_id` removing one (the extension has no update).
 */
export interface FakeWooCommerceOptions {
  readonly consumerKey?: string;
  readonly consumerSecret?: string;
  readonly webhookSecret?: string;
  readonly webhookId?: number;
  /** The site's UTC offset in minutes (site time is what `date_created` is written in). */
  readonly utcOffsetMinutes?: number;
}

export interface WooLineInput {
  readonly sku: string;
  readonly quantity: number;
  /** Unit price, a decimal string. */
  readonly price: string;
  readonly name?: string;
}

export interface WooAddress {
  readonly first_name: string;
  readonly last_name: string;
  readonly company: string;
  readonly address_1: string;
  readonly address_2: string;
  readonly city: string;
  readonly state: string;
  readonly postcode: string;
  readonly country: string;
  readonly phone: string;
}

export interface WooOrderInput {
  readonly id?: number;
  readonly status?: string;
  readonly currency?: string;
  readonly lines?: readonly WooLineInput[];
  readonly shippingTotal?: string;
  /** GMT, `yyyy-MM-ddTHH:mm:ss` (no zone, as WooCommerce writes it). */
  readonly dateCreatedGmt?: string;
  readonly dateModifiedGmt?: string;
  readonly email?: string;
  readonly shipping?: Partial<WooAddress>;
  readonly utcOffsetMinutes?: number;
}

export type WooOrder = Readonly<Record<string, unknown>> & {
  readonly id: number;
  readonly date_modified: string;
  readonly date_modified_gmt: string;
};

let wooSequence = 700;

/** `yyyy-MM-ddTHH:mm:ss`, no zone, as WooCommerce writes its dates. */
function wooDate(at: Date): string {
  return at.toISOString().slice(0, 19);
}

function shift(gmt: string, minutes: number): string {
  return wooDate(new Date(Date.parse(`${gmt}Z`) + minutes * 60_000));
}

/** An order in the v3 REST shape (what `order.*` webhooks carry): totals as strings, adding up. */
export function wooOrder(input: WooOrderInput = {}): WooOrder {
  const id = input.id ?? ++wooSequence;
  const lines = input.lines ?? [{ sku: 'woo-hoodie', quantity: 1, price: '24.35' }];
  const shippingTotal = input.shippingTotal ?? '5.00';
  const created = input.dateCreatedGmt ?? wooDate(new Date());
  const modified = input.dateModifiedGmt ?? created;
  const offset = input.utcOffsetMinutes ?? 0;
  const lineItems = lines.map((line, index) => {
    const total = multiplyDecimal(line.price, line.quantity);
    return {
      id: id * 10 + index,
      name: line.name ?? `Item ${index + 1}`,
      product_id: 90 + index,
      variation_id: 0,
      quantity: line.quantity,
      tax_class: '',
      subtotal: total,
      subtotal_tax: '0.00',
      total,
      total_tax: '0.00',
      taxes: [],
      meta_data: [],
      sku: line.sku,
      // The docs type it as a string; their own sample sends a number. Sent as the sample does.
      price: Number(line.price),
    };
  });
  const address: WooAddress = {
    first_name: 'Grace',
    last_name: 'Hopper',
    company: '',
    address_1: 'Rue de Rivoli 1',
    address_2: '',
    city: 'Paris',
    state: '',
    postcode: '75001',
    country: 'FR',
    phone: '+33123456789',
    ...input.shipping,
  };
  return {
    id,
    parent_id: 0,
    number: String(id),
    order_key: `wc_order_${createHash('sha1').update(String(id)).digest('hex').slice(0, 13)}`,
    created_via: 'checkout',
    version: '9.4.0',
    status: input.status ?? 'processing',
    currency: input.currency ?? 'EUR',
    date_created: shift(created, offset),
    date_created_gmt: created,
    date_modified: shift(modified, offset),
    date_modified_gmt: modified,
    date_paid_gmt: created,
    discount_total: '0.00',
    discount_tax: '0.00',
    shipping_total: shippingTotal,
    shipping_tax: '0.00',
    cart_tax: '0.00',
    total: addDecimals([...lineItems.map((line) => line.total), shippingTotal]),
    total_tax: '0.00',
    prices_include_tax: false,
    customer_id: 0,
    billing: { ...address, email: input.email ?? 'grace@example.com' },
    shipping: address,
    payment_method: 'bacs',
    payment_method_title: 'Direct bank transfer',
    transaction_id: '',
    line_items: lineItems,
    tax_lines: [],
    shipping_lines: [
      {
        id: id * 10 + 9,
        method_title: 'Flat rate',
        method_id: 'flat_rate',
        total: shippingTotal,
        total_tax: '0.00',
        taxes: [],
      },
    ],
    fee_lines: [],
    coupon_lines: [],
    refunds: [],
    meta_data: [],
  };
}

export interface WooDeliveryOptions {
  readonly to: string;
  /** WooCommerce itself never sends one twice; Action Scheduler sometimes does (new delivery id). */
  readonly duplicate?: boolean;
  readonly delayMs?: number;
  /** Sign with this secret instead (a forgery). */
  readonly signWith?: string;
}

export interface WooDelivery {
  readonly to: string;
  readonly topic: string;
  readonly deliveryId: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** 0: no answer, or not sent because the webhook was disabled (`sent` false). */
  readonly status: number;
  readonly answer: string;
  readonly sent: boolean;
  /** WooCommerce's success: 2xx, 301 or 302. */
  readonly delivered: boolean;
}

export interface WooTracking {
  readonly tracking_id: string;
  readonly tracking_provider: string;
  readonly tracking_link: string;
  readonly tracking_number: string;
  readonly date_shipped: string;
}

export const WOO_MAX_DELIVERY_FAILURES = 5;

export class FakeWooCommerce {
  readonly deliveries: WooDelivery[] = [];
  /** By order id. */
  readonly trackings = new Map<number, WooTracking[]>();
  readonly calls: { readonly method: string; readonly url: string; readonly status: number }[] = [];
  readonly consumerKey: string;
  readonly consumerSecret: string;
  readonly webhookSecret: string;
  readonly webhookId: number;
  /** The webhook's failure count, as WooCommerce keeps it. */
  failureCount = 0;
  webhookStatus: 'active' | 'disabled' = 'active';
  failNext = 0;
  private readonly orders = new Map<number, WooOrder>();
  private trackingSequence = 0;

  private constructor(
    private readonly server: Server,
    readonly baseUrl: string,
    options: FakeWooCommerceOptions,
  ) {
    this.consumerKey = options.consumerKey ?? `ck_${randomBytes(20).toString('hex')}`;
    this.consumerSecret = options.consumerSecret ?? `cs_${randomBytes(20).toString('hex')}`;
    this.webhookSecret = options.webhookSecret ?? randomBytes(16).toString('base64');
    this.webhookId = options.webhookId ?? 12;
  }

  static async start(options: FakeWooCommerceOptions = {}): Promise<FakeWooCommerce> {
    const holder: { fake?: FakeWooCommerce } = {};
    const { server, baseUrl } = await listenLocal((request, response) =>
      holder.fake ? holder.fake.handle(request, response) : Promise.resolve(),
    );
    holder.fake = new FakeWooCommerce(server, baseUrl, options);
    return holder.fake;
  }

  async stop(): Promise<void> {
    await closeLocal(this.server);
  }

  /** `home_url('/')`: what X-WC-Webhook-Source says and a connection's store is. */
  get siteUrl(): string {
    return `${this.baseUrl}/`;
  }

  saveOrder(order: WooOrder): void {
    this.orders.set(order.id, order);
  }

  /** What re-enabling the webhook through the REST API does. */
  enableWebhook(): void {
    this.webhookStatus = 'active';
    this.failureCount = 0;
  }

  /** The ping WooCommerce sends when the webhook is saved; true when answered 200. */
  async ping(to: string): Promise<boolean> {
    const { status } = await postWebhook(
      to,
      { 'Content-Type': 'application/x-www-form-urlencoded', 'User-Agent': userAgent() },
      `webhook_id=${this.webhookId}`,
    );
    return status === 200;
  }

  /** Saves the order (order topics) and delivers it once, as WooCommerce does; never retries. */
  async deliver(
    topic: string,
    order: WooOrder | string,
    options: WooDeliveryOptions,
  ): Promise<WooDelivery[]> {
    if (typeof order !== 'string' && topic.startsWith('order.')) {
      this.saveOrder(order);
    }
    const body = typeof order === 'string' ? order : JSON.stringify(order);
    const sent: WooDelivery[] = [];
    for (let copy = 0; copy < (options.duplicate ? 2 : 1); copy++) {
      sent.push(await this.send(topic, body, options));
    }
    return sent;
  }

  private async send(topic: string, body: string, options: WooDeliveryOptions): Promise<WooDelivery> {
    await pause(options.delayMs);
    const [resource = '', event = ''] = topic.split('.');
    // wp_hash(webhook_id . time()): new on every delivery.
    const deliveryId = createHash('md5')
      .update(`${this.webhookId}${Date.now()}${randomBytes(4).toString('hex')}`)
      .digest('hex');
    const headers = {
      'Content-Type': 'application/json',
      'User-Agent': userAgent(),
      'X-WC-Webhook-Source': this.siteUrl,
      'X-WC-Webhook-Topic': topic,
      'X-WC-Webhook-Resource': resource,
      'X-WC-Webhook-Event': event,
      'X-WC-Webhook-Signature': createHmac('sha256', options.signWith ?? this.webhookSecret)
        .update(body, 'utf8')
        .digest('base64'),
      'X-WC-Webhook-ID': String(this.webhookId),
      'X-WC-Webhook-Delivery-ID': deliveryId,
    };
    if (this.webhookStatus === 'disabled') {
      const skipped: WooDelivery = {
        to: options.to,
        topic,
        deliveryId,
        headers,
        body,
        status: 0,
        answer: '',
        sent: false,
        delivered: false,
      };
      this.deliveries.push(skipped);
      return skipped;
    }
    const { status, answer } = await postWebhook(options.to, headers, body);
    const delivered = status >= 200 && status < 303;
    if (delivered) {
      this.failureCount = 0;
    } else if (++this.failureCount > WOO_MAX_DELIVERY_FAILURES) {
      this.webhookStatus = 'disabled';
    }
    const delivery: WooDelivery = {
      to: options.to,
      topic,
      deliveryId,
      headers,
      body,
      status,
      answer,
      sent: true,
      delivered,
    };
    this.deliveries.push(delivery);
    return delivery;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(request);
    const url = new URL(request.url ?? '/', this.baseUrl);
    const method = request.method ?? '';
    const reply = this.answer(request, method, url, body);
    this.calls.push({ method, url: `${url.pathname}${url.search}`, status: reply.status });
    response.writeHead(reply.status, { 'Content-Type': 'application/json; charset=UTF-8', ...reply.headers });
    response.end(JSON.stringify(reply.body));
  }

  private answer(
    request: IncomingMessage,
    method: string,
    url: URL,
    body: string,
  ): { readonly status: number; readonly body: unknown; readonly headers?: Record<string, string> } {
    const tracking = /^\/wp-json\/wc-shipment-tracking\/v3\/orders\/(\d+)\/shipment-trackings$/.exec(
      url.pathname,
    );
    const oneTracking =
      /^\/wp-json\/wc-shipment-tracking\/v3\/orders\/(\d+)\/shipment-trackings\/([0-9a-f]+)$/.exec(
        url.pathname,
      );
    const isOrders = url.pathname === '/wp-json/wc/v3/orders';
    if (
      !(isOrders && method === 'GET') &&
      !(tracking && (method === 'POST' || method === 'GET')) &&
      !(oneTracking && method === 'DELETE')
    ) {
      return restError(404, 'rest_no_route', 'No route was found matching the URL and request method.');
    }
    if (!this.authenticated(request, url)) {
      return restError(401, 'woocommerce_rest_cannot_view', 'Sorry, you cannot list resources.');
    }
    if (this.failNext > 0) {
      this.failNext--;
      return { status: 503, body: { code: 'service_unavailable', message: 'Service Unavailable' } };
    }
    if (oneTracking) {
      return this.deleteTracking(Number(oneTracking[1]), oneTracking[2] ?? '');
    }
    if (tracking && method === 'GET') {
      return this.listTrackings(Number(tracking[1]));
    }
    return tracking ? this.addTracking(Number(tracking[1]), body) : this.listOrders(url);
  }

  private authenticated(request: IncomingMessage, url: URL): boolean {
    const authorization = request.headers.authorization ?? '';
    const basic = /^Basic (.+)$/i.exec(authorization);
    if (basic?.[1]) {
      const [key, ...secret] = Buffer.from(basic[1], 'base64').toString('utf8').split(':');
      return key === this.consumerKey && secret.join(':') === this.consumerSecret;
    }
    return (
      url.searchParams.get('consumer_key') === this.consumerKey &&
      url.searchParams.get('consumer_secret') === this.consumerSecret
    );
  }

  private listOrders(url: URL): {
    readonly status: number;
    readonly body: unknown;
    readonly headers: Record<string, string>;
  } {
    const params = url.searchParams;
    const gmt = params.get('dates_are_gmt') === 'true';
    const after = params.get('modified_after');
    const afterMs = after
      ? Date.parse(after.endsWith('Z') || /[+-]\d{2}:\d{2}$/.test(after) ? after : `${after}Z`)
      : Number.NEGATIVE_INFINITY;
    const perPage = Math.min(Math.max(Number(params.get('per_page') ?? 10) || 10, 1), 100);
    const page = Math.max(Number(params.get('page') ?? 1) || 1, 1);
    const descending = params.get('order') !== 'asc';
    const modifiedMs = (order: WooOrder) =>
      Date.parse(`${gmt ? order.date_modified_gmt : order.date_modified}Z`);
    const matching = [...this.orders.values()]
      .filter((order) => modifiedMs(order) > afterMs)
      .sort((a, b) => (descending ? -1 : 1) * (modifiedMs(a) - modifiedMs(b)));
    const totalPages = Math.max(Math.ceil(matching.length / perPage), 1);
    return {
      status: 200,
      body: matching.slice((page - 1) * perPage, page * perPage),
      headers: { 'X-WP-Total': String(matching.length), 'X-WP-TotalPages': String(totalPages) },
    };
  }

  /** `GET …/shipment-trackings`: the order's trackings, oldest first. */
  private listTrackings(orderId: number): { readonly status: number; readonly body: unknown } {
    if (!this.orders.has(orderId)) {
      return restError(404, 'woocommerce_rest_order_invalid_id', 'Invalid order ID.');
    }
    return { status: 200, body: this.trackings.get(orderId) ?? [] };
  }

  /** `DELETE …/shipment-trackings/:tracking_id`: answers the tracking removed. */
  private deleteTracking(
    orderId: number,
    trackingId: string,
  ): { readonly status: number; readonly body: unknown } {
    const trackings = this.trackings.get(orderId) ?? [];
    const found = trackings.find((tracking) => tracking.tracking_id === trackingId);
    if (!this.orders.has(orderId) || !found) {
      return restError(404, 'woocommerce_rest_shipment_tracking_invalid_id', 'Invalid tracking ID.');
    }
    this.trackings.set(
      orderId,
      trackings.filter((tracking) => tracking !== found),
    );
    return { status: 200, body: found };
  }

  private addTracking(orderId: number, body: string): { readonly status: number; readonly body: unknown } {
    if (!this.orders.has(orderId)) {
      return restError(404, 'woocommerce_rest_order_invalid_id', 'Invalid order ID.');
    }
    let fields: Record<string, unknown>;
    try {
      fields = JSON.parse(body) as Record<string, unknown>;
    } catch {
      return restError(400, 'rest_invalid_json', 'Invalid JSON body passed.');
    }
    const text = (key: string) => (typeof fields[key] === 'string' ? fields[key] : '');
    const provider = text('tracking_provider') || text('custom_tracking_provider');
    if (text('tracking_number') === '' || provider === '') {
      return restError(
        400,
        'rest_missing_callback_param',
        'Missing parameter(s): tracking_number, tracking_provider',
      );
    }
    this.trackingSequence++;
    const dateShipped = text('date_shipped') || wooDate(new Date()).slice(0, 10);
    const created: WooTracking = {
      tracking_id: createHash('md5').update(`${orderId}:${this.trackingSequence}`).digest('hex'),
      tracking_provider: provider,
      tracking_link: text('custom_tracking_link'),
      tracking_number: text('tracking_number'),
      date_shipped: dateShipped,
    };
    this.trackings.set(orderId, [...(this.trackings.get(orderId) ?? []), created]);
    return { status: 201, body: created };
  }
}

function userAgent(): string {
  return 'WooCommerce/9.4.0 Hookshot (WordPress/6.7.1)';
}

function restError(
  status: number,
  code: string,
  message: string,
): { readonly status: number; readonly body: unknown } {
  return { status, body: { code, message, data: { status } } };
}
