import { exampleData, OrderConfirmedV1 } from '@waybill/contracts';
import { UseCaseHarness } from '@waybill/testing';
import { EVENT_CAUSE, inventoryUseCases, placedOrder, stockRow, uniqueSku } from '../../test/use-cases';
import { ConfirmReservation } from '../confirm-reservation/confirm-reservation.service';
import { ReserveStock } from '../reserve-stock/reserve-stock.service';
import { SetStockLevel } from '../stock-levels/stock-levels.service';
import { ExpireReservations } from './expire-reservations.service';

describe('ExpireReservations (use case on PostgreSQL)', () => {
  let harness: UseCaseHarness;
  let expire: ExpireReservations;

  beforeAll(async () => {
    harness = await inventoryUseCases();
    expire = harness.get(ExpireReservations);
  });

  afterAll(async () => {
    await harness?.stop();
  });

  it('releases reservations past their expiry that were never paid, in their own flows, one batch at a time', async () => {
    const sku = uniqueSku('expire');
    await harness.run((uow) => harness.get(SetStockLevel).execute(uow, { sku, onHand: 10 }));
    const causes = [EVENT_CAUSE('waybill.order.placed.v1'), EVENT_CAUSE('waybill.order.placed.v1')];
    const [abandoned, alsoAbandoned, paid] = [1, 2, 3].map(() => placedOrder([{ sku, quantity: 2 }]));
    await harness.run((uow) =>
      harness.get(ReserveStock).execute(uow, { order: abandoned, cause: causes[0] }),
    );
    await harness.run((uow) =>
      harness.get(ReserveStock).execute(uow, { order: alsoAbandoned, cause: causes[1] }),
    );
    await harness.run((uow) => harness.get(ReserveStock).execute(uow, { order: paid }));
    await harness.run((uow) =>
      harness.get(ConfirmReservation).execute(uow, {
        confirmed: exampleData<OrderConfirmedV1>('waybill.order.confirmed.v1', { orderId: paid.orderId }),
      }),
    );
    await harness.query(
      `UPDATE reservations SET expires_at = now() - interval '1 second' WHERE status <> 'REJECTED'`,
    );
    await harness.enqueued();

    expect(await harness.run((uow) => expire.execute(uow, { batchSize: 1 }))).toBe(1);
    expect(await harness.run((uow) => expire.execute(uow, { batchSize: 10 }))).toBe(1);
    expect(await harness.run((uow) => expire.execute(uow, { batchSize: 10 }))).toBe(0);

    expect(await stockRow(harness, sku)).toMatchObject({ onHand: 10, reserved: 2 });
    const released = await harness.enqueued();
    expect(released.map((event) => [event.type, event.key, event.correlationId]).sort()).toEqual(
      [
        ['waybill.inventory.stock-released.v1', abandoned.orderId, causes[0].correlationId],
        ['waybill.inventory.stock-released.v1', alsoAbandoned.orderId, causes[1].correlationId],
      ].sort(),
    );
    expect(released.map((event) => (event.data as { reason: string }).reason)).toEqual([
      'INVENTORY.RESERVATION_EXPIRED',
      'INVENTORY.RESERVATION_EXPIRED',
    ]);
    expect(
      await harness.query(`SELECT status FROM reservations WHERE order_id = $1`, [paid.orderId]),
    ).toEqual([{ status: 'CONFIRMED' }]);
  });
});
