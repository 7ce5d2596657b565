import { UseCaseHarness } from '@waybill/testing';
import { inventoryUseCases, stockRow, SUPPLIER, uniqueSku } from '../../test/use-cases';
import { ReplenishmentPolicy } from '../domain/replenishment-policy';
import { SetStockLevel } from '../stock-levels/stock-levels.service';
import { CancelPurchaseOrder, PurchaseOrderQueries } from './purchase-orders.service';
import {
  InvalidReplenishmentPolicy,
  PurchaseOrderNotCancellable,
  UnknownPolicySupplier,
} from './replenishment.errors';
import { GetReplenishmentPolicy, PutReplenishmentPolicy, RunReplenishment } from './replenishment.service';

describe('replenishment use cases on PostgreSQL', () => {
  let harness: UseCaseHarness;

  beforeAll(async () => {
    harness = await inventoryUseCases();
  });

  afterAll(async () => {
    await harness?.stop();
  });

  const policy = (sku: string, changes: Partial<ReplenishmentPolicy> = {}): ReplenishmentPolicy => ({
    sku,
    reorderPoint: 10,
    orderUpTo: 50,
    minOrderQuantity: 1,
    packSize: 1,
    leadTimeDays: 2,
    supplier: SUPPLIER,
    ...changes,
  });

  it('PutReplenishmentPolicy stocks an unknown SKU at 0 and, being at its reorder point, orders up to the level at once', async () => {
    const sku = uniqueSku('new');

    const view = await harness.run((uow) => harness.get(PutReplenishmentPolicy).execute(uow, policy(sku)));

    expect(view.position).toEqual({ onHand: 0, reserved: 0, available: 0, incoming: 50 });
    expect(await harness.enqueuedTypes()).toEqual([
      'waybill.inventory.stock-low.v1',
      'waybill.inventory.replenishment-requested.v1',
      'waybill.inventory.purchase-order-issued.v1',
    ]);
    expect((await harness.get(GetReplenishmentPolicy).execute(sku)).policy).toMatchObject({
      reorderPoint: 10,
    });
  });

  it('PutReplenishmentPolicy refuses an invalid policy or an unknown supplier, writing nothing', async () => {
    const sku = uniqueSku('bad');
    const put = harness.get(PutReplenishmentPolicy);

    await expect(
      harness.run((uow) => put.execute(uow, policy(sku, { orderUpTo: 5, reorderPoint: 10 }))),
    ).rejects.toBeInstanceOf(InvalidReplenishmentPolicy);
    await expect(
      harness.run((uow) => put.execute(uow, policy(sku, { supplier: 'nobody' }))),
    ).rejects.toBeInstanceOf(UnknownPolicySupplier);
    expect(await stockRow(harness, sku)).toBeUndefined();
    expect(await harness.enqueued()).toEqual([]);
  });

  it('RunReplenishment opens one cycle per SKU: a second run finds it taken', async () => {
    const sku = uniqueSku('run');
    await harness.run((uow) => harness.get(SetStockLevel).execute(uow, { sku, onHand: 30 }));
    await harness.run((uow) => harness.get(PutReplenishmentPolicy).execute(uow, policy(sku)));
    await harness.query(`UPDATE stock SET on_hand = 5 WHERE sku = $1`, [sku]); // changed outside the service
    await harness.enqueued();
    const run = harness.get(RunReplenishment);

    const first = await harness.run((uow) => run.execute(uow, { skus: [sku, sku], trigger: 'manual' }));
    const second = await harness.run((uow) => run.execute(uow, { skus: [sku], trigger: 'manual' }));

    expect(first.checked).toBe(1);
    expect(first.raised).toEqual([expect.objectContaining({ sku, quantity: 45, supplier: SUPPLIER })]);
    expect(second).toEqual({ checked: 1, raised: [] });
    expect(await harness.enqueuedTypes()).toEqual([
      'waybill.inventory.stock-low.v1',
      'waybill.inventory.replenishment-requested.v1',
      'waybill.inventory.purchase-order-issued.v1',
    ]);
  });

  it('CancelPurchaseOrder calls a draft off: what it would bring stops counting, and it cannot be cancelled twice', async () => {
    const sku = uniqueSku('cancel');
    await harness.run((uow) => harness.get(PutReplenishmentPolicy).execute(uow, policy(sku)));
    const [order] = (await harness.get(PurchaseOrderQueries).list({ sku, limit: 5 })).items;
    const cancel = harness.get(CancelPurchaseOrder);

    const view = await harness.run((uow) =>
      cancel.execute(uow, { idOrNumber: order.poNumber, reason: 'supplier out of stock' }),
    );

    expect(view.state).toBe('CANCELLED');
    expect(view.history.at(-1)).toMatchObject({ to: 'CANCELLED', cause: 'operator:cancelled' });
    expect((await stockRow(harness, sku))?.incoming).toBe(0);
    await expect(harness.run((uow) => cancel.execute(uow, { idOrNumber: order.id }))).rejects.toBeInstanceOf(
      PurchaseOrderNotCancellable,
    );
  });
});
