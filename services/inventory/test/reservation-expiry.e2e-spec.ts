import { randomUUID } from 'node:crypto';
import { StockReleasedV1, StockReservedV1, exampleData } from '@waybill/contracts';
import { startServiceForTest, waitFor } from '@waybill/testing';
import { InventoryConfig } from '../src/inventory.config';
import { InventoryModule } from '../src/inventory.module';
import {
  InventoryUnderTest,
  ofOrder,
  orderPlaced,
  reservationOf,
  setStock,
  startInventory,
  stockOf,
  waitHandled,
} from './support';

const RESERVED = 'waybill.inventory.stock-reserved.v1';
const RELEASED = 'waybill.inventory.stock-released.v1';

const TTL_SECONDS = 4;

describe('reservation expiry', () => {
  let inventory: InventoryUnderTest;

  beforeAll(async () => {
    inventory = await startInventory({
      INVENTORY_RESERVATION_TTL_SECONDS: String(TTL_SECONDS),
      INVENTORY_EXPIRY_SWEEP_INTERVAL_MS: '100',
      INVENTORY_EXPIRY_BATCH_SIZE: '3',
    });
  });

  afterAll(async () => {
    await inventory?.stop();
  });

  it('releases a reservation whose payment never came, and never a confirmed one', async () => {
    const sku = `MUG-${randomUUID().slice(0, 8)}`;
    await setStock(inventory, sku, 10);

    // Confirmed first, so its expiry time is earlier than the unconfirmed one's.
    const confirmedOrder = orderPlaced([{ sku, quantity: 2 }]);
    await inventory.probe.publish('waybill.order.placed.v1', confirmedOrder);
    await inventory.probe.waitForEvent<StockReservedV1>(RESERVED, ofOrder(confirmedOrder.orderId));
    const confirm = await inventory.probe.publish(
      'waybill.order.confirmed.v1',
      exampleData('waybill.order.confirmed.v1', { orderId: confirmedOrder.orderId }),
    );
    await waitHandled(inventory, confirm.id);
    expect((await reservationOf(inventory, confirmedOrder.orderId))?.status).toBe('CONFIRMED');

    const abandoned = orderPlaced([{ sku, quantity: 3 }]);
    const placedAbandoned = await inventory.probe.publish('waybill.order.placed.v1', abandoned);
    const reserved = await inventory.probe.waitForEvent<StockReservedV1>(
      RESERVED,
      ofOrder(abandoned.orderId),
    );
    expect(await stockOf(inventory, sku)).toEqual({ sku, on_hand: 10, reserved: 5 });
    expect(Date.parse(reserved.data.expiresAt) - Date.parse(reserved.data.reservedAt)).toBe(
      TTL_SECONDS * 1000,
    );

    const released = await inventory.probe.waitForEvent<StockReleasedV1>(
      RELEASED,
      ofOrder(abandoned.orderId),
    );
    expect(released.key).toBe(abandoned.orderId);
    expect(released.data).toMatchObject({
      orderId: abandoned.orderId,
      reservationId: reserved.data.reservationId,
      reason: 'INVENTORY.RESERVATION_EXPIRED',
      lines: [{ sku, quantity: 3 }],
    });
    // The sweep stays in the order's flow: same correlation id as the order.placed that started it.
    expect(released.correlationid).toBe(placedAbandoned.id);
    expect(Date.parse(released.data.releasedAt)).toBeGreaterThanOrEqual(Date.parse(reserved.data.expiresAt));

    // The sweep that released it ran past the confirmed reservation's (earlier) expiry time and
    // scans in expiry order: had a confirmed reservation been expirable, it would be gone too.
    const confirmed = await reservationOf(inventory, confirmedOrder.orderId);
    expect(confirmed?.status).toBe('CONFIRMED');
    expect(confirmed!.expires_at!.getTime()).toBeLessThan(Date.parse(reserved.data.expiresAt));
    expect(inventory.probe.events<StockReleasedV1>(RELEASED, ofOrder(confirmedOrder.orderId))).toHaveLength(
      0,
    );
    expect(await stockOf(inventory, sku)).toEqual({ sku, on_hand: 10, reserved: 2 });

    // A cancellation after expiry finds nothing left to release.
    const cancel = await inventory.probe.publish(
      'waybill.order.cancelled.v1',
      exampleData('waybill.order.cancelled.v1', {
        orderId: abandoned.orderId,
        reason: 'ORDER.RESERVATION_EXPIRED',
      }),
    );
    await waitHandled(inventory, cancel.id);
    expect(inventory.probe.events<StockReleasedV1>(RELEASED, ofOrder(abandoned.orderId))).toHaveLength(1);
    expect(await stockOf(inventory, sku)).toEqual({ sku, on_hand: 10, reserved: 2 });
  });

  it('with two instances sweeping side by side, releases each expired reservation exactly once', async () => {
    const sku = `TEE-${randomUUID().slice(0, 8)}`;
    await setStock(inventory, sku, 100);
    // A second instance over the same database and topics (same consumer groups): both sweep.
    const second = await startServiceForTest(
      { service: 'inventory', config: InventoryConfig, module: (c) => InventoryModule.forRoot(c) },
      {
        topicPrefix: inventory.prefix,
        database: inventory.service.database,
        env: {
          INVENTORY_RESERVATION_TTL_SECONDS: String(TTL_SECONDS),
          INVENTORY_EXPIRY_SWEEP_INTERVAL_MS: '100',
          INVENTORY_EXPIRY_BATCH_SIZE: '3',
        },
      },
    );
    try {
      const orders = Array.from({ length: 20 }, () => orderPlaced([{ sku, quantity: 2 }]));
      await Promise.all(orders.map((order) => inventory.probe.publish('waybill.order.placed.v1', order)));
      await waitFor(
        () =>
          orders.every(
            (order) => inventory.probe.events<StockReleasedV1>(RELEASED, ofOrder(order.orderId)).length > 0,
          ),
        { timeoutMs: 60_000, description: 'all 20 reservations released' },
      );
      for (const order of orders) {
        expect(inventory.probe.events<StockReservedV1>(RESERVED, ofOrder(order.orderId))).toHaveLength(1);
        expect(inventory.probe.events<StockReleasedV1>(RELEASED, ofOrder(order.orderId))).toHaveLength(1);
        expect((await reservationOf(inventory, order.orderId))?.status).toBe('RELEASED');
      }
      expect(await stockOf(inventory, sku)).toEqual({ sku, on_hand: 100, reserved: 0 });
    } finally {
      await second.stop();
    }
  });
});
