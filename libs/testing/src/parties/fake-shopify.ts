import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { closeLocal, listenLocal, readBody } from './local-http-party';
import { addDecimals, multiplyDecimal, pause, postWebhook } from './storefront-webhook-sender';

/**
 * A stand-in for one Shopify shop over real HTTP (channels-and-console notes A1), hand-written on
 * node:http and node:crypto and sharing no code with the channel's Shopify adapter or
 * @shopify/shopify-api, so a test proves the two agree on the wire.
 *
 * As Shopify does, it
 * - sends webhooks with the real headers: X-Shopify-Topic, X-Shopify-Hmac-Sha256 (base64
 *   HMAC-SHA256 of the raw body with the shop's signing secret), X-Shopify-Shop-Domain,
 *   X-Shopify-Webhook-Id (the same on every retry), X-Shopify-Event-Id, X-Shopify-Triggered-At
 *   (kept on retries) and X-Shopify-API-Version; bodies carry 64-bit ids as JSON numbers
 *   (5512345678901234567), as Shopify's do, so a receiver must parse them without precision loss;
 * - counts anything but a 2xx as a failure (redirects too) and, when asked
 *   (`retryUntilAcknowledged`), retries the same delivery, as Shopify does 8 times over 4 hours;
 * - answers the GraphQL Admin API at `POST /admin/api/<version>/graphql.json` with
 *   X-Shopify-Access-Token checked (401 otherwise): the `orders` query with an
 *   `updated_at:>'…'` search (the reconciliation poller's), `order(id:)` with its
 *   fulfillmentOrders and fulfillments (with their trackingInfo), and the mutations `fulfillmentCreate` (trackingInfo company, number, url)
 *   and `fulfillmentTrackingInfoUpdate`, recording fulfilments per order. Problems in the input are
 *   `userErrors`, as Shopify answers them, with HTTP 200.
 * It is not a GraphQL server: it tells operations apart by the root field named in the document
 * and reads arguments from `variables` (as every Shopify client sends them), answering the
 * fields a connector asks for whatever selection is sent.
 */
export interface FakeShopifyOptions {
  readonly shopDomain?: string;
  readonly signingSecret?: string;
  readonly accessToken?: string;
  readonly apiVersion?: string;
}

/** An int64 id: kept as a bigint, sent as a bare JSON number. */
export type ShopifyId = bigint;

export interface ShopifyLineInput {
  readonly sku: string | null;
  readonly quantity: number;
  /** Unit price, a decimal string. */
  readonly price: string;
  readonly title?: string;
  readonly id?: ShopifyId;
}

export interface ShopifyAddress {
  readonly first_name: string;
  readonly last_name: string;
  readonly address1: string;
  readonly address2: string | null;
  readonly city: string;
  readonly province: string | null;
  readonly province_code: string | null;
  readonly zip: string;
  readonly country: string;
  readonly country_code: string;
  readonly phone: string | null;
}

export interface ShopifyOrderInput {
  readonly id?: ShopifyId;
  readonly orderNumber?: number;
  readonly currency?: string;
  readonly email?: string;
  readonly lines?: readonly ShopifyLineInput[];
  readonly shipping?: string;
  readonly tax?: string;
  readonly discounts?: string;
  readonly createdAt?: string;
  readonly updatedAt?: string;
  readonly cancelledAt?: string;
  readonly financialStatus?: string;
  readonly shippingAddress?: Partial<ShopifyAddress>;
}

/** The REST order resource, as `orders/create` and `orders/cancelled` carry it (int64 ids as bigints). */
export interface ShopifyOrderPayload {
  readonly id: ShopifyId;
  readonly admin_graphql_api_id: string;
  readonly name: string;
  readonly order_number: number;
  readonly email: string;
  readonly created_at: string;
  readonly updated_at: string;
  readonly cancelled_at: string | null;
  readonly cancel_reason: string | null;
  readonly test: boolean;
  readonly currency: string;
  readonly presentment_currency: string;
  readonly financial_status: string;
  readonly fulfillment_status: string | null;
  readonly total_price: string;
  readonly subtotal_price: string;
  readonly total_line_items_price: string;
  readonly total_tax: string;
  readonly total_discounts: string;
  readonly current_total_price: string;
  readonly line_items: readonly Readonly<Record<string, unknown>>[];
  readonly shipping_lines: readonly Readonly<Record<string, unknown>>[];
  readonly shipping_address: ShopifyAddress;
  readonly billing_address: ShopifyAddress;
  readonly customer: Readonly<Record<string, unknown>>;
  readonly tags: string;
  readonly note_attributes: readonly unknown[];
  readonly source_name: string;
}

