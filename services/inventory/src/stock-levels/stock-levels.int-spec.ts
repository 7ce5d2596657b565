import { UseCaseHarness } from '@waybill/testing';
import { inventoryUseCases, placedOrder, stockRow, SUPPLIER, uniqueSku } from '../../test/use-cases';
import { PutReplenishmentPolicy } from '../replenishment/replenishment.service';
import { ReserveStock } from '../reserve-stock/reserve-stock.service';
import { OnHandBelowReserved, StockNotFound } from './stock-levels.errors';
import { GetStockLevel, SetStockLevel } from './stock-levels.service';

describe('GetStockLevel and SetStockLevel (use cases on PostgreSQL)', () => {
  let harness: UseCaseHarness;
  let setStock: SetStockLevel;

  beforeAll(async () => {
    harness = await inventoryUseCases();
    setStock = harness.get(SetStockLevel);
  });

  afterAll(async () => {
    await harness?.stop();
  });

  it('creates a SKU, then sets its count; the view says what is available', async () => {
    const sku = uniqueSku('take');
    await expect(harness.get(GetStockLevel).execute(sku)).rejects.toBeInstanceOf(StockNotFound);

    expect(await harness.run((uow) => setStock.execute(uow, { sku, onHand: 7 }))).toEqual({
      sku,
      onHand: 7,
      reserved: 0,
      available: 7,
    });
    await harness.run((uow) =>
      harness.get(ReserveStock).execute(uow, { order: placedOrder([{ sku, quantity: 3 }]) }),
    );
    expect(await harness.run((uow) => setStock.execute(uow, { sku, onHand: 5 }))).toEqual({
      sku,
      onHand: 5,
      reserved: 3,
      available: 2,
    });
    expect(await harness.get(GetStockLevel).execute(sku)).toMatchObject({ onHand: 5, available: 2 });
  });

  it('refuses a count below what is reserved and leaves the row as it was', async () => {
    const sku = uniqueSku('below');
    await harness.run((uow) => setStock.execute(uow, { sku, onHand: 4 }));
    await harness.run((uow) =>
      harness.get(ReserveStock).execute(uow, { order: placedOrder([{ sku, quantity: 4 }]) }),
    );
    await harness.enqueued();

    await expect(harness.run((uow) => setStock.execute(uow, { sku, onHand: 3 }))).rejects.toBeInstanceOf(
      OnHandBelowReserved,
    );
    expect(await stockRow(harness, sku)).toMatchObject({ onHand: 4, reserved: 4 });
    expect(await harness.enqueued()).toEqual([]);
  });

  it('a stock take at or below the reorder point opens a purchase order in the same unit of work', async () => {
    const sku = uniqueSku('take-low');
    await harness.run((uow) => setStock.execute(uow, { sku, onHand: 40 }));
    await harness.run((uow) =>
      harness.get(PutReplenishmentPolicy).execute(uow, {
        sku,
        reorderPoint: 10,
        reorderQuantity: 25,
        minOrderQuantity: 1,
        packSize: 5,
        leadTimeDays: 3,
        supplier: SUPPLIER,
      }),
    );
    await harness.enqueued();

    await harness.run((uow) => setStock.execute(uow, { sku, onHand: 10 }));

    expect(await harness.enqueuedTypes()).toEqual([
      'waybill.inventory.stock-low.v1',
      'waybill.inventory.replenishment-requested.v1',
      'waybill.inventory.purchase-order-issued.v1',
    ]);
    expect(await stockRow(harness, sku)).toEqual({ onHand: 10, reserved: 0, incoming: 25 });
  });
});
