import { exampleData, OrderConfirmedV1 } from '@waybill/contracts';
import { UseCaseHarness } from '@waybill/testing';
import { inventoryUseCases, placedOrder, uniqueSku } from '../../test/use-cases';
import { ReleaseReservation } from '../release-reservation/release-reservation.service';
import { ReserveStock } from '../reserve-stock/reserve-stock.service';
import { SetStockLevel } from '../stock-levels/stock-levels.service';
import { ConfirmReservation } from './confirm-reservation.service';

describe('ConfirmReservation (use case on PostgreSQL)', () => {
  let harness: UseCaseHarness;
  let confirm: ConfirmReservation;

  beforeAll(async () => {
    harness = await inventoryUseCases();
    confirm = harness.get(ConfirmReservation);
  });

  afterAll(async () => {
    await harness?.stop();
  });

  async function reservedOrder(): Promise<string> {
    const sku = uniqueSku('confirm');
    await harness.run((uow) => harness.get(SetStockLevel).execute(uow, { sku, onHand: 5 }));
    const order = placedOrder([{ sku, quantity: 2 }]);
    await harness.run((uow) => harness.get(ReserveStock).execute(uow, { order }));
    await harness.enqueued();
    return order.orderId;
  }

  const confirmed = (orderId: string) =>
    exampleData<OrderConfirmedV1>('waybill.order.confirmed.v1', { orderId });

  it('keeps a reserved order from expiring (CONFIRMED), with no event of its own', async () => {
    const orderId = await reservedOrder();

    expect(await harness.run((uow) => confirm.execute(uow, { confirmed: confirmed(orderId) }))).toBe(
      'confirmed',
    );

    expect(await harness.query(`SELECT status FROM reservations WHERE order_id = $1`, [orderId])).toEqual([
      { status: 'CONFIRMED' },
    ]);
    expect(await harness.enqueued()).toEqual([]);
  });

  it('ignores a confirmation for a reservation already released, and for an order it never reserved', async () => {
    const orderId = await reservedOrder();
    await harness.run((uow) =>
      harness.get(ReleaseReservation).execute(uow, {
        cancelled: exampleData('waybill.order.cancelled.v1', { orderId }),
      }),
    );
    await harness.enqueued();

    expect(await harness.run((uow) => confirm.execute(uow, { confirmed: confirmed(orderId) }))).toBe(
      'ignored',
    );
    expect(await harness.query(`SELECT status FROM reservations WHERE order_id = $1`, [orderId])).toEqual([
      { status: 'RELEASED' },
    ]);
    const unknown = placedOrder([{ sku: 'NONE', quantity: 1 }]).orderId;
    expect(await harness.run((uow) => confirm.execute(uow, { confirmed: confirmed(unknown) }))).toBe(
      'ignored',
    );
    expect(await harness.enqueued()).toEqual([]);
  });
});
