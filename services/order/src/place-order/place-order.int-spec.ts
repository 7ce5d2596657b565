import { UseCaseHarness } from '@waybill/testing';
import { orderCommand, orderUseCases } from '../../test/use-cases';
import { InvalidOrder } from '../order-errors';
import { PlaceOrder } from './place-order.service';

describe('PlaceOrder (use case on PostgreSQL)', () => {
  let harness: UseCaseHarness;
  let placeOrder: PlaceOrder;

  beforeAll(async () => {
    harness = await orderUseCases({ ORDER_PREPAID_STOREFRONTS: 'shopify-eu, youzan-cn' });
    placeOrder = harness.get(PlaceOrder);
  });

  afterAll(async () => {
    await harness?.stop();
  });

  it('stores a PENDING order with its lines and totals and enqueues order.placed, keyed by the order', async () => {
    const command = orderCommand();
    const outcome = await harness.run((uow) => placeOrder.execute(uow, command));
    if (outcome.kind !== 'placed') {
      throw new Error('expected the order to be placed');
    }

    expect(
      await harness.query(`SELECT status, subtotal, total_amount, currency FROM orders WHERE id = $1`, [
        outcome.orderId,
      ]),
    ).toEqual([{ status: 'PENDING', subtotal: '3490', total_amount: '3490', currency: 'EUR' }]);
    const [placed, ...more] = await harness.enqueued();
    expect(more).toEqual([]);
    expect(placed).toMatchObject({
      type: 'waybill.order.placed.v1',
      key: outcome.orderId,
      subject: outcome.orderId,
    });
    expect(placed.data).toMatchObject({
      orderId: outcome.orderId,
      storefrontOrderId: command.storefrontOrderId,
      totalAmount: 3490,
      payment: { provider: 'sandbox', paymentMethodRef: 'tok_visa' },
    });
    // The timeline names the announcement as the cause of PENDING.
    expect(outcome.timeline.map((entry) => entry.status)).toEqual(['PENDING']);
  });

  it('answers a storefront order id it already used as a duplicate, writing nothing', async () => {
    const command = orderCommand();
    const first = await harness.run((uow) => placeOrder.execute(uow, command));
    await harness.enqueued();

    const second = await harness.run((uow) =>
      placeOrder.execute(uow, { ...command, customer: { id: 'other', email: 'other@example.com' } }),
    );

    expect(second).toEqual({ kind: 'duplicate', orderId: first.orderId });
    expect(
      await harness.query(`SELECT count(*)::int AS n FROM orders WHERE storefront_order_id = $1`, [
        command.storefrontOrderId,
      ]),
    ).toEqual([{ n: 1 }]);
    expect(await harness.enqueued()).toEqual([]);
  });

  it('refuses an order that breaks a business rule (a payment token over its limit) before writing anything', async () => {
    const command = orderCommand({ payment: { provider: 'sandbox', token: 't'.repeat(10_000) } });

    await expect(harness.run((uow) => placeOrder.execute(uow, command))).rejects.toBeInstanceOf(InvalidOrder);

    expect(
      await harness.query(`SELECT 1 FROM orders WHERE storefront_order_id = $1`, [command.storefrontOrderId]),
    ).toEqual([]);
    expect(await harness.enqueued()).toEqual([]);
  });

  it('places a prepaid order from a storefront configured for it, passing the platform reference on', async () => {
    const command = orderCommand({
      storefrontId: 'shopify-eu',
      payment: { provider: 'prepaid', token: 'shopify:5512345678901234567' },
    });

    const outcome = await harness.run((uow) => placeOrder.execute(uow, command));

    expect(outcome.kind).toBe('placed');
    const [placed, ...more] = await harness.enqueued();
    expect(more).toEqual([]);
    expect(placed.data).toMatchObject({
      storefrontId: 'shopify-eu',
      payment: { provider: 'prepaid', paymentMethodRef: 'shopify:5512345678901234567' },
    });
  });

  it('refuses a prepaid order from any other storefront, naming payment.provider, and writes nothing', async () => {
    const command = orderCommand({
      storefrontId: 'shop-a',
      payment: { provider: 'prepaid', token: 'shopify:5512345678901234567' },
    });

    const refusal = harness.run((uow) => placeOrder.execute(uow, command));

    await expect(refusal).rejects.toBeInstanceOf(InvalidOrder);
    await expect(refusal).rejects.toMatchObject({
      code: 'ORDER.PAYMENT_PROVIDER_NOT_ALLOWED',
      details: { fields: [{ field: 'payment.provider' }] },
    });
    expect(
      await harness.query(`SELECT 1 FROM orders WHERE storefront_order_id = $1`, [command.storefrontOrderId]),
    ).toEqual([]);
    expect(await harness.enqueued()).toEqual([]);
  });
});