let idSequence = 0n;

/** A fresh id above 2^53, as Shopify's are. */
export function shopifyId(): ShopifyId {
  idSequence++;
  return 5512345678901234567n + idSequence * 1000n;
}

function money(amount: string, currency: string): Readonly<Record<string, unknown>> {
  const bag = { amount, currency_code: currency };
  return { shop_money: bag, presentment_money: bag };
}

/** An order in the documented REST shape, its totals adding up exactly. */
export function shopifyOrder(input: ShopifyOrderInput = {}): ShopifyOrderPayload {
  const id = input.id ?? shopifyId();
  const currency = input.currency ?? 'EUR';
  const lines = input.lines ?? [{ sku: 'SKU-1', quantity: 1, price: '24.00' }];
  const shipping = input.shipping ?? '4.90';
  const tax = input.tax ?? '0.00';
  const discounts = input.discounts ?? '0.00';
  const lineTotal = addDecimals(lines.map((line) => multiplyDecimal(line.price, line.quantity)));
  const subtotal = addDecimals([lineTotal, `-${discounts}`]);
  const total = addDecimals([subtotal, shipping, tax]);
  const createdAt = input.createdAt ?? new Date().toISOString();
  const orderNumber = input.orderNumber ?? 1000 + Number(idSequence % 9000n);
  const address: ShopifyAddress = {
    first_name: 'Ada',
    last_name: 'Lovelace',
    address1: 'Unter den Linden 1',
    address2: null,
    city: 'Berlin',
    province: null,
    province_code: null,
    zip: '10117',
    country: 'Germany',
    country_code: 'DE',
    phone: '+4930123456',
    ...input.shippingAddress,
  };
  return {
    id,
    admin_graphql_api_id: `gid://shopify/Order/${id}`,
    name: `#${orderNumber}`,
    order_number: orderNumber,
    email: input.email ?? 'ada@example.com',
    created_at: createdAt,
    updated_at: input.updatedAt ?? input.cancelledAt ?? createdAt,
    cancelled_at: input.cancelledAt ?? null,
    cancel_reason: input.cancelledAt ? 'customer' : null,
    test: false,
    currency,
    presentment_currency: currency,
    financial_status: input.financialStatus ?? (input.cancelledAt ? 'voided' : 'paid'),
    fulfillment_status: null,
    total_price: total,
    subtotal_price: subtotal,
    total_line_items_price: lineTotal,
    total_tax: tax,
    total_discounts: discounts,
    current_total_price: total,
    line_items: lines.map((line, index) => ({
      id: line.id ?? id + BigInt(index + 1),
      variant_id: 44000000000000000n + BigInt(index),
      product_id: 8800000000000000n + BigInt(index),
      sku: line.sku,
      title: line.title ?? `Item ${index + 1}`,
      variant_title: null,
      quantity: line.quantity,
      fulfillable_quantity: line.quantity,
      price: line.price,
      price_set: money(line.price, currency),
      tax_lines: [],
      discount_allocations: [],
    })),
    shipping_lines: [
      {
        id: id + 100n,
        title: 'Standard',
        code: 'standard',
        price: shipping,
        price_set: money(shipping, currency),
      },
    ],
    shipping_address: address,
    billing_address: address,
    customer: {
      id: 7700000000000000001n,
      email: input.email ?? 'ada@example.com',
      first_name: 'Ada',
      last_name: 'Lovelace',
    },
    tags: '',
    note_attributes: [],
    source_name: 'web',
  };
}

/** A `refunds/create` body for a whole line. */
export function shopifyRefund(order: ShopifyOrderPayload, lineIndex = 0): Readonly<Record<string, unknown>> {
  const line = order.line_items[lineIndex];
  if (!line) {
    throw new Error(`fake Shopify: order ${order.id} has no line ${lineIndex}`);
  }
  const id = order.id + 900n;
  const amount = multiplyDecimal(String(line.price), Number(line.quantity));
  return {
    id,
    order_id: order.id,
    created_at: new Date().toISOString(),
    note: null,
    refund_line_items: [{ id: id + 1n, line_item_id: line.id, quantity: line.quantity, subtotal: amount }],
    transactions: [
      {
        id: id + 2n,
        order_id: order.id,
        kind: 'refund',
        status: 'success',
        amount,
        currency: order.currency,
      },
    ],
  };
}

