/**
 * The demo shop `npm start` sets up on first start: a few stocked SKUs whose replenishment
 * policies have low thresholds (so purchase orders go out within a minute of traffic), and one
 * SKU with no stock and no policy (so a share of orders is rejected). Seeded through the
 * operators' APIs, and only what is missing: a second start keeps the stock as the first left it.
 */
import type { Logger } from '@waybill/local-infra';

export const DEMO_SUPPLIER = 'demo';
export const SOLD_OUT_SKU = 'DEMO-SOLD-OUT';

interface DemoSku {
  readonly sku: string;
  readonly unitPrice: number;
  readonly onHand: number;
  /** Replenished when available + incoming falls to `reorderPoint`, back up to `orderUpTo`. */
  readonly policy?: { readonly reorderPoint: number; readonly orderUpTo: number };
}

const CATALOGUE: readonly DemoSku[] = [
  { sku: 'DEMO-MUG', unitPrice: 1250, onHand: 300, policy: { reorderPoint: 60, orderUpTo: 300 } },
  { sku: 'DEMO-TEE', unitPrice: 2400, onHand: 200, policy: { reorderPoint: 40, orderUpTo: 200 } },
  { sku: 'DEMO-CAP', unitPrice: 1800, onHand: 120, policy: { reorderPoint: 30, orderUpTo: 120 } },
  // Tiny stock: runs out between deliveries, so some of its orders are rejected, then it is back.
  { sku: 'DEMO-POSTER', unitPrice: 900, onHand: 20, policy: { reorderPoint: 5, orderUpTo: 20 } },
  { sku: SOLD_OUT_SKU, unitPrice: 5000, onHand: 0 },
];

export const STOCKED_SKUS: readonly string[] = CATALOGUE.filter((item) => item.onHand > 0).map(
  (item) => item.sku,
);
export const DEMO_PRICES: Readonly<Record<string, number>> = Object.fromEntries(
  CATALOGUE.map((item) => [item.sku, item.unitPrice]),
);

/**
 * Stocks every demo SKU that inventory does not know yet and, when a supplier is configured, gives
 * every stocked one its policy if it has none. Returns what it created.
 */
export async function seedDemoCatalogue(options: {
  readonly inventoryUrl: string;
  readonly adminKey: string;
  readonly withPolicies: boolean;
  readonly log: Logger;
}): Promise<string[]> {
  const call = async (method: 'GET' | 'PUT', path: string, body?: object): Promise<number> => {
    const response = await fetch(`${options.inventoryUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${options.adminKey}`, 'content-type': 'application/json' },
      body: body && JSON.stringify(body),
    });
    const text = await response.text();
    if (method === 'PUT' && !response.ok) {
      throw new Error(`PUT ${path} answered ${response.status}: ${text}`);
    }
    return response.status;
  };
  const created: string[] = [];
  for (const item of CATALOGUE) {
    if ((await call('GET', `/v1/stock/${item.sku}`)) === 404) {
      await call('PUT', `/v1/stock/${item.sku}`, { onHand: item.onHand });
      created.push(`stock ${item.sku}=${item.onHand}`);
    }
    if (item.policy && options.withPolicies) {
      if ((await call('GET', `/v1/replenishment/policies/${item.sku}`)) === 404) {
        await call('PUT', `/v1/replenishment/policies/${item.sku}`, {
          ...item.policy,
          leadTimeDays: 2,
          supplier: DEMO_SUPPLIER,
        });
        created.push(`policy ${item.sku}`);
      }
    }
  }
  if (created.length > 0) {
    options.log(`demo catalogue: ${created.join(', ')}`);
  }
  return created;
}
