import { exampleData, OrderCancelledV1 } from '@waybill/contracts';
import { UseCaseHarness } from '@waybill/testing';
import { EVENT_CAUSE, inventoryUseCases, placedOrder, stockRow, uniqueSku } from '../../test/use-cases';
import { ReserveStock } from '../reserve-stock/reserve-stock.service';
import { SetStockLevel } from '../stock-levels/stock-levels.service';
import { ReleaseReservation } from './release-reservation.service';

describe('ReleaseReservation (use case on PostgreSQL)', () => {
  let harness: UseCaseHarness;
  let release: ReleaseReservation;

  beforeAll(async () => {
    harness = await inventoryUseCases();
    release = harness.get(ReleaseReservation);
  });

  afterAll(async () => {
    await harness?.stop();
  });

  const cancelled = (orderId: string) =>
    exampleData<OrderCancelledV1>('waybill.order.cancelled.v1', {
      orderId,
      reason: 'ORDER.CUSTOMER_REQUEST',
    });

  it("gives a cancelled order's units back and announces stock-released in the order's flow, once", async () => {
    const sku = uniqueSku('release');
    await harness.run((uow) => harness.get(SetStockLevel).execute(uow, { sku, onHand: 6 }));
    const order = placedOrder([{ sku, quantity: 4 }]);
    const placedCause = EVENT_CAUSE('waybill.order.placed.v1');
    await harness.run((uow) => harness.get(ReserveStock).execute(uow, { order, cause: placedCause }));
    await harness.enqueued();

    expect(await harness.run((uow) => release.execute(uow, { cancelled: cancelled(order.orderId) }))).toBe(
      'released',
    );

    expect(await stockRow(harness, sku)).toMatchObject({ onHand: 6, reserved: 0 });
    const [released, ...more] = await harness.enqueued();
    expect(more).toEqual([]);
    expect(released).toMatchObject({
      type: 'waybill.inventory.stock-released.v1',
      key: order.orderId,
      correlationId: placedCause.correlationId,
    });
    expect(released.data).toMatchObject({ orderId: order.orderId, reason: 'INVENTORY.ORDER_CANCELLED' });

    // The same cancellation again: nothing more to give back.
    expect(await harness.run((uow) => release.execute(uow, { cancelled: cancelled(order.orderId) }))).toBe(
      'ignored',
    );
    expect(await stockRow(harness, sku)).toMatchObject({ reserved: 0 });
    expect(await harness.enqueued()).toEqual([]);
  });

  it('has nothing to release for an order whose reservation was rejected', async () => {
    const sku = uniqueSku('rejected');
    await harness.run((uow) => harness.get(SetStockLevel).execute(uow, { sku, onHand: 1 }));
    const order = placedOrder([{ sku, quantity: 3 }]);
    await harness.run((uow) => harness.get(ReserveStock).execute(uow, { order }));
    await harness.enqueued();

    expect(await harness.run((uow) => release.execute(uow, { cancelled: cancelled(order.orderId) }))).toBe(
      'ignored',
    );
    expect(await stockRow(harness, sku)).toMatchObject({ onHand: 1, reserved: 0 });
    expect(await harness.enqueued()).toEqual([]);
  });
});
