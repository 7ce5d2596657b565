import { SOLD_OUT_SKU, STOCKED_SKUS } from './demo-catalogue';
import { APPROVED_CARD, customerOrder, customerPayment, DECLINED_CARD, orderBody } from './storefront';

/** A `Math.random` stand-in that returns `values` in turn. */
const rolls =
  (...values: number[]) =>
  (): number =>
    values.shift() ?? 0.5;

describe('simulated storefront customers', () => {
  const shares = { declined: 0.1, soldOut: 0.05 };

  it('a share buys the sold-out SKU, a share pays with a card Stripe declines, the rest buy and pay', () => {
    expect(customerOrder(rolls(0.01), shares)).toEqual({
      sku: SOLD_OUT_SKU,
      quantity: 1,
      paymentMethod: APPROVED_CARD,
    });
    expect(customerOrder(rolls(0.1, 0, 0.9), shares)).toEqual({
      sku: STOCKED_SKUS[0],
      quantity: 2,
      paymentMethod: DECLINED_CARD,
    });
    expect(customerOrder(rolls(0.5, 0.99, 0.1), shares)).toEqual({
      sku: STOCKED_SKUS.at(-1),
      quantity: 1,
      paymentMethod: APPROVED_CARD,
    });
  });

  it('over many customers the shares come out near what was asked', () => {
    const choices = Array.from({ length: 20_000 }, () => customerOrder(Math.random, shares));
    const share = (test: (choice: (typeof choices)[number]) => boolean): number =>
      choices.filter(test).length / choices.length;
    expect(share((choice) => choice.sku === SOLD_OUT_SKU)).toBeCloseTo(0.05, 1);
    expect(share((choice) => choice.paymentMethod === DECLINED_CARD)).toBeCloseTo(0.1, 1);
  });

  it('orders as the storefront API wants them, paid through Stripe, shipped to the US (EasyPost)', () => {
    const body = orderBody({ sku: 'DEMO-MUG', quantity: 2, paymentMethod: APPROVED_CARD });
    expect(body).toMatchObject({
      lines: [{ sku: 'DEMO-MUG', quantity: 2, unitPrice: 1250 }],
      payment: { provider: 'stripe', token: APPROVED_CARD },
      shippingAddress: { country: 'US' },
    });
  });
});

describe('how the simulated storefront’s customers pay', () => {
  const gateways = ['alipay', 'wechatpay', 'unionpay'];

  it('gives each gateway its share of the orders, in CNY, and the rest to Stripe in USD', () => {
    expect(customerPayment(() => 0.05, gateways, 0.15)).toEqual({ provider: 'alipay', currency: 'CNY' });
    expect(customerPayment(() => 0.2, gateways, 0.15)).toEqual({ provider: 'wechatpay', currency: 'CNY' });
    expect(customerPayment(() => 0.44, gateways, 0.15)).toEqual({ provider: 'unionpay', currency: 'CNY' });
    expect(customerPayment(() => 0.46, gateways, 0.15)).toEqual({ provider: 'stripe', currency: 'USD' });
    expect(customerPayment(() => 0.01, [], 0.15)).toEqual({ provider: 'stripe', currency: 'USD' });
  });

  it('a gateway order carries no card token', () => {
    const body = orderBody(
      customerOrder(() => 0.5),
      { provider: 'wechatpay', currency: 'CNY' },
    );
    expect(body).toMatchObject({
      currency: 'CNY',
      payment: { provider: 'wechatpay', token: 'buyer-pays-at-gateway' },
    });
  });
});
