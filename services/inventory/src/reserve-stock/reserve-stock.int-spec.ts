import { UseCaseHarness } from '@waybill/testing';
import {
  EVENT_CAUSE,
  inventoryUseCases,
  placedOrder,
  stockRow,
  SUPPLIER,
  uniqueSku,
} from '../../test/use-cases';
import { PutReplenishmentPolicy } from '../replenishment/replenishment.service';
import { SetStockLevel } from '../stock-levels/stock-levels.service';
import { ReserveStock } from './reserve-stock.service';

describe('ReserveStock (use case on PostgreSQL)', () => {
  let harness: UseCaseHarness;
  let reserveStock: ReserveStock;

  beforeAll(async () => {
    harness = await inventoryUseCases();
    reserveStock = harness.get(ReserveStock);
  });

  afterAll(async () => {
    await harness?.stop();
  });

  async function stock(sku: string, onHand: number): Promise<void> {
    await harness.run((uow) => harness.get(SetStockLevel).execute(uow, { sku, onHand }));
    await harness.enqueued();
  }

  it('reserves every line, records the reservation in the flow of the order, and enqueues stock-reserved', async () => {
    const [a, b] = [uniqueSku('a'), uniqueSku('b')];
    await stock(a, 10);
    await stock(b, 5);
    const order = placedOrder([
      { sku: a, quantity: 3 },
      { sku: b, quantity: 5 },
      { sku: a, quantity: 1 },
    ]);
    const cause = EVENT_CAUSE('waybill.order.placed.v1');

    expect(await harness.run((uow) => reserveStock.execute(uow, { order, cause }))).toBe('reserved');

    expect(await stockRow(harness, a)).toMatchObject({ onHand: 10, reserved: 4 });
    expect(await stockRow(harness, b)).toMatchObject({ onHand: 5, reserved: 5 });
    const [reservation] = await harness.query(
      `SELECT status, correlation_id FROM reservations WHERE order_id = $1`,
      [order.orderId],
    );
    expect(reservation).toEqual({ status: 'RESERVED', correlation_id: cause.correlationId });
    const enqueued = await harness.enqueued();
    expect(enqueued.map((event) => [event.type, event.key])).toEqual([
      ['waybill.inventory.stock-reserved.v1', order.orderId],
    ]);
    expect(enqueued[0].data).toMatchObject({
      orderId: order.orderId,
      lines: expect.arrayContaining([
        { sku: a, quantity: 4 },
        { sku: b, quantity: 5 },
      ]),
    });
  });

  it('rejects the whole order when one line is short: nothing reserved, the rejection recorded and announced', async () => {
    const [a, b] = [uniqueSku('a'), uniqueSku('b')];
    await stock(a, 10);
    await stock(b, 1);
    const order = placedOrder([
      { sku: a, quantity: 2 },
      { sku: b, quantity: 2 },
    ]);

    expect(await harness.run((uow) => reserveStock.execute(uow, { order }))).toBe('rejected');

    expect(await stockRow(harness, a)).toMatchObject({ reserved: 0 });
    expect(await stockRow(harness, b)).toMatchObject({ reserved: 0 });
    expect(
      await harness.query(`SELECT status FROM reservations WHERE order_id = $1`, [order.orderId]),
    ).toEqual([{ status: 'REJECTED' }]);
    const [rejected] = await harness.enqueued();
    expect(rejected.type).toBe('waybill.inventory.stock-rejected.v1');
    expect(rejected.data).toMatchObject({
      orderId: order.orderId,
      shortLines: [{ sku: b, requested: 2, available: 1 }],
    });
  });

  it('decides an order once: order.placed again under a new event id changes nothing and enqueues nothing', async () => {
    const sku = uniqueSku('once');
    await stock(sku, 10);
    const order = placedOrder([{ sku, quantity: 4 }]);
    await harness.run((uow) =>
      reserveStock.execute(uow, { order, cause: EVENT_CAUSE('waybill.order.placed.v1') }),
    );
    await harness.enqueued();

    const again = await harness.run((uow) =>
      reserveStock.execute(uow, { order, cause: EVENT_CAUSE('waybill.order.placed.v1') }),
    );

    expect(again).toBe('already-decided');
    expect(await stockRow(harness, sku)).toMatchObject({ reserved: 4 });
    expect(await harness.enqueued()).toEqual([]);
  });

  it('opens a purchase order in the same unit of work when the reservation takes the SKU to its reorder point', async () => {
    const sku = uniqueSku('reorder');
    await stock(sku, 20);
    await harness.run((uow) =>
      harness.get(PutReplenishmentPolicy).execute(uow, {
        sku,
        reorderPoint: 10,
        orderUpTo: 30,
        minOrderQuantity: 1,
        packSize: 1,
        leadTimeDays: 2,
        supplier: SUPPLIER,
      }),
    );
    await harness.enqueued();
    const order = placedOrder([{ sku, quantity: 12 }]);

    await harness.run((uow) => reserveStock.execute(uow, { order }));

    expect(await harness.enqueuedTypes()).toEqual([
      'waybill.inventory.stock-reserved.v1',
      'waybill.inventory.stock-low.v1',
      'waybill.inventory.replenishment-requested.v1',
      'waybill.inventory.purchase-order-issued.v1',
    ]);
    // Available 8 after the reservation: ordered up to 30.
    expect(await harness.query(`SELECT state, ordered FROM purchase_orders WHERE sku = $1`, [sku])).toEqual([
      { state: 'DRAFT', ordered: 22 },
    ]);
    expect(await stockRow(harness, sku)).toEqual({ onHand: 20, reserved: 12, incoming: 22 });
  });

  it('leaves nothing behind when the unit of work rolls back', async () => {
    const sku = uniqueSku('rollback');
    await stock(sku, 10);
    const order = placedOrder([{ sku, quantity: 3 }]);

    await expect(
      harness.run(async (uow) => {
        await reserveStock.execute(uow, { order });
        throw new Error('the inbox transaction failed after the effect');
      }),
    ).rejects.toThrow('the inbox transaction failed');

    expect(await stockRow(harness, sku)).toMatchObject({ reserved: 0 });
    expect(await harness.query(`SELECT 1 FROM reservations WHERE order_id = $1`, [order.orderId])).toEqual(
      [],
    );
    expect(await harness.enqueued()).toEqual([]);
  });
});
