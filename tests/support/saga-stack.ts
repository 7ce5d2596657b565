import { randomBytes, randomUUID } from 'node:crypto';
import {
  apiKeysEnv,
  EventProbe,
  ServiceUnderTest,
  startServiceForTest,
  testApiKey,
  TestApiKey,
  uniqueTopicPrefix,
  waitFor,
} from '@waybill/testing';
import { ChannelsConfig } from '../../services/channels/src/channels.config';
import { ChannelsModule } from '../../services/channels/src/channels.module';
import { InventoryConfig } from '../../services/inventory/src/inventory.config';
import { InventoryModule } from '../../services/inventory/src/inventory.module';
import { LogisticsConfig } from '../../services/logistics/src/logistics.config';
import { LogisticsModule } from '../../services/logistics/src/logistics.module';
import { OrderConfig } from '../../services/order/src/order.config';
import { OrderModule } from '../../services/order/src/order.module';
import { PaymentConfig } from '../../services/payment/src/payment.config';
import { PaymentModule } from '../../services/payment/src/payment.module';

/** The statuses of an order that went all the way, in order. */
export const DELIVERED_TIMELINE = ['PENDING', 'RESERVED', 'CONFIRMED', 'SHIPPED', 'DELIVERED'] as const;

/** What a storefront gets back from the order service. */
export interface OrderView {
  id: string;
  storefrontOrderId: string;
  status: string;
  statusReason?: string;
  totals: { subtotal: number; total: number };
  payment: {
    provider: string;
    nextAction?: { type: 'qr_code' | 'redirect'; qrCode?: string; url?: string; expiresAt: string };
  };
  timeline: { status: string; reason?: string; event: { id: string; type: string }; at: string }[];
}

/** A shipment as logistics shows it to an operator (`GET /v1/shipments/:id`). */
export interface ShipmentView {
  id: string;
  orderId: string;
  carrier: string;
  trackingNumber: string;
  status: string;
  history: { source: string; carrierStatus: string; status: string; occurredAt: string }[];
}

export interface StockView {
  sku: string;
  onHand: number;
  reserved: number;
  available: number;
}

export interface HttpAnswer<T> {
  status: number;
  body: T;
  headers: Headers;
}

export interface SagaStackOptions {
  /** Environment for every service (e.g. a short reservation TTL). */
  readonly env?: Readonly<Record<string, string>>;
  /** Also run logistics (the sandbox carrier books), so orders go on to SHIPPED and DELIVERED. */
  readonly withLogistics?: boolean;
  /**
   * Also run channels, taking in platform orders for these storefront ids. Their orders were paid
   * on the platform, so the order service accepts `prepaid` from them and payment authorises it.
   * It polls platforms only when asked (`POST …/poll`) and reports tracking within a second.
   */
  readonly withChannels?: { readonly storefronts: readonly string[] };
}

/**
 * Order, inventory and payment running together on the real Kafka and PostgreSQL, each with its
 * own database, wired only through topics under one test prefix — the saga as deployed; with
 * `withLogistics`, logistics too (sandbox carrier), else orders stop at CONFIRMED; with `withChannels`,
 * the channels service in front of it all. The test plays the
 * storefront (HTTP with an API key) and the operator.
 */
export class SagaStack {
  private constructor(
    readonly storefront: TestApiKey,
    readonly operator: TestApiKey,
    readonly topicPrefix: string,
    readonly order: ServiceUnderTest<OrderConfig>,
    readonly inventory: ServiceUnderTest<InventoryConfig>,
    readonly payment: ServiceUnderTest<PaymentConfig>,
    readonly probe: EventProbe,
    readonly logistics?: ServiceUnderTest<LogisticsConfig>,
    readonly channels?: ServiceUnderTest<ChannelsConfig>,
  ) {}

  static async start(options: SagaStackOptions = {}): Promise<SagaStack> {
    const topicPrefix = uniqueTopicPrefix('saga');
    const keys = {
      storefront: testApiKey('storefront/acme', ['orders:write', 'orders:read']),
      operator: testApiKey('admin', []),
    };
    const channels = options.withChannels;
    const env = {
      WAYBILL_API_KEYS: apiKeysEnv([keys.storefront, keys.operator]),
      RATE_LIMIT_PER_MINUTE: '1000000',
      OUTBOX_POLL_INTERVAL_MS: '100',
      ...(channels && {
        ORDER_PREPAID_STOREFRONTS: channels.storefronts.join(','),
        PAYMENT_PREPAID_ENABLED: 'true',
        CHANNELS_SECRETS_KEY: `k-saga:${randomBytes(32).toString('base64')}`,
        CHANNELS_POLL_INTERVAL_MS: '3600000',
        CHANNELS_TRACKING_POLL_INTERVAL_MS: '200',
        CHANNELS_TRACKING_INITIAL_BACKOFF_MS: '50',
        CHANNELS_TRACKING_MAX_BACKOFF_MS: '200',
      }),
      ...options.env,
    };
    const probe = await EventProbe.start(topicPrefix, [
      'waybill.order.events',
      'waybill.inventory.events',
      'waybill.payment.events',
      ...(options.withLogistics ? ['waybill.logistics.events'] : []),
      ...(channels ? ['waybill.storefront.orders'] : []),
    ]);
    const [order, inventory, payment] = await Promise.all([
      startServiceForTest(
        { service: 'order', config: OrderConfig, module: (c) => OrderModule.forRoot(c) },
        { topicPrefix, env },
      ),
      startServiceForTest(
        { service: 'inventory', config: InventoryConfig, module: (c) => InventoryModule.forRoot(c) },
        { topicPrefix, env },
      ),
      startServiceForTest(
        { service: 'payment', config: PaymentConfig, module: (c) => PaymentModule.forRoot(c) },
        { topicPrefix, env },
      ),
    ]);
    const [logistics, channelsService] = await Promise.all([
      options.withLogistics
        ? startServiceForTest(
            { service: 'logistics', config: LogisticsConfig, module: (c) => LogisticsModule.forRoot(c) },
            { topicPrefix, env },
          )
        : undefined,
      channels
        ? startServiceForTest(
            { service: 'channels', config: ChannelsConfig, module: (c) => ChannelsModule.forRoot(c) },
            { topicPrefix, env },
          )
        : undefined,
    ]);
    return new SagaStack(
      keys.storefront,
      keys.operator,
      topicPrefix,
      order,
      inventory,
      payment,
      probe,
      logistics,
      channelsService,
    );
  }

