import { UseCaseHarness } from '@waybill/testing';
import { orderUseCases, placedOrderId, shipOrder } from '../../test/use-cases';
import { OrderNotCancellable, OrderNotFound } from '../order-errors';
import { CancelOrder } from './cancel-order.service';

describe('CancelOrder (use case on PostgreSQL)', () => {
  let harness: UseCaseHarness;
  let cancelOrder: CancelOrder;

  beforeAll(async () => {
    harness = await orderUseCases();
    cancelOrder = harness.get(CancelOrder);
  });

  afterAll(async () => {
    await harness?.stop();
  });

  it('cancels a pending order for its storefront, announces order.cancelled and answers the cancelled view', async () => {
    const orderId = await placedOrderId(harness, { storefrontId: 'shop-a' });

    const view = await harness.run((uow) =>
      cancelOrder.execute(uow, { reader: { kind: 'storefront', storefrontId: 'shop-a' }, orderId }),
    );

    expect(view.status).toBe('CANCELLED');
    const [cancelled, ...more] = await harness.enqueued();
    expect(more).toEqual([]);
    expect(cancelled).toMatchObject({ type: 'waybill.order.cancelled.v1', key: orderId });
    expect(cancelled.data).toMatchObject({ orderId, reason: 'ORDER.CUSTOMER_REQUEST' });

    // Again: answered unchanged, nothing announced twice.
    const again = await harness.run((uow) =>
      cancelOrder.execute(uow, { reader: { kind: 'admin' }, orderId }),
    );
    expect(again.status).toBe('CANCELLED');
    expect(await harness.enqueued()).toEqual([]);
  });

  it("hides another storefront's order exactly like an unknown one, and changes nothing", async () => {
    const orderId = await placedOrderId(harness, { storefrontId: 'shop-a' });

    await expect(
      harness.run((uow) =>
        cancelOrder.execute(uow, { reader: { kind: 'storefront', storefrontId: 'shop-b' }, orderId }),
      ),
    ).rejects.toBeInstanceOf(OrderNotFound);

    expect(await harness.query(`SELECT status FROM orders WHERE id = $1`, [orderId])).toEqual([
      { status: 'PENDING' },
    ]);
    expect(await harness.enqueued()).toEqual([]);
  });

  it('refuses to cancel a shipped order (409 naming the status) and rolls back', async () => {
    const orderId = await placedOrderId(harness);
    await shipOrder(harness, orderId);

    const refusal = harness.run((uow) => cancelOrder.execute(uow, { reader: { kind: 'admin' }, orderId }));

    await expect(refusal).rejects.toBeInstanceOf(OrderNotCancellable);
    await expect(refusal).rejects.toMatchObject({ details: { status: 'SHIPPED' } });
    expect(await harness.query(`SELECT status FROM orders WHERE id = $1`, [orderId])).toEqual([
      { status: 'SHIPPED' },
    ]);
    expect(await harness.enqueued()).toEqual([]);
  });
});
