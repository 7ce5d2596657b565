import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { exampleData } from '@waybill/contracts';
import { createKafka } from '@waybill/eventing';
import {
  apiKeysEnv,
  EventProbe,
  ServiceUnderTest,
  startServiceForTest,
  testApiKey,
  TestApiKey,
  testInfrastructure,
  uniqueTopicPrefix,
  waitFor,
} from '@waybill/testing';
import { PaymentConfig } from '../../src/payment.config';
import { PaymentModule } from '../../src/payment.module';

export const TOPICS = [
  'waybill.order.events',
  'waybill.inventory.events',
  'waybill.payment.events',
  'waybill.logistics.events',
] as const;

/** Parsed JSON of an HTTP answer, asserted on field by field. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface PaymentTestEnv {
  readonly service: ServiceUnderTest<PaymentConfig>;
  readonly probe: EventProbe;
  readonly prefix: string;
  readonly reader: TestApiKey;
  readonly refunder: TestApiKey;
  stop(): Promise<void>;
  /** Resolves once the payment service has committed everything published so far on `topic`. */
  consumed(topic: (typeof TOPICS)[number]): Promise<void>;
  /** Events of `type` for the order written to the outbox: what the service decided, at once. */
  outboxCount(type: string, orderId: string): Promise<number>;
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  get(path: string, key?: TestApiKey): Promise<{ status: number; body: Json }>;
  post(
    path: string,
    body: unknown,
    key?: TestApiKey,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: Json; headers: Headers }>;
}

export async function startPaymentService(env: Record<string, string>): Promise<PaymentTestEnv> {
  const prefix = `${uniqueTopicPrefix('pay')}.`;
  const probe = await EventProbe.start(prefix, TOPICS);
  const reader = testApiKey('storefront/shop-eu', ['payments:read']);
  const refunder = testApiKey('admin', ['payments:read', 'payments:refund']);
  const service = await startServiceForTest(
    { service: 'payment', config: PaymentConfig, module: (c) => PaymentModule.forRoot(c) },
    {
      topicPrefix: prefix,
      env: {
        WAYBILL_API_KEYS: apiKeysEnv([reader, refunder]),
        PAYMENT_PROVIDER_RETRY_BACKOFF_MS: '10',
        PAYMENT_WEBHOOK_POLL_INTERVAL_MS: '500',
        ...env,
      },
    },
  ).catch(async (error: unknown) => {
    await probe.stop();
    throw error;
  });
  const dataSource = service.app.get(DataSource);
  const infra = await testInfrastructure();
  const admin = createKafka({
    clientId: `pay-e2e-admin-${randomUUID().slice(0, 8)}`,
    brokers: infra.kafkaBrokers,
  }).admin();
  await admin.connect();

  const request = async (
    method: string,
    path: string,
    body?: unknown,
    key?: TestApiKey,
    headers: Record<string, string> = {},
  ) => {
    const response = await fetch(`${service.baseUrl}${path}`, {
      method,
      headers: {
        ...(key && { Authorization: `Bearer ${key.key}` }),
        ...(body !== undefined && { 'Content-Type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
  };

  return {
    service,
    probe,
    prefix,
    reader,
    refunder,
    async stop() {
      await admin.disconnect();
      await probe.stop();
      await service.stop();
    },
    async consumed(topic) {
      const full = prefix + topic;
      const groupId = `${prefix}waybill.payment.${full}`;
      const ends = await admin.fetchTopicOffsets(full);
      await waitFor(
        async () => {
          const [committed] = await admin.fetchOffsets({ groupId, topics: [full] });
          return ends.every(({ partition, high }) => {
            const at = committed?.partitions.find((p) => p.partition === partition)?.offset ?? '-1';
            return Number(high) === 0 || Number(at) >= Number(high);
          });
        },
        { timeoutMs: 30_000, intervalMs: 100, description: `payment to consume ${topic}` },
      );
    },
    async outboxCount(type, orderId) {
      const rows = await dataSource.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM outbox WHERE event_type = $1 AND message_key = $2`,
        [type, orderId],
      );
      return rows[0].n;
    },
    query: (sql, params) => dataSource.query(sql, params),
    get: (path, key) => request('GET', path, undefined, key),
    post: (path, body, key, headers) => request('POST', path, body, key, headers),
  };
}

export function orderPlaced(
  orderId: string,
  provider: string,
  paymentMethodRef: string,
  totalAmount = 5390,
  currency = 'EUR',
) {
  return exampleData('waybill.order.placed.v1', {
    orderId,
    currency,
    storefrontOrderId: `SO-${orderId.slice(0, 8)}`,
    totalAmount,
    payment: { provider, paymentMethodRef },
    placedAt: new Date().toISOString(),
  });
}

export function stockReserved(orderId: string) {
  return exampleData('waybill.inventory.stock-reserved.v1', {
    orderId,
    reservationId: randomUUID(),
    reservedAt: new Date().toISOString(),
  });
}

export function orderCancelled(orderId: string) {
  return exampleData('waybill.order.cancelled.v1', {
    orderId,
    reason: 'ORDER.CUSTOMER_REQUEST',
    reservationId: undefined,
    cancelledAt: new Date().toISOString(),
  });
}

export function shipmentCreated(orderId: string) {
  return exampleData('waybill.shipment.created.v1', {
    orderId,
    shipmentId: randomUUID(),
    createdAt: new Date().toISOString(),
  });
}

export const TYPES = {
  actionRequired: 'waybill.payment.action-required.v1',
  placed: 'waybill.order.placed.v1',
  reserved: 'waybill.inventory.stock-reserved.v1',
  cancelled: 'waybill.order.cancelled.v1',
  shipped: 'waybill.shipment.created.v1',
  authorized: 'waybill.payment.authorized.v1',
  failed: 'waybill.payment.failed.v1',
  voided: 'waybill.payment.voided.v1',
  captured: 'waybill.payment.captured.v1',
  refunded: 'waybill.payment.refunded.v1',
} as const;