const INT64_MARK = /"\\u0000int64:(-?\d+)"/g;

/** JSON with bigints written as bare numbers, as Shopify writes its int64 ids. */
export function shopifyJson(value: unknown): string {
  return JSON.stringify(value, (_, item: unknown) =>
    typeof item === 'bigint' ? `\u0000int64:${item.toString()}` : item,
  ).replace(INT64_MARK, '$1');
}

export interface ShopifyDeliveryOptions {
  readonly to: string;
  /** Deliver the same webhook (same id) a second time after it was taken. */
  readonly duplicate?: boolean;
  /** Wait this long before each attempt. */
  readonly delayMs?: number;
  /** Retry a delivery not answered 2xx, up to this many more attempts (Shopify: 8 over 4 h). */
  readonly retryUntilAcknowledged?: number;
  /** When the event fired (default now); a retry keeps it. */
  readonly triggeredAt?: Date;
  /** Sign with this secret instead (a forgery, or a store-created webhook). */
  readonly signWith?: string;
  readonly webhookId?: string;
}

export interface ShopifyDeliveryAttempt {
  readonly to: string;
  readonly topic: string;
  readonly webhookId: string;
  readonly attempt: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly status: number;
  readonly answer: string;
  /** Shopify's success: any 2xx. */
  readonly acknowledged: boolean;
}

export interface ShopifyTrackingInfo {
  readonly company?: string;
  readonly number?: string;
  readonly url?: string;
}

export interface FakeShopifyFulfillment {
  readonly id: string;
  readonly orderId: string;
  readonly fulfillmentOrderId: string;
  readonly notifyCustomer: boolean;
  /** Every tracking the fulfilment has had, the current one last. */
  readonly tracking: ShopifyTrackingInfo[];
}

export interface FakeShopifyCall {
  readonly path: string;
  readonly token: string | undefined;
  readonly body: string;
  readonly status: number;
  readonly answer: string;
}

interface GraphqlRequest {
  readonly query: string;
  readonly variables: Readonly<Record<string, unknown>>;
}

const GRAPHQL_PATH = /^\/admin\/api\/([0-9]{4}-[0-9]{2}|unstable)\/graphql\.json$/;

export class FakeShopify {
  readonly deliveries: ShopifyDeliveryAttempt[] = [];
  readonly calls: FakeShopifyCall[] = [];
  /** By order gid: the fulfilments created for it. */
  readonly fulfillments = new Map<string, FakeShopifyFulfillment[]>();
  /** Answer the next N Admin API calls with a 503, carrying nothing out. */
  failNext = 0;
  readonly shopDomain: string;
  readonly signingSecret: string;
  readonly accessToken: string;
  readonly apiVersion: string;
  private readonly orders = new Map<string, ShopifyOrderPayload>();
  private fulfillmentSequence = 0;

  private constructor(
    private readonly server: Server,
    readonly baseUrl: string,
    options: FakeShopifyOptions,
  ) {
    this.shopDomain = options.shopDomain ?? 'waybill-test.myshopify.com';
    this.signingSecret = options.signingSecret ?? randomBytes(24).toString('hex');
    this.accessToken = options.accessToken ?? `shpat_${randomBytes(16).toString('hex')}`;
    this.apiVersion = options.apiVersion ?? '2025-07';
  }

  static async start(options: FakeShopifyOptions = {}): Promise<FakeShopify> {
    const holder: { fake?: FakeShopify } = {};
    const { server, baseUrl } = await listenLocal((request, response) =>
      holder.fake ? holder.fake.handle(request, response) : Promise.resolve(),
    );
    holder.fake = new FakeShopify(server, baseUrl, options);
    return holder.fake;
  }

  async stop(): Promise<void> {
    await closeLocal(this.server);
  }

  /** The GraphQL Admin endpoint a connection's `api.base` points at. */
  get graphqlUrl(): string {
    return `${this.baseUrl}/admin/api/${this.apiVersion}/graphql.json`;
  }

  /** Puts (or replaces) an order in the shop: what the orders query and fulfilments see. */
  saveOrder(order: ShopifyOrderPayload): void {
    this.orders.set(order.admin_graphql_api_id, order);
  }

