import { shopifyJson, shopifyOrder, shopifyRefund, wooOrder, youzanTrade } from '@waybill/testing/parties';
import type { ConnectionView } from '../domain/connection';
import { ChannelWebhookSource } from './channel-webhook-source';
import { orderStanding } from './order-payload';

describe('orderStanding: which platform orders become Waybill orders', () => {
  it.each([
    ['paid', true],
    ['authorized', true],
    ['partially_refunded', true],
    ['pending', false],
    ['voided', false],
    ['refunded', false],
  ])('Shopify financial_status %s is paid: %s', (financialStatus, paid) => {
    const order = shopifyOrder({ id: 9007199254740993n, financialStatus });
    const standing = orderStanding({ format: 'shopify-rest', rawBody: shopifyJson(order) });
    expect(standing).toMatchObject({ externalOrderId: '9007199254740993', paid, cancelled: false });
  });

  it('reads a Shopify cancellation from cancelled_at, whatever the payment says', () => {
    const order = shopifyOrder({ cancelledAt: '2026-01-01T00:00:00Z', financialStatus: 'paid' });
    expect(orderStanding({ format: 'shopify-rest', rawBody: shopifyJson(order) })).toMatchObject({
      paid: false,
      cancelled: true,
    });
  });

  it.each([
    ['processing', { paid: true, cancelled: false }],
    ['completed', { paid: true, cancelled: false }],
    ['pending', { paid: false, cancelled: false }],
    ['on-hold', { paid: false, cancelled: false }],
    ['cancelled', { paid: false, cancelled: true }],
    ['refunded', { paid: false, cancelled: true }],
    ['failed', { paid: false, cancelled: true }],
  ])('WooCommerce status %s', (status, expected) => {
    const order = wooOrder({ status });
    expect(orderStanding({ format: 'woocommerce-rest', rawBody: JSON.stringify(order) })).toMatchObject({
      externalOrderId: String(order.id),
      ...expected,
    });
  });

  it.each([
    ['WAIT_BUYER_PAY', { paid: false, cancelled: false }],
    ['WAIT_SELLER_SEND_GOODS', { paid: true, cancelled: false }],
    ['TRADE_SUCCESS', { paid: true, cancelled: false }],
    ['TRADE_CLOSED', { paid: false, cancelled: true }],
  ])('Youzan status %s', (status, expected) => {
    const trade = youzanTrade({ status });
    expect(orderStanding({ format: 'youzan-trade', rawBody: JSON.stringify(trade) })).toMatchObject({
      externalOrderId: trade.tid,
      ...expected,
    });
  });

  it('has no order id, and so no standing, for a body that does not read', () => {
    expect(orderStanding({ format: 'shopify-rest', rawBody: '{"id": ' })).toEqual({
      paid: false,
      cancelled: false,
      platformStatus: 'unreadable',
    });
  });
});

const connection = (channel: ConnectionView['channel']): ConnectionView => ({
  id: `${channel}-eu`,
  channel,
  store: 'demo.myshopify.com',
  storefrontId: 'shop-eu',
  api: { base: 'https://demo.example', credentialNames: [] },
  defaults: { currency: 'EUR', timezone: 'Europe/Berlin' },
  mappingVersion: 1,
  hasSigningSecret: true,
  secretKeyId: 'k1',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
});

describe('ChannelWebhookSource.read: refunds', () => {
  it('names a Shopify refund and its order by their 64-bit ids and sums the successful refund transactions', () => {
    const source = new ChannelWebhookSource(connection('shopify'), {
      signingSecret: 'secret',
      credentials: {},
    });
    const order = shopifyOrder({
      id: 9007199254740993n,
      lines: [{ sku: 'SKU-1', quantity: 3, price: '19.99' }],
    });
    const refund = shopifyRefund(order);
    const delivery = source.read(Buffer.from(shopifyJson(refund)), { 'x-shopify-topic': 'refunds/create' });
    expect(delivery).toMatchObject({
      kind: 'refund',
      refundId: (9007199254740993n + 900n).toString(),
      externalOrderId: '9007199254740993',
      amount: { minor: 5997, currency: order.currency },
    });
  });

  it('carries the refunds WooCommerce lists inside an updated order, as positive minor units', () => {
    const source = new ChannelWebhookSource(connection('woocommerce'), {
      signingSecret: 'secret',
      credentials: {},
    });
    const order = {
      ...wooOrder({ currency: 'KWD' }),
      refunds: [{ id: 51, reason: 'damaged', total: '-1.250' }],
    };
    const delivery = source.read(Buffer.from(JSON.stringify(order)), {});
    expect(delivery).toMatchObject({
      kind: 'order',
      refunds: [
        { refundId: '51', externalOrderId: String(order.id), amount: { minor: 1250, currency: 'KWD' } },
      ],
    });
  });
});
