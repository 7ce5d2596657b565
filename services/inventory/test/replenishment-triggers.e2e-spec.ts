import { DeadLetterWatcher, waitFor } from '@waybill/testing';
import {
  call,
  onlyPurchaseOrder,
  positionOf,
  purchaseOrdersOf,
  putPolicy,
  ReplenishmentUnderTest,
  runRequested,
  startWithSupplier,
  uniqueSku,
} from './replenishment-support';
import { orderPlaced, setStock, waitHandled } from './support';

const RUN_REQUESTED = 'waybill.replenishment.run-requested.v1';
const ISSUED = 'waybill.inventory.purchase-order-issued.v1';

/** Every way a replenishment is triggered, and the database keeping it to one order per SKU and cycle. */
describe('replenishment triggers', () => {
  let env: ReplenishmentUnderTest;
  let dlq: DeadLetterWatcher;

  beforeAll(async () => {
    // No sweep during these tests: what orders here is the trigger under test.
    env = await startWithSupplier({ INVENTORY_REPLENISHMENT_SWEEP_INTERVAL_MS: String(3_600_000) });
    dlq = await DeadLetterWatcher.start(env.inventory.prefix, 'inventory');
  });

  afterAll(async () => {
    await dlq?.stop();
    await env?.stop();
  });

  async function outboxCount(type: string, sku: string): Promise<number> {
    const rows = await env.inventory.db.query(
      `SELECT count(*)::int AS n FROM outbox WHERE event_type = $1 AND message_key = $2`,
      [type, sku],
    );
    return rows[0].n;
  }

  it('50 concurrent triggers of every kind for one SKU open exactly one purchase order', async () => {
    const sku = uniqueSku('race');
    await setStock(env.inventory, sku, 100);
    await putPolicy(env.inventory, sku, { reorderPoint: 50, orderUpTo: 120 });
    expect(await purchaseOrdersOf(env.inventory, sku)).toEqual([]);

    // Stock changes through Kafka (reservations) and HTTP (a stock take), the run endpoint, and
    // trigger events on waybill.replenishment.triggers, all at once, with the SKU below its point.
    const orders = Array.from({ length: 10 }, () => orderPlaced([{ sku, quantity: 1 }]));
    const triggers = Array.from({ length: 15 }, () => runRequested([sku]));
    const published = await Promise.all([
      ...orders.map((order) => env.inventory.probe.publish('waybill.order.placed.v1', order)),
      ...triggers.map((trigger) => env.inventory.probe.publish(RUN_REQUESTED, trigger, { key: sku })),
    ]);
    const answers = await Promise.all([
      ...Array.from({ length: 10 }, (_, i) =>
        call(env.inventory, 'PUT', `/v1/stock/${sku}`, { onHand: 40 + i }),
      ),
      ...Array.from({ length: 15 }, () =>
        call(env.inventory, 'POST', '/v1/replenishment/run', { skus: [sku] }),
      ),
    ]);
    expect(answers.map((answer) => answer.status)).toEqual([...Array(10).fill(200), ...Array(15).fill(200)]);
    for (const event of published) {
      await waitHandled(env.inventory, event.id);
    }

    const rows = await env.inventory.db.query(
      `SELECT po_number, ordered FROM purchase_orders WHERE sku = $1`,
      [sku],
    );
    expect(rows).toHaveLength(1);
    expect(await outboxCount(ISSUED, sku)).toBe(1);
    const runRaised = answers.slice(10).flatMap((answer) => answer.body.raised ?? []);
    expect(runRaised.length).toBeLessThanOrEqual(1);

    // The quantity is what the policy gives for the position the winning trigger saw.
    const order = await onlyPurchaseOrder(env.inventory, sku);
    const created = order.history[0];
    expect(created).toMatchObject({ from: null, to: 'DRAFT' });
    expect(order.lines[0].ordered).toBe(120 - created.detail.available - created.detail.incoming);
    expect(created.detail.available + created.detail.incoming).toBeLessThanOrEqual(50);
    expect((await positionOf(env.inventory, sku)).incoming).toBe(order.lines[0].ordered);

    // Not luck: the database itself refuses a second open order for the SKU.
    await expect(
      env.inventory.db.query(
        `INSERT INTO purchase_orders
           (id, po_number, sequence, sku, supplier, cycle, ordered, state, trigger, replenishment_id, expected_by)
         VALUES (gen_random_uuid(), 'PO-TEST', -1, $1, 'acme', 99, 1, 'SENT', 'manual', gen_random_uuid(), now())`,
        [sku],
      ),
    ).rejects.toThrow(/purchase_orders_one_open_per_sku/);

    // The supplier got it once, under its number.
    await waitFor(() => env.supplier.accepted.has(order.poNumber), {
      description: 'the supplier to have the order',
    });
    expect(env.supplier.deliveriesOf(order.poNumber).every((delivery) => delivery.verified)).toBe(true);
    expect(
      [...env.supplier.accepted.values()].filter((delivery) => delivery.body.lines?.[0]?.sku === sku),
    ).toHaveLength(1);
  });

  it('a trigger event orders for the SKUs it names; an invalid one goes to the DLQ', async () => {
    const sku = uniqueSku('ext');
    const calm = uniqueSku('calm');
    await setStock(env.inventory, calm, 100);
    await putPolicy(env.inventory, calm, { reorderPoint: 10, orderUpTo: 50 });
    await setStock(env.inventory, sku, 100);
    await putPolicy(env.inventory, sku, { reorderPoint: 10, orderUpTo: 50 });
    await env.inventory.db.query(`UPDATE stock SET on_hand = 2 WHERE sku = $1`, [sku]);

    const trigger = await env.inventory.probe.publish(RUN_REQUESTED, runRequested([sku, calm]), {
      key: 'planner',
    });
    await waitHandled(env.inventory, trigger.id);
    const [order] = await purchaseOrdersOf(env.inventory, sku);
    expect(order).toMatchObject({ trigger: 'external', lines: [{ sku, ordered: 48, received: 0 }] });
    expect(await purchaseOrdersOf(env.inventory, sku)).toHaveLength(1);
    expect(await purchaseOrdersOf(env.inventory, calm)).toEqual([]);

    const invalid = await env.inventory.probe.publish(
      RUN_REQUESTED,
      { requestId: 'not-a-uuid', skus: [], requestedAt: 'yesterday' },
      { key: 'planner' },
    );
    const letter = await dlq.waitFor((l) => l.headers.ce_id === invalid.id, 'the invalid trigger in the DLQ');
    expect(letter.headers.dlq_reason).toBe('EVENT.INVALID_DATA');
  });

  it('refuses a policy with both or neither quantity rule, or an unknown supplier', async () => {
    const sku = uniqueSku('policy');
    const both = await call(env.inventory, 'PUT', `/v1/replenishment/policies/${sku}`, {
      reorderPoint: 5,
      orderUpTo: 20,
      reorderQuantity: 10,
      leadTimeDays: 2,
      supplier: 'acme',
    });
    expect([both.status, both.body.code]).toEqual([
      422,
      'REPLENISHMENT.NEEDS_ORDER_UP_TO_OR_REORDER_QUANTITY',
    ]);
    const stranger = await call(env.inventory, 'PUT', `/v1/replenishment/policies/${sku}`, {
      reorderPoint: 5,
      orderUpTo: 20,
      leadTimeDays: 2,
      supplier: 'nobody',
    });
    expect([stranger.status, stranger.body.code]).toEqual([422, 'REPLENISHMENT.UNKNOWN_SUPPLIER']);
    expect((await call(env.inventory, 'GET', `/v1/replenishment/policies/${sku}`)).status).toBe(404);
  });
});

