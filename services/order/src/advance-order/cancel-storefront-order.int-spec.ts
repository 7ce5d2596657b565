import { randomUUID } from 'node:crypto';
import { UseCaseHarness } from '@waybill/testing';
import { orderUseCases, placedOrderId, shipOrder } from '../../test/use-cases';
import { CancelStorefrontOrder } from './cancel-storefront-order.service';

const REQUESTED = 'waybill.storefront.order-cancellation-requested.v1';

describe('CancelStorefrontOrder (use case on PostgreSQL)', () => {
  let harness: UseCaseHarness;
  let cancelStorefrontOrder: CancelStorefrontOrder;

  beforeAll(async () => {
    harness = await orderUseCases();
    cancelStorefrontOrder = harness.get(CancelStorefrontOrder);
  });

  afterAll(async () => {
    await harness?.stop();
  });

  const request = (storefrontId: string, storefrontOrderId: string, eventId = randomUUID()) =>
    harness.run((uow) =>
      cancelStorefrontOrder.execute(uow, {
        storefrontId,
        storefrontOrderId,
        cause: { eventId, eventType: REQUESTED },
      }),
    );

  const statusOf = async (orderId: string) =>
    (await harness.query<{ status: string }>(`SELECT status FROM orders WHERE id = $1`, [orderId]))[0]
      ?.status;

  it('cancels the order by its storefront order id as its customer would, naming the request in the timeline', async () => {
    const storefrontOrderId = `A-${randomUUID()}`;
    const orderId = await placedOrderId(harness, { storefrontId: 'shop-a', storefrontOrderId });
    const eventId = randomUUID();

    expect(await request('shop-a', storefrontOrderId, eventId)).toEqual({ kind: 'cancelled', orderId });

    expect(await statusOf(orderId)).toBe('CANCELLED');
    const [cancelled, ...more] = await harness.enqueued();
    expect(more).toEqual([]);
    expect(cancelled).toMatchObject({ type: 'waybill.order.cancelled.v1', key: orderId });
    expect(cancelled.data).toMatchObject({ orderId, reason: 'ORDER.CUSTOMER_REQUEST' });
    expect(
      await harness.query(
        `SELECT status, reason, event_id, event_type FROM order_timeline WHERE order_id = $1 AND status = 'CANCELLED'`,
        [orderId],
      ),
    ).toEqual([
      { status: 'CANCELLED', reason: 'ORDER.CUSTOMER_REQUEST', event_id: eventId, event_type: REQUESTED },
    ]);

    // A resent request (a new event) changes and announces nothing.
    expect(await request('shop-a', storefrontOrderId)).toEqual({ kind: 'already-cancelled', orderId });
    expect(await harness.enqueued()).toEqual([]);
  });

  it('finds no order under an unknown id, nor under the same id from another storefront, and changes nothing', async () => {
    const storefrontOrderId = `A-${randomUUID()}`;
    const orderId = await placedOrderId(harness, { storefrontId: 'shop-a', storefrontOrderId });

    expect(await request('shop-a', `A-${randomUUID()}`)).toEqual({ kind: 'not-found' });
    expect(await request('shop-b', storefrontOrderId)).toEqual({ kind: 'not-found' });

    expect(await statusOf(orderId)).toBe('PENDING');
    expect(await harness.enqueued()).toEqual([]);
  });

  it('answers a shipped order as no longer cancellable, leaving it shipped and announcing nothing', async () => {
    const storefrontOrderId = `A-${randomUUID()}`;
    const orderId = await placedOrderId(harness, { storefrontId: 'shop-a', storefrontOrderId });
    await shipOrder(harness, orderId);

    expect(await request('shop-a', storefrontOrderId)).toEqual({
      kind: 'not-cancellable',
      orderId,
      status: 'SHIPPED',
    });

    expect(await statusOf(orderId)).toBe('SHIPPED');
    expect(await harness.enqueued()).toEqual([]);
  });
});
