import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { exampleData } from '@waybill/contracts';
import {
  apiKeysEnv,
  DeadLetterWatcher,
  EventProbe,
  ServiceUnderTest,
  startServiceForTest,
  testApiKey,
  TestApiKey,
  uniqueTopicPrefix,
  waitFor,
} from '@waybill/testing';
import { OrderConfig } from '../src/order.config';
import { OrderModule } from '../src/order.module';

/** JSON answers and event data: the tests assert on their shape rather than type them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export const STOREFRONT_A = 'shop-a';
export const STOREFRONT_B = 'shop-b';

export interface OrderTestEnv {
  readonly service: ServiceUnderTest<OrderConfig>;
  readonly probe: EventProbe;
  readonly dlq: DeadLetterWatcher;
  readonly db: DataSource;
  readonly prefix: string;
  readonly keys: {
    readonly a: TestApiKey;
    readonly b: TestApiKey;
    readonly admin: TestApiKey;
    readonly reader: TestApiKey;
  };
  stop(): Promise<void>;
}

/** The order service as main.ts runs it, a probe playing inventory/payment/logistics/storefronts, and the DLQ. */
export async function startOrderService(): Promise<OrderTestEnv> {
  const prefix = uniqueTopicPrefix('ord');
  const keys = {
    a: testApiKey(`storefront/${STOREFRONT_A}`, ['orders:write', 'orders:read']),
    b: testApiKey(`storefront/${STOREFRONT_B}`, ['orders:write', 'orders:read']),
    admin: testApiKey('admin', []),
    // A storefront key that may only read, to show scopes are enforced.
    reader: testApiKey(`storefront/${STOREFRONT_A}`, ['orders:read']),
  };
  const service = await startServiceForTest(
    { service: 'order', config: OrderConfig, module: (c) => OrderModule.forRoot(c) },
    {
      topicPrefix: prefix,
      env: {
        WAYBILL_API_KEYS: apiKeysEnv([keys.a, keys.b, keys.admin, keys.reader]),
        RATE_LIMIT_PER_MINUTE: '100000',
        CONSUMER_MAX_ATTEMPTS: '2',
        // B stands for a channel storefront whose orders arrive paid; A for any other.
        ORDER_PREPAID_STOREFRONTS: STOREFRONT_B,
      },
    },
  );
  const probe = await EventProbe.start(prefix, [
    'waybill.order.events',
    'waybill.inventory.events',
    'waybill.payment.events',
    'waybill.logistics.events',
    'waybill.storefront.orders',
  ]);
  const dlq = await DeadLetterWatcher.start(prefix, 'order');
  return {
    service,
    probe,
    dlq,
    db: service.app.get(DataSource),
    prefix,
    keys,
    async stop() {
      await dlq.stop();
      await probe.stop();
      await service.stop();
    },
  };
}

export interface HttpAnswer<T = Json> {
  readonly status: number;
  readonly body: T;
  readonly headers: Headers;
  readonly text: string;
}

export async function http<T = Json>(
  env: OrderTestEnv,
  method: 'GET' | 'POST',
  path: string,
  options: { key?: TestApiKey; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
): Promise<HttpAnswer<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.key) {
    headers.authorization = `Bearer ${options.key.key}`;
  }
  let body: string | undefined;
  if (options.rawBody !== undefined || options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = options.rawBody ?? JSON.stringify(options.body);
  }
  const response = await fetch(`${env.service.baseUrl}${path}`, { method, headers, body });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    text,
    body: text ? JSON.parse(text) : undefined,
  };
}

let counter = 0;

/** A valid POST /v1/orders body with a fresh storefront order id; the token is unique too. */
export function orderBody(overrides: Record<string, unknown> = {}): Record<string, Json> {
  counter += 1;
  const example = exampleData<Record<string, Json>>('waybill.storefront.order-submitted.v1');
  return {
    storefrontOrderId: `SO-${Date.now().toString(36)}-${counter}-${randomUUID().slice(0, 6)}`,
    customer: example.customer,
    lines: example.lines,
    currency: 'EUR',
    shippingAddress: example.shippingAddress,
    payment: { provider: 'stripe', token: `pm_secret_${randomUUID().replace(/-/g, '')}` },
    ...overrides,
  };
}

export async function count(db: DataSource, sql: string, params: unknown[] = []): Promise<number> {
  const rows: { n: string }[] = await db.query(`SELECT count(*) AS n FROM (${sql}) AS q`, params);
  return Number(rows[0].n);
}

/** Waits until the order service's consumer has applied (committed) the event with this id. */
export async function applied(env: OrderTestEnv, eventId: string): Promise<void> {
  await waitFor(
    async () => (await count(env.db, `SELECT 1 FROM inbox WHERE event_id = $1`, [eventId])) === 1,
    {
      timeoutMs: 30_000,
      intervalMs: 50,
      description: `event ${eventId} to be applied by the order service`,
    },
  );
}
