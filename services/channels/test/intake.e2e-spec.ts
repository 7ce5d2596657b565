import { DataSource } from 'typeorm';
import {
  connectFakePlatforms,
  EventProbe,
  FakeShopify,
  FakeWooCommerce,
  FakeYouzan,
  ServiceUnderTest,
  shopifyOrder,
  testApiKey,
  uniqueTopicPrefix,
  waitFor,
  wooOrder,
  youzanTrade,
} from '@waybill/testing';
import { ChannelsConfig } from '../src/channels.config';
import { Answer, callChannels, startChannelsForTest } from './support/channels-under-test';

const admin = testApiKey('admin', []);
const SUBMITTED = 'waybill.storefront.order-submitted.v1';

/**
 * The intake of the channels service against real Kafka and PostgreSQL, with the fake platforms
 * sending their own webhooks: what is submitted, what is held, what is refused and what a
 * duplicate changes (nothing).
 */
describe('channel intake: platform webhooks in, storefront orders out (HTTP, Kafka, PostgreSQL)', () => {
  let service: ServiceUnderTest<ChannelsConfig>;
  let probe: EventProbe;
  let db: DataSource;
  let shopify: FakeShopify;
  let woo: FakeWooCommerce;
  let youzan: FakeYouzan;

  const call = (method: string, path: string, body?: unknown): Promise<Answer> =>
    callChannels(service.baseUrl, method, path, admin.key, body);

  async function rows(sql: string, parameters: unknown[] = []): Promise<Record<string, unknown>[]> {
    return (await db.query(sql, parameters)) as Record<string, unknown>[];
  }

  const hook = (connectionId: string): string => `${service.baseUrl}/v1/webhooks/channels/${connectionId}`;

  beforeAll(async () => {
    const topicPrefix = uniqueTopicPrefix('chin');
    [shopify, woo, youzan] = await Promise.all([
      FakeShopify.start(),
      FakeWooCommerce.start(),
      FakeYouzan.start(),
    ]);
    // Only webhooks here: the poller would take in what the fakes keep (reconcile.e2e-spec.ts).
    service = await startChannelsForTest(topicPrefix, [admin], { CHANNELS_POLL_ENABLED: 'false' });
    probe = await EventProbe.start(topicPrefix, ['waybill.storefront.orders']);
    db = service.app.get(DataSource);
    await connectFakePlatforms(service.baseUrl, admin.key, { shopify, woo, youzan }, 'e2e');
  });

  afterAll(async () => {
    await probe?.stop();
    await service?.stop();
    await Promise.all([shopify?.stop(), woo?.stop(), youzan?.stop()]);
  });

  it('submits a Shopify order once, however often it is delivered, with its 64-bit id intact', async () => {
    const order = shopifyOrder({ id: 5512345678901234567n + BigInt(Date.now() % 100000) });
    const attempts = await shopify.deliver('orders/create', order, {
      to: hook('shopify-e2e'),
      duplicate: true,
    });
    expect(attempts.map((attempt) => attempt.status)).toEqual([200, 200]);
    const id = order.id.toString();
    const event = await probe.waitForEvent<{ storefrontOrderId: string }>(
      SUBMITTED,
      (data) => data.storefrontOrderId === id,
    );
    expect(event.source).toBe('/storefronts/shop-shopify');
    expect(event.data).toMatchObject({
      storefrontId: 'shop-shopify',
      lines: [{ sku: 'MUG-BLUE-350', quantity: 1, unitPrice: 2400 }],
      currency: 'EUR',
      totalAmount: 2890,
      payment: { provider: 'prepaid' },
    });
    // The poller's copy of the same order would be a third delivery: still one row, one event.
    expect(await rows(`SELECT status FROM channel_orders WHERE external_order_id = $1`, [id])).toEqual([
      { status: 'submitted' },
    ]);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(
      probe.events(SUBMITTED, (data: { storefrontOrderId: string }) => data.storefrontOrderId === id),
    ).toHaveLength(1);
  });

  it('asks for the Waybill order to be cancelled when the platform cancels it, once', async () => {
    const order = shopifyOrder();
    await shopify.deliver('orders/create', order, { to: hook('shopify-e2e') });
    const id = order.id.toString();
    await probe.waitForEvent<{ storefrontOrderId: string }>(
      SUBMITTED,
      (data) => data.storefrontOrderId === id,
    );
    const cancelled = shopifyOrder({ id: order.id, cancelledAt: new Date().toISOString() });
    await shopify.deliver('orders/cancelled', cancelled, { to: hook('shopify-e2e'), duplicate: true });
    const request = await probe.waitForEvent<{ storefrontOrderId: string; storefrontId: string }>(
      'waybill.storefront.order-cancellation-requested.v1',
      (data) => data.storefrontOrderId === id,
    );
    expect(request.source).toBe('/storefronts/shop-shopify');
    expect(request.data.storefrontId).toBe('shop-shopify');
    // Same key as the submission: one partition, so the order service reads the two in order.
    expect(request.key).toBe(
      probe.events(SUBMITTED, (data: { storefrontOrderId: string }) => data.storefrontOrderId === id)[0]?.key,
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(
      probe.events(
        'waybill.storefront.order-cancellation-requested.v1',
        (data: { storefrontOrderId: string }) => data.storefrontOrderId === id,
      ),
    ).toHaveLength(1);

    // Cancelled before it was ever paid: nothing goes downstream, and a later copy stays cancelled.
    const unpaid = shopifyOrder({ financialStatus: 'pending' });
    await shopify.deliver('orders/create', unpaid, { to: hook('shopify-e2e') });
    await shopify.deliver(
      'orders/cancelled',
      shopifyOrder({ id: unpaid.id, cancelledAt: new Date().toISOString() }),
      {
        to: hook('shopify-e2e'),
      },
    );
    await shopify.deliver('orders/create', shopifyOrder({ id: unpaid.id }), { to: hook('shopify-e2e') });
    expect(
      await rows(`SELECT status FROM channel_orders WHERE external_order_id = $1`, [unpaid.id.toString()]),
    ).toEqual([{ status: 'cancelled' }]);
    expect(
      probe.events(
        SUBMITTED,
        (data: { storefrontOrderId: string }) => data.storefrontOrderId === unpaid.id.toString(),
      ),
    ).toHaveLength(0);
  });

  it('refuses a wrong signature, a stale replay, an oversize body and an unknown connection, and keeps nothing', async () => {
    const before = await rows(
      `SELECT (SELECT count(*) FROM channel_orders) AS orders, (SELECT count(*) FROM webhook_inbox) AS inbox`,
    );
    const forged = await shopify.deliver('orders/create', shopifyOrder(), {
      to: hook('shopify-e2e'),
      signWith: 'not-the-secret',
    });
    expect(forged[0]?.status).toBe(401);
    expect(JSON.parse(forged[0]?.answer ?? '{}')).toMatchObject({ code: 'WEBHOOK.SIGNATURE_MISMATCH' });

    const stale = await shopify.deliver('orders/create', shopifyOrder(), {
      to: hook('shopify-e2e'),
      triggeredAt: new Date(Date.now() - 7 * 3600 * 1000),
    });
    expect(stale[0]?.status).toBe(401);
    expect(JSON.parse(stale[0]?.answer ?? '{}')).toMatchObject({
      code: 'WEBHOOK.TIMESTAMP_OUT_OF_TOLERANCE',
    });

    const huge = shopifyOrder({
      lines: [{ sku: 'SKU-1', quantity: 1, price: '1.00', title: 'x'.repeat(1024 * 1024) }],
    });
    const oversize = await shopify.deliver('orders/create', huge, { to: hook('shopify-e2e') });
    expect(oversize[0]?.status).toBe(413);

    const unknown = await shopify.deliver('orders/create', shopifyOrder(), {
      to: hook('no-such-connection'),
    });
    expect(unknown[0]?.status).toBe(404);
    expect(JSON.parse(unknown[0]?.answer ?? '{}')).toMatchObject({ code: 'CHANNELS.CONNECTION_NOT_FOUND' });

    expect(
      await rows(
        `SELECT (SELECT count(*) FROM channel_orders) AS orders, (SELECT count(*) FROM webhook_inbox) AS inbox`,
      ),
    ).toEqual(before);
  });

  it('holds an order with an unmapped SKU, refuses its release until the SKU is mapped, then submits it', async () => {
    const order = shopifyOrder({
      lines: [
        { sku: 'SKU-1', quantity: 1, price: '24.00' },
        { sku: 'GIFT-WRAP', quantity: 1, price: '3.00' },
      ],
    });
    await shopify.deliver('orders/create', order, { to: hook('shopify-e2e') });
    const id = order.id.toString();
    const held = await waitFor(
      async () => {
        const page = await call('GET', '/v1/channels/held-orders?connectionId=shopify-e2e');
        return (
          page.body.items as { externalOrderId: string; id: string; reasons: { message: string }[] }[]
        ).find((item) => item.externalOrderId === id);
      },
      { description: 'the held order' },
    );
    expect(held.reasons.map((reason) => reason.message).join(' ')).toContain('GIFT-WRAP');
    const metrics = await (await fetch(`${service.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/waybill_channel_orders_held\{[^}]*channel="shopify"[^}]*\} [1-9]/);

    const early = await call('POST', `/v1/channels/held-orders/${held.id}/release`);
    expect(early.status).toBe(409);
    expect(early.body.code).toBe('CHANNELS.ORDER_STILL_HELD');
    expect(
      probe.events(SUBMITTED, (data: { storefrontOrderId: string }) => data.storefrontOrderId === id),
    ).toHaveLength(0);

    expect(
      (await call('PUT', '/v1/channels/connections/shopify-e2e/skus/GIFT-WRAP', { ignore: true })).status,
    ).toBe(200);
    const released = await call('POST', `/v1/channels/held-orders/${held.id}/release`);
    expect(released.status).toBe(200);
    expect(released.body).toMatchObject({ status: 'submitted', receivedVia: 'release', reasons: [] });
    const event = await probe.waitForEvent<{
      storefrontOrderId: string;
      lines: unknown[];
      totalAmount: number;
    }>(SUBMITTED, (data) => data.storefrontOrderId === id);
    // The wrap is ignored as goods; its money stays in the total the buyer paid.
    expect(event.data.lines).toEqual([{ sku: 'MUG-BLUE-350', quantity: 1, unitPrice: 2400 }]);
    expect(event.data.totalAmount).toBe(3190);
    expect((await call('POST', `/v1/channels/held-orders/${held.id}/release`)).status).toBe(409);
  });

  it('answers the WooCommerce ping, waits for payment, then submits the paid order once', async () => {
    expect(await woo.ping(hook('woo-e2e'))).toBe(true);
    const pending = wooOrder({ status: 'pending' });
    const first = await woo.deliver('order.created', pending, { to: hook('woo-e2e') });
    expect(first.map((delivery) => delivery.delivered)).toEqual([true]);
    const id = String(pending.id);
    expect(
      await rows(
        `SELECT status FROM channel_orders WHERE channel = 'woocommerce' AND external_order_id = $1`,
        [id],
      ),
    ).toEqual([{ status: 'awaiting_payment' }]);
    const paid = wooOrder({ id: pending.id, status: 'processing', dateModifiedGmt: '2030-01-01T00:00:00' });
    await woo.deliver('order.updated', paid, { to: hook('woo-e2e'), duplicate: true });
    const event = await probe.waitForEvent<{ storefrontOrderId: string }>(
      SUBMITTED,
      (data) => data.storefrontOrderId === id,
    );
    expect(event.source).toBe('/storefronts/shop-woo');
    expect(event.data).toMatchObject({
      lines: [{ sku: 'HOODIE-M', quantity: 1, unitPrice: 2435 }],
      currency: 'EUR',
    });
  });

  it('acknowledges a Youzan push in Youzan’s exact words and submits the trade', async () => {
    const trade = youzanTrade();
    const pushes = await youzan.push(trade, { to: hook('youzan-e2e') });
    expect(pushes[0]?.answer).toBe('{"code":0,"msg":"success"}');
    const event = await probe.waitForEvent<{ storefrontOrderId: string }>(
      SUBMITTED,
      (data) => data.storefrontOrderId === trade.tid,
    );
    expect(event.source).toBe('/storefronts/shop-youzan');
    expect(event.data).toMatchObject({
      currency: 'CNY',
      lines: [{ sku: 'TEA-250', quantity: 2, unitPrice: 4950 }],
    });
  });
});
