import { randomUUID } from 'node:crypto';
import {
  StockCommittedV1,
  StockRejectedV1,
  StockReleasedV1,
  StockReservedV1,
  exampleData,
} from '@waybill/contracts';
import { DeadLetterWatcher } from '@waybill/testing';
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
const REJECTED = 'waybill.inventory.stock-rejected.v1';
const RELEASED = 'waybill.inventory.stock-released.v1';
const COMMITTED = 'waybill.inventory.stock-committed.v1';

describe('inventory in the order saga', () => {
  let inventory: InventoryUnderTest;
  let sku: (name: string) => string;

  beforeAll(async () => {
    // The default TTL (900 s): nothing in this file expires. Expiry has its own file.
    inventory = await startInventory();
  });

  afterAll(async () => {
    await inventory?.stop();
  });

  beforeEach(() => {
    const run = randomUUID().slice(0, 8);
    sku = (name) => `${name}-${run}`;
  });

  function placed(lines: { sku: string; quantity: number }[], orderId?: string) {
    const data = orderPlaced(lines, orderId);
    return inventory.probe.publish('waybill.order.placed.v1', data).then((event) => ({ event, data }));
  }

  function cancelled(orderId: string) {
    return inventory.probe.publish(
      'waybill.order.cancelled.v1',
      exampleData('waybill.order.cancelled.v1', { orderId, reservationId: undefined }),
    );
  }

  function shipped(orderId: string) {
    return inventory.probe.publish(
      'waybill.shipment.created.v1',
      exampleData('waybill.shipment.created.v1', { orderId, shipmentId: randomUUID() }),
    );
  }

  it('reserves every line of an order (same-SKU lines summed) and announces it keyed by the order', async () => {
    const [mug, tee] = [sku('MUG'), sku('TEE')];
    await setStock(inventory, mug, 10);
    await setStock(inventory, tee, 3);

    const { event, data } = await placed([
      { sku: tee, quantity: 1 },
      { sku: mug, quantity: 2 },
      { sku: tee, quantity: 2 },
    ]);
    const reserved = await inventory.probe.waitForEvent<StockReservedV1>(RESERVED, ofOrder(data.orderId));

    expect(reserved.key).toBe(data.orderId);
    expect(reserved.subject).toBe(data.orderId);
    expect(reserved.source).toBe('/waybill/inventory');
    expect(reserved.causationid).toBe(event.id);
    expect(reserved.data.lines).toEqual(
      [
        { sku: mug, quantity: 2 },
        { sku: tee, quantity: 3 },
      ].sort((a, b) => (a.sku < b.sku ? -1 : 1)),
    );
    const reservedAt = Date.parse(reserved.data.reservedAt);
    expect(Date.parse(reserved.data.expiresAt) - reservedAt).toBe(900_000);

    expect(await stockOf(inventory, mug)).toEqual({ sku: mug, on_hand: 10, reserved: 2 });
    expect(await stockOf(inventory, tee)).toEqual({ sku: tee, on_hand: 3, reserved: 3 });
    const reservation = await reservationOf(inventory, data.orderId);
    expect(reservation).toMatchObject({ id: reserved.data.reservationId, status: 'RESERVED' });
  });

  it('reserves nothing when one line is short, and names only the short line', async () => {
    const [mug, tee] = [sku('MUG'), sku('TEE')];
    await setStock(inventory, mug, 10);
    await setStock(inventory, tee, 1);

    const { data } = await placed([
      { sku: mug, quantity: 4 },
      { sku: tee, quantity: 2 },
    ]);
    const rejected = await inventory.probe.waitForEvent<StockRejectedV1>(REJECTED, ofOrder(data.orderId));

    expect(rejected.key).toBe(data.orderId);
    expect(rejected.data).toMatchObject({
      orderId: data.orderId,
      reason: 'INVENTORY.INSUFFICIENT_STOCK',
      shortLines: [{ sku: tee, requested: 2, available: 1 }],
    });
    expect(await stockOf(inventory, mug)).toEqual({ sku: mug, on_hand: 10, reserved: 0 });
    expect(await stockOf(inventory, tee)).toEqual({ sku: tee, on_hand: 1, reserved: 0 });
    expect(inventory.probe.events<StockReservedV1>(RESERVED, ofOrder(data.orderId))).toHaveLength(0);
  });

  it('rejects an order naming an unknown SKU with INVENTORY.UNKNOWN_SKU, reserving nothing', async () => {
    const mug = sku('MUG');
    const ghost = sku('GHOST');
    await setStock(inventory, mug, 10);

    const { data } = await placed([
      { sku: mug, quantity: 1 },
      { sku: ghost, quantity: 1 },
    ]);
    const rejected = await inventory.probe.waitForEvent<StockRejectedV1>(REJECTED, ofOrder(data.orderId));

    expect(rejected.data.reason).toBe('INVENTORY.UNKNOWN_SKU');
    expect(rejected.data.shortLines).toEqual([{ sku: ghost, requested: 1, available: 0 }]);
    expect(await stockOf(inventory, mug)).toEqual({ sku: mug, on_hand: 10, reserved: 0 });
    expect(await stockOf(inventory, ghost)).toBeUndefined();
  });

  it('releases the reservation when the order is cancelled, and a second cancellation changes nothing', async () => {
    const mug = sku('MUG');
    await setStock(inventory, mug, 5);
    const { data } = await placed([{ sku: mug, quantity: 4 }]);
    const reserved = await inventory.probe.waitForEvent<StockReservedV1>(RESERVED, ofOrder(data.orderId));

    const cancel = await cancelled(data.orderId);
    const released = await inventory.probe.waitForEvent<StockReleasedV1>(RELEASED, ofOrder(data.orderId));
    expect(released.key).toBe(data.orderId);
    expect(released.causationid).toBe(cancel.id);
    expect(released.data).toMatchObject({
      orderId: data.orderId,
      reservationId: reserved.data.reservationId,
      reason: 'INVENTORY.ORDER_CANCELLED',
      lines: [{ sku: mug, quantity: 4 }],
    });
    expect(await stockOf(inventory, mug)).toEqual({ sku: mug, on_hand: 5, reserved: 0 });

    // A second cancellation (new event id) and a late shipment: recorded, nothing moves backwards.
    const again = await cancelled(data.orderId);
    const late = await shipped(data.orderId);
    await waitHandled(inventory, again.id);
    await waitHandled(inventory, late.id);
    expect(inventory.probe.events<StockReleasedV1>(RELEASED, ofOrder(data.orderId))).toHaveLength(1);
    expect(inventory.probe.events<StockCommittedV1>(COMMITTED, ofOrder(data.orderId))).toHaveLength(0);
    expect(await stockOf(inventory, mug)).toEqual({ sku: mug, on_hand: 5, reserved: 0 });
    expect((await reservationOf(inventory, data.orderId))?.status).toBe('RELEASED');
  });

  it('releases a CONFIRMED reservation on cancellation too', async () => {
    const mug = sku('MUG');
    await setStock(inventory, mug, 5);
    const { data } = await placed([{ sku: mug, quantity: 2 }]);
    await inventory.probe.waitForEvent<StockReservedV1>(RESERVED, ofOrder(data.orderId));
    const confirm = await inventory.probe.publish(
      'waybill.order.confirmed.v1',
      exampleData('waybill.order.confirmed.v1', { orderId: data.orderId }),
    );
    await waitHandled(inventory, confirm.id);
    expect((await reservationOf(inventory, data.orderId))?.status).toBe('CONFIRMED');

    await cancelled(data.orderId);
    const released = await inventory.probe.waitForEvent<StockReleasedV1>(RELEASED, ofOrder(data.orderId));
    expect(released.data.reason).toBe('INVENTORY.ORDER_CANCELLED');
    expect(await stockOf(inventory, mug)).toEqual({ sku: mug, on_hand: 5, reserved: 0 });
  });

  it('ignores a cancellation for an order it never reserved, or rejected', async () => {
    const mug = sku('MUG');
    await setStock(inventory, mug, 1);
    const unknownOrder = await cancelled(randomUUID());
    const { data } = await placed([{ sku: mug, quantity: 2 }]);
    await inventory.probe.waitForEvent<StockRejectedV1>(REJECTED, ofOrder(data.orderId));
    const afterReject = await cancelled(data.orderId);

    await waitHandled(inventory, unknownOrder.id);
    await waitHandled(inventory, afterReject.id);
    expect(inventory.probe.events<StockReleasedV1>(RELEASED, ofOrder(data.orderId))).toHaveLength(0);
    expect(await stockOf(inventory, mug)).toEqual({ sku: mug, on_hand: 1, reserved: 0 });
  });

  it('commits the reservation on shipment.created: on hand and reserved drop together, once', async () => {
    const [mug, tee] = [sku('MUG'), sku('TEE')];
    await setStock(inventory, mug, 10);
    await setStock(inventory, tee, 4);
    const { data } = await placed([
      { sku: mug, quantity: 3 },
      { sku: tee, quantity: 1 },
    ]);
    const reserved = await inventory.probe.waitForEvent<StockReservedV1>(RESERVED, ofOrder(data.orderId));
    const confirm = await inventory.probe.publish(
      'waybill.order.confirmed.v1',
      exampleData('waybill.order.confirmed.v1', { orderId: data.orderId }),
    );
    await waitHandled(inventory, confirm.id);

    const shipment = await shipped(data.orderId);
    const committed = await inventory.probe.waitForEvent<StockCommittedV1>(COMMITTED, ofOrder(data.orderId));
    expect(committed.key).toBe(data.orderId);
    expect(committed.causationid).toBe(shipment.id);
    expect(committed.data).toMatchObject({
      orderId: data.orderId,
      reservationId: reserved.data.reservationId,
      lines: reserved.data.lines,
    });
    expect(await stockOf(inventory, mug)).toEqual({ sku: mug, on_hand: 7, reserved: 0 });
    expect(await stockOf(inventory, tee)).toEqual({ sku: tee, on_hand: 3, reserved: 0 });

    // Duplicate shipment, late confirmation and a cancellation after shipping: all ignored.
    const followUps = [
      await shipped(data.orderId),
      await inventory.probe.publish(
        'waybill.order.confirmed.v1',
        exampleData('waybill.order.confirmed.v1', { orderId: data.orderId }),
      ),
      await cancelled(data.orderId),
    ];
    for (const event of followUps) {
      await waitHandled(inventory, event.id);
    }
    expect(inventory.probe.events<StockCommittedV1>(COMMITTED, ofOrder(data.orderId))).toHaveLength(1);
    expect(inventory.probe.events<StockReleasedV1>(RELEASED, ofOrder(data.orderId))).toHaveLength(0);
    expect(await stockOf(inventory, mug)).toEqual({ sku: mug, on_hand: 7, reserved: 0 });
    expect((await reservationOf(inventory, data.orderId))?.status).toBe('COMMITTED');
  });

  it('commits a reservation whose shipment is seen before its confirmation (topics are consumed side by side)', async () => {
    const mug = sku('MUG');
    await setStock(inventory, mug, 2);
    const { data } = await placed([{ sku: mug, quantity: 2 }]);
    await inventory.probe.waitForEvent<StockReservedV1>(RESERVED, ofOrder(data.orderId));
    await shipped(data.orderId);
    await inventory.probe.waitForEvent<StockCommittedV1>(COMMITTED, ofOrder(data.orderId));
    expect(await stockOf(inventory, mug)).toEqual({ sku: mug, on_hand: 0, reserved: 0 });
  });

  it('reserves once when order.placed is delivered twice, with the same or a new event id', async () => {
    const mug = sku('MUG');
    await setStock(inventory, mug, 10);
    const data = orderPlaced([{ sku: mug, quantity: 3 }]);
    const first = await inventory.probe.publish('waybill.order.placed.v1', data);
    const sameId = await inventory.probe.publish('waybill.order.placed.v1', data, { id: first.id });
    const newId = await inventory.probe.publish('waybill.order.placed.v1', data);
    await waitHandled(inventory, first.id);
    await waitHandled(inventory, newId.id);
    expect(sameId.id).toBe(first.id);

    // A cancellation after the duplicates on the same partition: once its release is seen, any event
    // the duplicates had produced (same key, earlier in the outbox) would have been seen first.
    await cancelled(data.orderId);
    await inventory.probe.waitForEvent<StockReleasedV1>(RELEASED, ofOrder(data.orderId));
    expect(inventory.probe.events<StockReservedV1>(RESERVED, ofOrder(data.orderId))).toHaveLength(1);
    expect(inventory.probe.events<StockRejectedV1>(REJECTED, ofOrder(data.orderId))).toHaveLength(0);
    expect(inventory.probe.events<StockReleasedV1>(RELEASED, ofOrder(data.orderId))[0].data.lines).toEqual([
      { sku: mug, quantity: 3 },
    ]);
    expect(await stockOf(inventory, mug)).toEqual({ sku: mug, on_hand: 10, reserved: 0 });
  });

  it('does not retry a rejected order when order.placed is redelivered after stock arrived', async () => {
    const mug = sku('MUG');
    await setStock(inventory, mug, 0);
    const data = orderPlaced([{ sku: mug, quantity: 1 }]);
    await inventory.probe.publish('waybill.order.placed.v1', data);
    await inventory.probe.waitForEvent<StockRejectedV1>(REJECTED, ofOrder(data.orderId));
    await setStock(inventory, mug, 5);
    const redelivered = await inventory.probe.publish('waybill.order.placed.v1', data);
    await waitHandled(inventory, redelivered.id);
    expect(await stockOf(inventory, mug)).toEqual({ sku: mug, on_hand: 5, reserved: 0 });
    expect((await reservationOf(inventory, data.orderId))?.status).toBe('REJECTED');
  });

  it('dead-letters an invalid order.placed with the reason and changes nothing; the partition goes on', async () => {
    const mug = sku('MUG');
    await setStock(inventory, mug, 10);
    const dlq = await DeadLetterWatcher.start(inventory.prefix, 'inventory');
    try {
      const orderId = randomUUID();
      const invalid = {
        ...orderPlaced([{ sku: mug, quantity: 1 }], orderId),
        lines: [{ sku: mug, quantity: 0, unitPrice: 1 }],
      };
      const bad = await inventory.probe.publish('waybill.order.placed.v1', invalid);
      // Same key, so the same partition: handled after the invalid one.
      const { data } = await placed([{ sku: mug, quantity: 1 }], orderId);

      await inventory.probe.waitForEvent<StockReservedV1>(RESERVED, ofOrder(data.orderId));
      const letter = await dlq.waitFor(
        (message) => message.headers.ce_id === bad.id,
        'the invalid order.placed in the DLQ',
      );
      expect(letter.key).toBe(orderId);
      expect(letter.headers.dlq_reason).toMatch(/^EVENT\./);
      expect(letter.headers.dlq_error).toContain('quantity');
      expect(await stockOf(inventory, mug)).toEqual({ sku: mug, on_hand: 10, reserved: 1 });
      const inbox = await inventory.db.query(`SELECT 1 FROM inbox WHERE event_id = $1`, [bad.id]);
      expect(inbox).toHaveLength(0);
    } finally {
      await dlq.stop();
    }
  });
});