  async stop(): Promise<void> {
    await this.channels?.stop();
    await Promise.allSettled([
      this.order.stop(),
      this.inventory.stop(),
      this.payment.stop(),
      ...(this.logistics ? [this.logistics.stop()] : []),
    ]);
    await this.probe.stop();
  }

  async setStock(sku: string, onHand: number): Promise<void> {
    const answer = await this.call<StockView>(
      this.inventory.baseUrl,
      'PUT',
      `/v1/stock/${sku}`,
      this.operator.key,
      {
        onHand,
      },
    );
    if (answer.status !== 200 && answer.status !== 201) {
      throw new Error(`PUT /v1/stock/${sku} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    }
  }

  async stock(sku: string): Promise<StockView> {
    return (await this.call<StockView>(this.inventory.baseUrl, 'GET', `/v1/stock/${sku}`, this.operator.key))
      .body;
  }

  placeOrder(body: object, idempotencyKey?: string): Promise<HttpAnswer<OrderView>> {
    return this.call<OrderView>(
      this.order.baseUrl,
      'POST',
      '/v1/orders',
      this.storefront.key,
      body,
      idempotencyKey,
    );
  }

  /** The order as the storefront sees it, or as `apiKey` does (the operator, for channel orders). */
  async getOrder(orderId: string, apiKey = this.storefront.key): Promise<OrderView> {
    return (await this.call<OrderView>(this.order.baseUrl, 'GET', `/v1/orders/${orderId}`, apiKey)).body;
  }

  cancelOrder(orderId: string): Promise<HttpAnswer<OrderView>> {
    return this.call<OrderView>(
      this.order.baseUrl,
      'POST',
      `/v1/orders/${orderId}/cancel`,
      this.storefront.key,
      {},
    );
  }

  /** Waits until the order reaches `status` (as the storefront, or `apiKey`, sees it through the API). */
  async waitForStatus(
    orderId: string,
    status: string,
    timeoutMs = 30_000,
    apiKey = this.storefront.key,
  ): Promise<OrderView> {
    return waitFor(
      async () => {
        const order = await this.getOrder(orderId, apiKey);
        return order.status === status ? order : undefined;
      },
      { timeoutMs, intervalMs: 100, description: `order ${orderId} to be ${status}` },
    );
  }

  /** The order's shipment once logistics has booked it (needs `withLogistics`). */
  async shipmentOf(orderId: string): Promise<ShipmentView> {
    const logistics = this.logistics?.baseUrl;
    if (!logistics) {
      throw new Error('shipmentOf needs a SagaStack started withLogistics');
    }
    const listed = await waitFor(
      async () =>
        (
          await this.call<{ items: ShipmentView[] }>(
            logistics,
            'GET',
            `/v1/shipments?orderId=${orderId}`,
            this.operator.key,
          )
        ).body.items[0],
      { description: `the shipment of order ${orderId}` },
    );
    return (await this.call<ShipmentView>(logistics, 'GET', `/v1/shipments/${listed.id}`, this.operator.key))
      .body;
  }

  async call<T>(
    baseUrl: string,
    method: string,
    path: string,
    apiKey: string,
    body?: object,
    idempotencyKey?: string,
  ): Promise<HttpAnswer<T>> {
    const headers: Record<string, string> = { authorization: `Bearer ${apiKey}` };
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
    }
    if (idempotencyKey !== undefined) {
      headers['idempotency-key'] = idempotencyKey;
    }
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return {
      status: response.status,
      body: (text ? JSON.parse(text) : undefined) as T,
      headers: response.headers,
    };
  }
}

/** A valid order body for the storefront API; `token` picks the sandbox outcome. */
export function orderBody(
  lines: { sku: string; quantity: number; unitPrice?: number }[],
  token = 'sandbox_approve',
): Record<string, unknown> {
  return {
    storefrontOrderId: `so-${randomUUID()}`,
    customer: { id: 'cust-1', email: 'buyer@example.com' },
    lines: lines.map((line) => ({
      sku: line.sku,
      quantity: line.quantity,
      unitPrice: line.unitPrice ?? 1250,
    })),
    currency: 'EUR',
    shippingAddress: {
      name: 'Ada Buyer',
      line1: '1 Main Street',
      city: 'Berlin',
      postalCode: '10115',
      country: 'DE',
    },
    payment: { provider: 'sandbox', token },
  };
}

export function uniqueSku(base: string): string {
  return `${base}-${randomUUID().slice(0, 8)}`.toUpperCase();
}
