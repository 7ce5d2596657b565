import {
  apiKeysEnv,
  createTestDatabase,
  startServiceForTest,
  uniqueTopicPrefix,
  waitFor,
} from '@waybill/testing';
import { InventoryConfig } from '../src/inventory.config';
import { InventoryModule } from '../src/inventory.module';
import { FakeSupplier, newWebhookSecret } from '@waybill/testing/parties';
import {
  call,
  httpSupplierEnv,
  onlyPurchaseOrder,
  positionOf,
  purchaseOrder,
  purchaseOrdersOf,
  putPolicy,
  ReplenishmentUnderTest,
  startWithSupplier,
  uniqueSku,
  waitForState,
} from './replenishment-support';
import { InventoryUnderTest, KEYS, setStock, startInventory } from './support';

describe('sending purchase orders', () => {
  let env: ReplenishmentUnderTest;

  beforeAll(async () => {
    env = await startWithSupplier();
  });

  afterAll(async () => {
    await env?.stop();
  });

  it('a supplier down for a while gets the order once it is back, exactly once by its count', async () => {
    const { supplier, inventory } = env;
    await supplier.closed(); // connection refused
    const sku = uniqueSku('outage');
    await setStock(inventory, sku, 50);
    await putPolicy(inventory, sku, { reorderPoint: 10, orderUpTo: 60 });
    await setStock(inventory, sku, 8);
    const order = await onlyPurchaseOrder(inventory, sku);
    expect(order.lines).toEqual([{ sku, ordered: 52, received: 0 }]);

    // Down: refused connections, then 503s. The order stays DRAFT and keeps being retried.
    await waitFor(async () => (await purchaseOrder(inventory, order.id)).dispatch.attempts >= 2, {
      description: 'two failed attempts while the supplier is unreachable',
    });
    await supplier.listen();
    supplier.down(503);
    await waitFor(() => supplier.deliveriesOf(order.poNumber).length >= 2, {
      description: 'two 503 answers',
    });
    const failing = await purchaseOrder(inventory, order.id);
    expect(failing.state).toBe('DRAFT');
    expect(failing.dispatch.lastError).toBe('HTTP 503');

    // Back, but its first answer comes after our timeout: we cannot know it took the order, so it
    // is sent again under the same number, and the supplier's dedup by webhook-id keeps it one.
    supplier.slowNextMs = 1500;
    supplier.up();
    const sent = await waitForState(inventory, order.id, 'SENT');
    expect(sent.history.map((entry: { to: string; cause: string }) => [entry.to, entry.cause])).toEqual([
      ['DRAFT', 'trigger:reorder_point'],
      ['SENT', 'dispatched'],
    ]);
    expect(sent.dispatch.attempts).toBeGreaterThanOrEqual(5);

    const deliveries = supplier.deliveriesOf(order.poNumber);
    expect(deliveries.filter((delivery) => delivery.status === 200).length).toBeGreaterThanOrEqual(2);
    expect(deliveries.every((delivery) => delivery.verified)).toBe(true);
    expect(new Set(deliveries.map((delivery) => delivery.body.poNumber))).toEqual(new Set([order.poNumber]));
    // The supplier's count: one order for this SKU, under one number.
    const taken = [...supplier.accepted.values()].filter((delivery) => delivery.body.lines?.[0]?.sku === sku);
    expect(taken.map((delivery) => delivery.webhookId)).toEqual([order.poNumber]);
    expect(taken[0].body.lines).toEqual([{ sku, quantity: 52 }]);

    // Nothing new while it is open: a run finds the cycle taken.
    const run = await call(inventory, 'POST', '/v1/replenishment/run', { skus: [sku] });
    expect(run.body).toEqual({ checked: 1, raised: [] });
    expect((await positionOf(inventory, sku)).incoming).toBe(52);
  });
});

describe('waking the dispatcher at commit', () => {
  let env: ReplenishmentUnderTest;

  beforeAll(async () => {
    // Its poll ten minutes apart: only the transaction's pg_notify can get the order out in time.
    env = await startWithSupplier({ INVENTORY_PO_DISPATCH_POLL_INTERVAL_MS: '600000' });
  });

  afterAll(async () => {
    await env?.stop();
  });

  it('sends a purchase order as soon as the transaction that opened it commits, with no poll due', async () => {
    const { supplier, inventory } = env;
    for (const round of ['first', 'second']) {
      const sku = uniqueSku(`notify-${round}`);
      await setStock(inventory, sku, 50);
      await putPolicy(inventory, sku, { reorderPoint: 10, orderUpTo: 60 });
      await setStock(inventory, sku, 8);
      const order = await onlyPurchaseOrder(inventory, sku);
      const sent = await waitForState(inventory, order.id, 'SENT', 10_000);
      expect(sent.dispatch.attempts).toBe(1);
      expect(supplier.deliveriesOf(order.poNumber).map((delivery) => delivery.status)).toEqual([200]);
    }
  });
});

