import { randomUUID } from 'node:crypto';
import {
  exampleData,
  StockRejectedV1,
  StockReleasedV1,
  StockReservedV1,
  OrderPlacedV1,
} from '@waybill/contracts';
import { UnitsOfWork } from '@waybill/eventing';
import { waitFor } from '@waybill/testing';
import { ReserveOutcome, ReserveStock } from '../src/reserve-stock/reserve-stock.service';
import { InventoryUnderTest, orderPlaced, setStock, startInventory, stockOf, StockRow } from './support';

const RESERVED = 'waybill.inventory.stock-reserved.v1';
const REJECTED = 'waybill.inventory.stock-rejected.v1';
const RELEASED = 'waybill.inventory.stock-released.v1';

describe('no oversell under concurrency', () => {
  let inventory: InventoryUnderTest;

  beforeAll(async () => {
    inventory = await startInventory({
      // Long enough that nothing expires while the orders are decided; expiry is driven below.
      INVENTORY_RESERVATION_TTL_SECONDS: '600',
      INVENTORY_EXPIRY_SWEEP_INTERVAL_MS: '100',
      DB_POOL_SIZE: '20',
    });
  });

  afterAll(async () => {
    await inventory?.stop();
  });

  it('200 concurrent order.placed for 50 units: exactly 50 reserved, 150 rejected, stock never negative, all given back after', async () => {
    const sku = `HOT-${randomUUID().slice(0, 8)}`;
    await setStock(inventory, sku, 50);
    const orders = Array.from({ length: 200 }, () => orderPlaced([{ sku, quantity: 1 }]));
    const ids = new Set(orders.map((order) => order.orderId));
    const ours = (data: { orderId?: unknown }) => ids.has(data.orderId as string);

    // Watch the row while the orders are decided: it must never show more reserved than on hand.
    const samples: StockRow[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const row = await stockOf(inventory, sku);
        if (row) {
          samples.push(row);
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();

    await Promise.all(orders.map((order) => inventory.probe.publish('waybill.order.placed.v1', order)));
    await waitFor(
      () =>
        inventory.probe.events<StockReservedV1>(RESERVED, ours).length +
          inventory.probe.events<StockRejectedV1>(REJECTED, ours).length >=
        200,
      { timeoutMs: 90_000, description: '200 decisions' },
    );
    sampling = false;
    await sampler;

    const reserved = inventory.probe.events<StockReservedV1>(RESERVED, ours);
    const rejected = inventory.probe.events<StockRejectedV1>(REJECTED, ours);
    expect(reserved).toHaveLength(50);
    expect(rejected).toHaveLength(150);
    expect(new Set([...reserved, ...rejected].map((event) => event.data.orderId)).size).toBe(200);
    for (const event of rejected) {
      expect(event.data.reason).toBe('INVENTORY.INSUFFICIENT_STOCK');
      expect(event.data.shortLines).toEqual([{ sku, requested: 1, available: 0 }]);
    }
    expect(await stockOf(inventory, sku)).toEqual({ sku, on_hand: 50, reserved: 50 });
    expect(samples.length).toBeGreaterThan(0);
    for (const sample of samples) {
      expect(sample.on_hand).toBe(50);
      expect(sample.reserved).toBeGreaterThanOrEqual(0);
      expect(sample.reserved).toBeLessThanOrEqual(sample.on_hand);
    }
    const [{ n }] = await inventory.db.query(
      `SELECT count(*)::int AS n FROM reservations WHERE status = 'RESERVED' AND lines @> $1::jsonb`,
      [JSON.stringify([{ sku }])],
    );
    expect(n).toBe(50);

    // Give it all back: cancel half; let the other half expire. Expiry is brought forward in the
    // database (as if the TTL had passed) rather than waited for, so the test does not race the TTL.
    const reservedOrders = reserved.map((event) => event.data.orderId as string);
    const [toCancel, toExpire] = [reservedOrders.slice(0, 25), reservedOrders.slice(25)];
    await Promise.all(
      toCancel.map((orderId) =>
        inventory.probe.publish(
          'waybill.order.cancelled.v1',
          exampleData('waybill.order.cancelled.v1', { orderId }),
        ),
      ),
    );
    await inventory.db.query(
      `UPDATE reservations SET expires_at = now() - interval '1 second' WHERE order_id = ANY($1::uuid[])`,
      [toExpire],
    );
    await waitFor(() => inventory.probe.events<StockReleasedV1>(RELEASED, ours).length >= 50, {
      timeoutMs: 60_000,
      description: '50 releases',
    });
    const released = inventory.probe.events<StockReleasedV1>(RELEASED, ours);
    expect(released).toHaveLength(50);
    const reasonOf = new Map(released.map((event) => [event.data.orderId, event.data.reason]));
    for (const orderId of toCancel) {
      expect(reasonOf.get(orderId)).toBe('INVENTORY.ORDER_CANCELLED');
    }
    for (const orderId of toExpire) {
      expect(reasonOf.get(orderId)).toBe('INVENTORY.RESERVATION_EXPIRED');
    }
    expect(await stockOf(inventory, sku)).toEqual({ sku, on_hand: 50, reserved: 0 });
  });

  it('20 transactions at once on two SKUs, lines listed in opposite orders: no oversell and no deadlock', async () => {
    const run = randomUUID().slice(0, 8);
    const [a, b] = [`A-${run}`, `B-${run}`];
    await setStock(inventory, a, 30);
    await setStock(inventory, b, 30);
    const reserveStock = inventory.service.app.get(ReserveStock);
    const units = inventory.service.app.get(UnitsOfWork);

    const orders: OrderPlacedV1[] = Array.from({ length: 100 }, (_, i) =>
      orderPlaced(
        i % 2 === 0
          ? [
              { sku: a, quantity: 1 },
              { sku: b, quantity: 1 },
            ]
          : [
              { sku: b, quantity: 1 },
              { sku: a, quantity: 1 },
            ],
      ),
    );
    // The use case in its own transactions, straight on the pool (20 connections): far more
    // concurrency than Kafka's partitions give. A deadlock or a serialization error would reject.
    const outcomes: ReserveOutcome[] = await Promise.all(
      orders.map((order) => units.run((uow) => reserveStock.execute(uow, { order }))),
    );

    expect(outcomes.filter((outcome) => outcome === 'reserved')).toHaveLength(30);
    expect(outcomes.filter((outcome) => outcome === 'rejected')).toHaveLength(70);
    expect(await stockOf(inventory, a)).toEqual({ sku: a, on_hand: 30, reserved: 30 });
    expect(await stockOf(inventory, b)).toEqual({ sku: b, on_hand: 30, reserved: 30 });
  });
});
