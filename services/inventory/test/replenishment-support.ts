import { randomUUID } from 'node:crypto';
import { TestApiKey, waitFor } from '@waybill/testing';
import { FakeSupplier, newWebhookSecret, signedSupplierMessage } from '@waybill/testing/parties';
import { InventoryUnderTest, KEYS, startInventory } from './support';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

/** The settings for one http-json supplier at `url` on loopback, with fast retries for tests. */
export function httpSupplierEnv(
  name: string,
  url: string,
  secrets: { webhook: string; signing: string },
): Record<string, string> {
  const prefix = `INVENTORY_SUPPLIER_${name.toUpperCase()}`;
  return {
    [`${prefix}_ADAPTER`]: 'http-json',
    [`${prefix}_URL`]: url,
    [`${prefix}_WEBHOOK_SECRET`]: secrets.webhook,
    [`${prefix}_SIGNING_SECRET`]: secrets.signing,
    INVENTORY_SUPPLIER_ALLOWED_HOSTS: '127.0.0.1',
    INVENTORY_SUPPLIER_ALLOW_LOOPBACK: 'true',
    INVENTORY_SUPPLIER_TIMEOUT_MS: '1000',
    INVENTORY_PO_DISPATCH_POLL_INTERVAL_MS: '100',
    INVENTORY_PO_RETRY_INITIAL_BACKOFF_MS: '100',
    INVENTORY_PO_RETRY_MAX_BACKOFF_MS: '400',
  };
}

export interface ReplenishmentUnderTest {
  readonly inventory: InventoryUnderTest;
  readonly supplier: FakeSupplier;
  /** What the supplier signs its messages to Waybill with. */
  readonly webhookSecret: string;
  stop(): Promise<void>;
}

/** Inventory with one http-json supplier `acme`, played by a real HTTP server. */
export async function startWithSupplier(env: Record<string, string> = {}): Promise<ReplenishmentUnderTest> {
  const webhookSecret = newWebhookSecret();
  const supplier = await FakeSupplier.start(newWebhookSecret());
  const inventory = await startInventory({
    ...httpSupplierEnv('acme', supplier.url, { webhook: webhookSecret, signing: supplier.signingSecret }),
    ...env,
  });
  return {
    inventory,
    supplier,
    webhookSecret,
    async stop() {
      await inventory.stop();
      await supplier.stop();
    },
  };
}

/** Anything with the service's base URL: a started InventoryUnderTest, or a service restarted by hand. */
export interface Target {
  readonly service: { readonly baseUrl: string };
}

export async function call(
  inventory: Target,
  method: 'GET' | 'PUT' | 'POST',
  path: string,
  body?: unknown,
  key: TestApiKey | undefined = KEYS.admin,
): Promise<{ status: number; body: Json }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (key) {
    headers.authorization = `Bearer ${key.key}`;
  }
  const response = await fetch(`${inventory.service.baseUrl}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : {} };
}

export async function putPolicy(inventory: Target, sku: string, policy: object): Promise<Json> {
  const answer = await call(inventory, 'PUT', `/v1/replenishment/policies/${sku}`, {
    leadTimeDays: 3,
    supplier: 'acme',
    ...policy,
  });
  if (answer.status !== 200) {
    throw new Error(`PUT policy ${sku}: ${answer.status} ${JSON.stringify(answer.body)}`);
  }
  return answer.body;
}

/** `{ onHand, reserved, available, incoming }` as the policy view shows it. */
export async function positionOf(inventory: Target, sku: string): Promise<Json> {
  return (await call(inventory, 'GET', `/v1/replenishment/policies/${sku}`)).body.position;
}

export async function purchaseOrdersOf(inventory: Target, sku: string): Promise<Json[]> {
  return (await call(inventory, 'GET', `/v1/purchase-orders?sku=${encodeURIComponent(sku)}`)).body.items;
}

export async function purchaseOrder(inventory: Target, idOrNumber: string): Promise<Json> {
  return (await call(inventory, 'GET', `/v1/purchase-orders/${idOrNumber}`)).body;
}

/** Waits for the SKU's only purchase order and returns it in full. */
export async function onlyPurchaseOrder(inventory: Target, sku: string): Promise<Json> {
  const [summary] = await waitFor(
    async () => {
      const items = await purchaseOrdersOf(inventory, sku);
      return items.length > 0 ? items : undefined;
    },
    { timeoutMs: 30_000, description: `a purchase order for ${sku}` },
  );
  return purchaseOrder(inventory, summary.id);
}

export async function waitForState(
  inventory: Target,
  idOrNumber: string,
  state: string,
  timeoutMs = 30_000,
): Promise<Json> {
  return waitFor(
    async () => {
      const order = await purchaseOrder(inventory, idOrNumber);
      return order.state === state ? order : undefined;
    },
    { timeoutMs, description: `purchase order ${idOrNumber} to be ${state}` },
  );
}

/** POSTs a supplier message signed with `secret` (a wrong one for the bad-signature case). */
export async function postSupplierMessage(
  inventory: Target,
  supplier: string,
  secret: string,
  body: object,
  webhookId = `msg_${randomUUID()}`,
): Promise<{ status: number; body: Json }> {
  const message = signedSupplierMessage(secret, webhookId, body);
  const response = await fetch(`${inventory.service.baseUrl}/v1/webhooks/suppliers/${supplier}`, {
    method: 'POST',
    headers: message.headers,
    body: message.rawBody,
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : {} };
}

export function runRequested(skus?: string[]): Record<string, unknown> {
  return {
    requestId: randomUUID(),
    ...(skus && { skus }),
    requestedBy: 'test-planner',
    requestedAt: new Date().toISOString(),
  };
}

export function uniqueSku(base: string): string {
  return `${base}-${randomUUID().slice(0, 8)}`.toUpperCase();
}