describe('the replenishment sweep', () => {
  let env: ReplenishmentUnderTest;

  beforeAll(async () => {
    env = await startWithSupplier({ INVENTORY_REPLENISHMENT_SWEEP_INTERVAL_MS: '300' });
  });

  afterAll(async () => {
    await env?.stop();
  });

  it('the scheduled sweep orders for a SKU that fell below its point without a trigger', async () => {
    const sku = uniqueSku('sweep');
    await setStock(env.inventory, sku, 30);
    await putPolicy(env.inventory, sku, { reorderPoint: 10, reorderQuantity: 24, packSize: 12 });
    // Stock that changed behind the service's back (an import): no trigger saw it.
    await env.inventory.db.query(`UPDATE stock SET on_hand = 3 WHERE sku = $1`, [sku]);

    const order = await onlyPurchaseOrder(env.inventory, sku);
    expect(order.trigger).toBe('scheduled_sweep');
    expect(order.lines).toEqual([{ sku, ordered: 24, received: 0 }]);
    const requested = await env.inventory.probe.waitForEvent(
      'waybill.inventory.replenishment-requested.v1',
      (data: { sku: string }) => data.sku === sku,
    );
    expect(requested.data).toMatchObject({
      trigger: 'scheduled_sweep',
      quantity: 24,
      available: 3,
      reorderPoint: 10,
    });
    expect(requested.key).toBe(sku);
    const low = await env.inventory.probe.waitForEvent(
      'waybill.inventory.stock-low.v1',
      (data: { sku: string }) => data.sku === sku,
    );
    expect(low.data).toMatchObject({ available: 3, incoming: 0, reorderPoint: 10 });
  });
});