  /** The fulfillment order Shopify would open for an order: one per order here. */
  fulfillmentOrderIdOf(order: ShopifyOrderPayload): string {
    return `gid://shopify/FulfillmentOrder/${order.id + 7n}`;
  }

  /**
   * The webhook Shopify sends for this payload, body and headers exactly, signed with the store's
   * secret (or `signWith`): what deliver() posts, for a caller that posts it itself (a benchmark).
   */
  webhook(
    topic: string,
    payload: ShopifyOrderPayload | Readonly<Record<string, unknown>> | string,
    options: Pick<ShopifyDeliveryOptions, 'signWith' | 'webhookId' | 'triggeredAt'> = {},
  ): {
    readonly webhookId: string;
    readonly headers: Readonly<Record<string, string>>;
    readonly body: string;
  } {
    const body = typeof payload === 'string' ? payload : shopifyJson(payload);
    const webhookId = options.webhookId ?? randomUUID();
    const headers = {
      'Content-Type': 'application/json',
      'User-Agent': 'Shopify-Captain-Hook',
      'X-Shopify-Topic': topic,
      'X-Shopify-Hmac-Sha256': createHmac('sha256', options.signWith ?? this.signingSecret)
        .update(body, 'utf8')
        .digest('base64'),
      'X-Shopify-Shop-Domain': this.shopDomain,
      'X-Shopify-Webhook-Id': webhookId,
      'X-Shopify-Event-Id': randomUUID(),
      'X-Shopify-Triggered-At': (options.triggeredAt ?? new Date()).toISOString(),
      'X-Shopify-API-Version': this.apiVersion,
    };
    return { webhookId, headers, body };
  }

  /**
   * Saves the order (for an order topic) and delivers the webhook, retrying when asked; returns
   * every attempt made, duplicates included.
   */
  async deliver(
    /** `orders/create`, `orders/cancelled`, `refunds/create`, … */
    topic: string,
    payload: ShopifyOrderPayload | Readonly<Record<string, unknown>> | string,
    options: ShopifyDeliveryOptions,
  ): Promise<ShopifyDeliveryAttempt[]> {
    if (typeof payload !== 'string' && topic.startsWith('orders/') && isOrder(payload)) {
      this.saveOrder(payload);
    }
    const { webhookId, headers, body } = this.webhook(topic, payload, options);
    const attempts: ShopifyDeliveryAttempt[] = [];
    const send = async (): Promise<ShopifyDeliveryAttempt> => {
      await pause(options.delayMs);
      const { status, answer } = await postWebhook(options.to, headers, body);
      const attempt: ShopifyDeliveryAttempt = {
        to: options.to,
        topic,
        webhookId,
        attempt: attempts.length + 1,
        headers,
        body,
        status,
        answer,
        acknowledged: status >= 200 && status < 300,
      };
      attempts.push(attempt);
      this.deliveries.push(attempt);
      return attempt;
    };
    let last = await send();
    for (let retry = 0; !last.acknowledged && retry < (options.retryUntilAcknowledged ?? 0); retry++) {
      last = await send();
    }
    if (options.duplicate) {
      await send();
    }
    return attempts;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(request);
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    const tokenHeader = request.headers['x-shopify-access-token'];
    const token = Array.isArray(tokenHeader) ? tokenHeader[0] : tokenHeader;
    const { status, answer } = this.answer(request.method ?? '', path, token, body);
    const text = JSON.stringify(answer);
    this.calls.push({ path, token, body, status, answer: text });
    response.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' });
    response.end(text);
  }

  private answer(
    method: string,
    path: string,
    token: string | undefined,
    body: string,
  ): { readonly status: number; readonly answer: unknown } {
    if (method !== 'POST' || !GRAPHQL_PATH.test(path)) {
      return { status: 404, answer: { errors: 'Not Found' } };
    }
    if (token !== this.accessToken) {
      return {
        status: 401,
        answer: { errors: '[API] Invalid API key or access token (unrecognized login or wrong password)' },
      };
    }
    if (this.failNext > 0) {
      this.failNext--;
      return { status: 503, answer: { errors: 'Service Unavailable' } };
    }
    let request: GraphqlRequest;
    try {
      const parsed = JSON.parse(body) as { query?: unknown; variables?: unknown };
      if (typeof parsed.query !== 'string') {
        throw new Error('no query');
      }
      const variables =
        typeof parsed.variables === 'object' && parsed.variables !== null
          ? (parsed.variables as Record<string, unknown>)
          : {};
      request = { query: parsed.query, variables };
    } catch {
      return { status: 400, answer: { errors: { query: 'Required parameter missing or invalid' } } };
    }
    const data = this.execute(request);
    return { status: 200, answer: data };
  }

