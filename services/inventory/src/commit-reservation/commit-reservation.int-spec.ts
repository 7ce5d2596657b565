import { randomUUID } from 'node:crypto';
import { exampleData, ShipmentCreatedV1 } from '@waybill/contracts';
import { UseCaseHarness } from '@waybill/testing';
import { inventoryUseCases, placedOrder, stockRow, uniqueSku } from '../../test/use-cases';
import { ReserveStock } from '../reserve-stock/reserve-stock.service';
import { SetStockLevel } from '../stock-levels/stock-levels.service';
import { CommitReservation } from './commit-reservation.service';

describe('CommitReservation (use case on PostgreSQL)', () => {
  let harness: UseCaseHarness;
  let commit: CommitReservation;

  beforeAll(async () => {
    harness = await inventoryUseCases();
    commit = harness.get(CommitReservation);
  });

  afterAll(async () => {
    await harness?.stop();
  });

  const shipped = (orderId: string) =>
    exampleData<ShipmentCreatedV1>('waybill.shipment.created.v1', { orderId, shipmentId: randomUUID() });

  it('turns the reservation into a stock decrement when the goods leave, and announces stock-committed once', async () => {
    const sku = uniqueSku('commit');
    await harness.run((uow) => harness.get(SetStockLevel).execute(uow, { sku, onHand: 9 }));
    const order = placedOrder([{ sku, quantity: 3 }]);
    await harness.run((uow) => harness.get(ReserveStock).execute(uow, { order }));
    await harness.enqueued();

    expect(await harness.run((uow) => commit.execute(uow, { shipment: shipped(order.orderId) }))).toBe(
      'committed',
    );

    expect(await stockRow(harness, sku)).toMatchObject({ onHand: 6, reserved: 0 });
    expect(
      await harness.query(`SELECT status FROM reservations WHERE order_id = $1`, [order.orderId]),
    ).toEqual([{ status: 'COMMITTED' }]);
    expect(await harness.enqueuedTypes()).toEqual(['waybill.inventory.stock-committed.v1']);

    // A second shipment.created for the order (a repeat): final, nothing taken twice.
    expect(await harness.run((uow) => commit.execute(uow, { shipment: shipped(order.orderId) }))).toBe(
      'ignored',
    );
    expect(await stockRow(harness, sku)).toMatchObject({ onHand: 6, reserved: 0 });
    expect(await harness.enqueued()).toEqual([]);
  });

  it('ignores a shipment of an order it holds no reservation for', async () => {
    expect(await harness.run((uow) => commit.execute(uow, { shipment: shipped(randomUUID()) }))).toBe(
      'ignored',
    );
    expect(await harness.enqueued()).toEqual([]);
  });
});