describe('a purchase order across a restart', () => {
  it('committed but not yet delivered when the service stops, it is sent after the restart, once', async () => {
    const database = await createTestDatabase('e2e_inventory');
    const supplier = await FakeSupplier.start(newWebhookSecret());
    await supplier.closed();
    const entry = {
      service: 'inventory',
      config: InventoryConfig,
      module: (c: InventoryConfig) => InventoryModule.forRoot(c),
    };
    const options = {
      topicPrefix: uniqueTopicPrefix('inv-restart'),
      database,
      env: {
        WAYBILL_API_KEYS: apiKeysEnv([KEYS.admin]),
        ...httpSupplierEnv('acme', supplier.url, {
          webhook: newWebhookSecret(),
          signing: supplier.signingSecret,
        }),
      },
    };
    let service = await startServiceForTest(entry, options);
    try {
      const sku = uniqueSku('restart');
      await call({ service }, 'PUT', `/v1/stock/${sku}`, { onHand: 50 });
      await putPolicy({ service }, sku, { reorderPoint: 10, orderUpTo: 60 });
      await call({ service }, 'PUT', `/v1/stock/${sku}`, { onHand: 8 });
      const order = await onlyPurchaseOrder({ service }, sku);
      await waitFor(async () => (await purchaseOrder({ service }, order.id)).dispatch.attempts >= 1, {
        description: 'a failed attempt before the restart',
      });
      await service.stop();

      await supplier.listen();
      service = await startServiceForTest(entry, options);
      const sent = await waitForState({ service }, order.id, 'SENT');
      expect(sent.poNumber).toBe(order.poNumber);
      const taken = [...supplier.accepted.values()].filter(
        (delivery) => delivery.body.lines?.[0]?.sku === sku,
      );
      expect(taken.map((delivery) => delivery.webhookId)).toEqual([order.poNumber]);
      expect(await purchaseOrdersOf({ service }, sku)).toHaveLength(1);
    } finally {
      await service.stop();
      await database.drop();
      await supplier.stop();
    }
  });
});

describe('the sandbox supplier', () => {
  let inventory: InventoryUnderTest;

  beforeAll(async () => {
    inventory = await startInventory({
      INVENTORY_SUPPLIER_SANDY_ADAPTER: 'sandbox',
      INVENTORY_SUPPLIER_SANDY_WEBHOOK_SECRET: newWebhookSecret(),
      INVENTORY_SUPPLIER_SANDY_SANDBOX_ACK_DELAY_MS: '100',
      INVENTORY_SUPPLIER_SANDY_SANDBOX_SHIP_DELAY_MS: '400',
      INVENTORY_PO_DISPATCH_POLL_INTERVAL_MS: '100',
    });
  });

  afterAll(async () => {
    await inventory?.stop();
  });

  it('acknowledges and ships in full through the signed receipt path', async () => {
    const sku = uniqueSku('sandbox');
    await setStock(inventory, sku, 20);
    await putPolicy(inventory, sku, { reorderPoint: 5, orderUpTo: 30, packSize: 10, supplier: 'sandy' });
    await setStock(inventory, sku, 4);
    const order = await onlyPurchaseOrder(inventory, sku);
    const received = await waitForState(inventory, order.id, 'RECEIVED');

    expect(received.lines).toEqual([{ sku, ordered: 30, received: 30 }]);
    expect(received.history.map((entry: { to: string; cause: string }) => [entry.to, entry.cause])).toEqual([
      ['DRAFT', 'trigger:reorder_point'],
      ['SENT', 'dispatched'],
      ['ACKNOWLEDGED', 'supplier:purchase_order.acknowledged'],
      ['ACKNOWLEDGED', 'supplier:shipment.advised'],
      ['RECEIVED', 'supplier:goods.received'],
    ]);
    expect(await positionOf(inventory, sku)).toEqual({ onHand: 34, reserved: 0, available: 34, incoming: 0 });
    const event = await inventory.probe.waitForEvent(
      'waybill.inventory.stock-received.v1',
      (data: { poNumber: string }) => data.poNumber === order.poNumber,
    );
    expect(event.data).toMatchObject({ supplier: { id: 'sandy' }, lines: [{ sku, quantity: 30 }] });
    // The sandbox's messages were stored like any supplier's: signed, deduplicated by webhook-id.
    const messages = await inventory.db.query(
      `SELECT message_id FROM supplier_messages WHERE po_number = $1 ORDER BY received_at`,
      [order.poNumber],
    );
    expect(messages.map((row: { message_id: string }) => row.message_id)).toEqual([
      `sandbox-ack-${order.poNumber}`,
      `sandbox-asn-${order.poNumber}`,
      `sandbox-grn-${order.poNumber}`,
    ]);
  });
});
