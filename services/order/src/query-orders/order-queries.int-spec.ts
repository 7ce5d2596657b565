import { UseCaseHarness } from '@waybill/testing';
import { orderUseCases, placedOrderId } from '../../test/use-cases';
import { OrderNotFound } from '../order-errors';
import { OrderQueries } from './order-queries.service';

describe('OrderQueries (reads on PostgreSQL)', () => {
  let harness: UseCaseHarness;
  let queries: OrderQueries;

  beforeAll(async () => {
    harness = await orderUseCases();
    queries = harness.get(OrderQueries);
  });

  afterAll(async () => {
    await harness?.stop();
  });

  it('answers an order with its timeline to its storefront and to an admin, and to no other storefront', async () => {
    const orderId = await placedOrderId(harness, { storefrontId: 'shop-a', storefrontOrderId: 'A-QUERY-1' });

    const view = await queries.get({ kind: 'storefront', storefrontId: 'shop-a' }, orderId);
    expect(view).toMatchObject({ id: orderId, status: 'PENDING', storefrontOrderId: 'A-QUERY-1' });
    expect((await queries.get({ kind: 'admin' }, orderId)).id).toBe(orderId);
    await expect(queries.get({ kind: 'storefront', storefrontId: 'shop-b' }, orderId)).rejects.toBeInstanceOf(
      OrderNotFound,
    );
  });

  it("finds by storefront order id only within the reader's storefront", async () => {
    const mine = await placedOrderId(harness, { storefrontId: 'shop-a', storefrontOrderId: 'SAME-REF' });
    const theirs = await placedOrderId(harness, { storefrontId: 'shop-b', storefrontOrderId: 'SAME-REF' });

    const seenByA = await queries.findByStorefrontOrderId(
      { kind: 'storefront', storefrontId: 'shop-a' },
      'SAME-REF',
    );
    expect(seenByA.map((order) => order.id)).toEqual([mine]);
    const seenByAdmin = await queries.findByStorefrontOrderId({ kind: 'admin' }, 'SAME-REF');
    expect(seenByAdmin.map((order) => order.id).sort()).toEqual([mine, theirs].sort());
    const narrowed = await queries.findByStorefrontOrderId({ kind: 'admin' }, 'SAME-REF', 'shop-b');
    expect(narrowed.map((order) => order.id)).toEqual([theirs]);
  });
});