  private execute(request: GraphqlRequest): unknown {
    const { query, variables } = request;
    if (/\bfulfillmentCreate\s*\(/.test(query)) {
      return { data: { fulfillmentCreate: this.fulfillmentCreate(variables) } };
    }
    if (/\bfulfillmentTrackingInfoUpdate\s*\(/.test(query)) {
      return { data: { fulfillmentTrackingInfoUpdate: this.trackingInfoUpdate(variables) } };
    }
    if (/\borders\s*\(/.test(query)) {
      return { data: { orders: this.ordersQuery(variables) } };
    }
    if (/\border\s*\(/.test(query)) {
      const order = typeof variables.id === 'string' ? this.orders.get(variables.id) : undefined;
      return {
        data: {
          order: order
            ? {
                ...orderNode(order),
                fulfillmentOrders: { nodes: [this.fulfillmentOrderNode(order)] },
                // Order.fulfillments is a plain list in the Admin GraphQL API, not a connection.
                fulfillments: this.fulfillmentsOf(order).map(fulfillmentNode),
              }
            : null,
        },
      };
    }
    return { errors: [{ message: 'fake Shopify: no operation it plays is named in this document' }] };
  }

  private ordersQuery(variables: Readonly<Record<string, unknown>>): unknown {
    const search = typeof variables.query === 'string' ? variables.query : '';
    const since = /updated_at:\s*>(=?)\s*'?([^'\s]+)'?/.exec(search);
    const first = typeof variables.first === 'number' ? Math.min(Math.max(variables.first, 1), 250) : 50;
    const after =
      typeof variables.after === 'string' ? Number(Buffer.from(variables.after, 'base64').toString()) : 0;
    const sinceMs = since ? Date.parse(since[2] ?? '') : Number.NEGATIVE_INFINITY;
    const matching = [...this.orders.values()]
      .filter((order) => {
        const updated = Date.parse(order.updated_at);
        return since?.[1] === '=' ? updated >= sinceMs : updated > sinceMs;
      })
      .sort((a, b) => Date.parse(a.updated_at) - Date.parse(b.updated_at));
    const page = matching.slice(after, after + first);
    const cursor = (index: number) => Buffer.from(String(after + index + 1)).toString('base64');
    return {
      edges: page.map((order, index) => ({ cursor: cursor(index), node: orderNode(order) })),
      pageInfo: {
        hasNextPage: after + first < matching.length,
        endCursor: page.length > 0 ? cursor(page.length - 1) : null,
      },
    };
  }

  private fulfillmentOrderNode(order: ShopifyOrderPayload): Readonly<Record<string, unknown>> {
    const done = (this.fulfillments.get(order.admin_graphql_api_id) ?? []).length > 0;
    return {
      id: this.fulfillmentOrderIdOf(order),
      status: done ? 'CLOSED' : 'OPEN',
      lineItems: {
        nodes: order.line_items.map((line) => ({
          id: `gid://shopify/FulfillmentOrderLineItem/${String(line.id)}`,
          remainingQuantity: done ? 0 : line.quantity,
        })),
      },
    };
  }

  private fulfillmentCreate(variables: Readonly<Record<string, unknown>>): unknown {
    const fulfillment = asRecord(variables.fulfillment);
    const groups = Array.isArray(fulfillment?.lineItemsByFulfillmentOrder)
      ? (fulfillment.lineItemsByFulfillmentOrder as unknown[])
      : [];
    const fulfillmentOrderId = asRecord(groups[0])?.fulfillmentOrderId;
    const order = [...this.orders.values()].find(
      (candidate) => this.fulfillmentOrderIdOf(candidate) === fulfillmentOrderId,
    );
    if (!fulfillment || !order || typeof fulfillmentOrderId !== 'string') {
      return userErrors(['fulfillment', 'lineItemsByFulfillmentOrder'], 'Fulfillment order does not exist.');
    }
    const existing = this.fulfillments.get(order.admin_graphql_api_id) ?? [];
    if (existing.length > 0) {
      return userErrors(['fulfillment'], 'Fulfillment order is not in a fulfillable state.');
    }
    this.fulfillmentSequence++;
    const created: FakeShopifyFulfillment = {
      id: `gid://shopify/Fulfillment/${order.id + BigInt(this.fulfillmentSequence)}`,
      orderId: order.admin_graphql_api_id,
      fulfillmentOrderId,
      notifyCustomer: fulfillment.notifyCustomer === true,
      tracking: [trackingOf(fulfillment.trackingInfo)],
    };
    this.fulfillments.set(order.admin_graphql_api_id, [...existing, created]);
    return { fulfillment: fulfillmentNode(created), userErrors: [] };
  }

  private trackingInfoUpdate(variables: Readonly<Record<string, unknown>>): unknown {
    const found = [...this.fulfillments.values()].flat().find((item) => item.id === variables.fulfillmentId);
    if (!found) {
      return userErrors(['fulfillmentId'], 'Fulfillment does not exist.');
    }
    found.tracking.push(trackingOf(variables.trackingInfoInput));
    return { fulfillment: fulfillmentNode(found), userErrors: [] };
  }

  /** The fulfilments of an order (by its int64 id or gid). */
  fulfillmentsOf(order: ShopifyOrderPayload | string): readonly FakeShopifyFulfillment[] {
    const gid = typeof order === 'string' ? order : order.admin_graphql_api_id;
    return this.fulfillments.get(gid) ?? [];
  }
}

function isOrder(payload: object): payload is ShopifyOrderPayload {
  const fields = payload as Readonly<Record<string, unknown>>;
  return typeof fields.admin_graphql_api_id === 'string' && typeof fields.id === 'bigint';
}

function asRecord(value: unknown): Readonly<Record<string, unknown>> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function trackingOf(value: unknown): ShopifyTrackingInfo {
  const info = asRecord(value) ?? {};
  const text = (key: string): string | undefined => (typeof info[key] === 'string' ? info[key] : undefined);
  return {
    ...(text('company') !== undefined && { company: text('company') }),
    ...(text('number') !== undefined && { number: text('number') }),
    ...(text('url') !== undefined && { url: text('url') }),
  };
}

function userErrors(field: readonly string[], message: string): unknown {
  return { fulfillment: null, userErrors: [{ field, message }] };
}

function fulfillmentNode(fulfillment: FakeShopifyFulfillment): unknown {
  const current = fulfillment.tracking.at(-1) ?? {};
  return {
    id: fulfillment.id,
    status: 'SUCCESS',
    trackingInfo: [
      { company: current.company ?? null, number: current.number ?? null, url: current.url ?? null },
    ],
  };
}

/** The GraphQL Order a connector asks for: ids as strings there, as the GraphQL API gives them. */
function orderNode(order: ShopifyOrderPayload): Readonly<Record<string, unknown>> {
  const amount = (value: string) => ({ shopMoney: { amount: value, currencyCode: order.currency } });
  return {
    id: order.admin_graphql_api_id,
    legacyResourceId: order.id.toString(),
    name: order.name,
    email: order.email,
    createdAt: order.created_at,
    updatedAt: order.updated_at,
    cancelledAt: order.cancelled_at,
    currencyCode: order.currency,
    displayFinancialStatus: order.financial_status.toUpperCase(),
    totalPriceSet: amount(order.total_price),
    subtotalPriceSet: amount(order.subtotal_price),
    totalTaxSet: amount(order.total_tax),
    totalDiscountsSet: amount(order.total_discounts),
    taxesIncluded: false,
    note: null,
    totalShippingPriceSet: amount(addDecimals(order.shipping_lines.map((line) => String(line.price)))),
    lineItems: {
      nodes: order.line_items.map((line) => ({
        id: `gid://shopify/LineItem/${String(line.id)}`,
        sku: line.sku,
        name: line.title,
        quantity: line.quantity,
        originalUnitPriceSet: amount(String(line.price)),
      })),
    },
    customer: {
      id: `gid://shopify/Customer/${String(order.customer.id)}`,
      legacyResourceId: String(order.customer.id),
      email: order.customer.email ?? null,
      phone: null,
    },
    shippingAddress: {
      firstName: order.shipping_address.first_name,
      lastName: order.shipping_address.last_name,
      address1: order.shipping_address.address1,
      address2: order.shipping_address.address2,
      city: order.shipping_address.city,
      province: order.shipping_address.province,
      provinceCode: order.shipping_address.province_code,
      zip: order.shipping_address.zip,
      country: order.shipping_address.country,
      countryCodeV2: order.shipping_address.country_code,
      phone: order.shipping_address.phone,
    },
  };
}
