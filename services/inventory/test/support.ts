import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { exampleData, OrderPlacedV1 } from '@waybill/contracts';
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
import { InventoryConfig } from '../src/inventory.config';
import { InventoryModule } from '../src/inventory.module';

export const WATCHED_TOPICS = [
  'waybill.order.events',
  'waybill.inventory.events',
  'waybill.logistics.events',
  'waybill.inventory.dlq',
];

export const KEYS = {
  admin: testApiKey('admin', []),
  reader: testApiKey('storefront/shop-eu', ['stock:read']),
  writer: testApiKey('supplier/acme', ['stock:write']),
} satisfies Record<string, TestApiKey>;

export interface InventoryUnderTest {
  readonly service: ServiceUnderTest<InventoryConfig>;
  readonly probe: EventProbe;
  readonly db: DataSource;
  readonly prefix: string;
  stop(): Promise<void>;
}

/** The inventory service in-process on real Kafka and Postgres, with a probe on its topics. */
export async function startInventory(env: Record<string, string> = {}): Promise<InventoryUnderTest> {
  const prefix = uniqueTopicPrefix('inv');
  const probe = await EventProbe.start(prefix, WATCHED_TOPICS);
  const service = await startServiceForTest(
    { service: 'inventory', config: InventoryConfig, module: (c) => InventoryModule.forRoot(c) },
    { topicPrefix: prefix, env: { WAYBILL_API_KEYS: apiKeysEnv(Object.values(KEYS)), ...env } },
  );
  return {
    service,
    probe,
    db: service.app.get(DataSource),
    prefix,
    async stop() {
      await service.stop();
      await probe.stop();
    },
  };
}

/** A JSON answer: a stock view or the platform's error shape. */
export interface ResponseBody {
  readonly code?: string;
  readonly message?: string;
  readonly details?: { readonly fields?: readonly { readonly field: string }[] } & Record<string, unknown>;
  readonly [field: string]: unknown;
}

/** The fields a validation error names. */
export function fieldsOf(body: ResponseBody): string[] {
  return (body.details?.fields ?? []).map((entry) => entry.field);
}

export async function http(
  inventory: InventoryUnderTest,
  method: 'GET' | 'PUT',
  path: string,
  options: { key?: TestApiKey; body?: unknown; rawBody?: string } = {},
): Promise<{ status: number; body: ResponseBody }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.key) {
    headers.authorization = `Bearer ${options.key.key}`;
  }
  const response = await fetch(`${inventory.service.baseUrl}${path}`, {
    method,
    headers,
    body: options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : {}) as ResponseBody };
}

export async function setStock(inventory: InventoryUnderTest, sku: string, onHand: number): Promise<void> {
  const response = await http(inventory, 'PUT', `/v1/stock/${encodeURIComponent(sku)}`, {
    key: KEYS.admin,
    body: { onHand },
  });
  if (response.status !== 200) {
    throw new Error(`PUT stock ${sku}: ${response.status} ${JSON.stringify(response.body)}`);
  }
}

export interface StockRow {
  sku: string;
  on_hand: number;
  reserved: number;
}

export async function stockOf(inventory: InventoryUnderTest, sku: string): Promise<StockRow | undefined> {
  const rows: StockRow[] = await inventory.db.query(
    `SELECT sku, on_hand, reserved FROM stock WHERE sku = $1`,
    [sku],
  );
  return rows[0];
}

export async function reservationOf(
  inventory: InventoryUnderTest,
  orderId: string,
): Promise<{ id: string; status: string; lines: unknown; expires_at: Date | null } | undefined> {
  const rows = await inventory.db.query(
    `SELECT id, status, lines, expires_at FROM reservations WHERE order_id = $1`,
    [orderId],
  );
  return rows[0];
}

/** True once the service has handled the event (its inbox row is committed with the effect). */
export async function handled(inventory: InventoryUnderTest, eventId: string): Promise<boolean> {
  const rows = await inventory.db.query(`SELECT 1 FROM inbox WHERE event_id = $1`, [eventId]);
  return rows.length > 0;
}

export async function waitHandled(inventory: InventoryUnderTest, eventId: string): Promise<void> {
  await waitFor(() => handled(inventory, eventId), {
    timeoutMs: 30_000,
    description: `event ${eventId} handled`,
  });
}

export function orderPlaced(
  lines: { sku: string; quantity: number }[],
  orderId: string = randomUUID(),
): OrderPlacedV1 {
  return exampleData<OrderPlacedV1>('waybill.order.placed.v1', {
    orderId,
    storefrontOrderId: `EU-${orderId.slice(0, 8)}`,
    lines: lines.map((line) => ({ ...line, unitPrice: 990 })),
  });
}

/** Matches events of one order; use with the event's contract class, e.g. `waitForEvent<StockReservedV1>`. */
export function ofOrder(orderId: string): (data: { orderId: string }) => boolean {
  return (data) => data.orderId === orderId;
}
