import { createHmac, randomUUID } from 'node:crypto';
import { HttpException } from '@nestjs/common';
import { UseCaseHarness } from '@waybill/testing';
import { shopifyJson, shopifyOrder, shopifyRefund } from '@waybill/testing/parties';
import { channelsUseCases, connect } from '../../test/use-cases';
import type { ConnectionView } from '../domain/connection';
import { ReceiveChannelWebhook } from './receive-channel-webhook.service';

const SECRET = 'shpss_use-case-secret';

describe('ReceiveChannelWebhook (stored and taken in within one transaction, on PostgreSQL)', () => {
  let harness: UseCaseHarness;
  let connection: ConnectionView;

  beforeAll(async () => {
    harness = await channelsUseCases();
    connection = await connect(
      harness,
      {
        channel: 'shopify',
        store: 'intake-use-case.myshopify.com',
        storefrontId: 'shop-intake',
        apiBase: 'https://intake-use-case.myshopify.com',
        defaults: { currency: 'EUR', timezone: 'Europe/Berlin' },
      },
      { signingSecret: SECRET, credentials: { accessToken: 'shpat_x' } },
      { 'SKU-1': 'MUG-BLUE-350' },
    );
  });

  afterAll(async () => {
    await harness?.stop();
  });

  /** As Shopify sends it: the HMAC of the exact bytes, the shop, a webhook id kept on retries. */
  function deliver(topic: string, body: string, webhookId = randomUUID(), secret = SECRET) {
    return harness.get(ReceiveChannelWebhook).receive(connection.id, Buffer.from(body), {
      'x-shopify-topic': topic,
      'x-shopify-hmac-sha256': createHmac('sha256', secret).update(body).digest('base64'),
      'x-shopify-shop-domain': connection.store,
      'x-shopify-webhook-id': webhookId,
      'x-shopify-triggered-at': new Date().toISOString(),
      'x-shopify-api-version': '2025-07',
    });
  }

  const rowsOf = (externalOrderId: string) =>
    harness.query<{ status: string; received_via: string; canonical_order: unknown }>(
      `SELECT status, received_via, canonical_order FROM channel_orders WHERE external_order_id = $1`,
      [externalOrderId],
    );

  it('submits a paid order once through the outbox, as its storefront, and a retry changes nothing', async () => {
    const order = shopifyOrder();
    const body = shopifyJson(order);
    const webhookId = randomUUID();
    expect(await deliver('orders/create', body, webhookId)).toMatchObject({ status: 200 });
    const [event, ...more] = await harness.enqueued();
    expect(more).toEqual([]);
    expect(event).toMatchObject({
      type: 'waybill.storefront.order-submitted.v1',
      topic: 'waybill.storefront.orders',
      subject: order.id.toString(),
      data: { storefrontId: 'shop-intake', storefrontOrderId: order.id.toString(), totalAmount: 2890 },
    });
    // Published for the storefront, the source the order service holds storefront orders to.
    expect(
      await harness.query(`SELECT headers->>'ce_source' AS source FROM outbox WHERE message_key = $1`, [
        order.id.toString(),
      ]),
    ).toEqual([{ source: '/storefronts/shop-intake' }]);

    await deliver('orders/create', body, webhookId);
    await deliver('orders/create', body);
    expect(await harness.enqueued()).toEqual([]);
    expect(await rowsOf(order.id.toString())).toHaveLength(1);
  });

  it('keeps an unpaid order waiting and takes it in once a later copy shows it paid', async () => {
    const pending = shopifyOrder({ financialStatus: 'pending' });
    await deliver('orders/create', shopifyJson(pending));
    expect(await harness.enqueued()).toEqual([]);
    expect(await rowsOf(pending.id.toString())).toMatchObject([
      { status: 'awaiting_payment', canonical_order: null },
    ]);
    await deliver('orders/create', shopifyJson(shopifyOrder({ id: pending.id })));
    expect((await harness.enqueued()).map((event) => event.type)).toEqual([
      'waybill.storefront.order-submitted.v1',
    ]);
    expect(await rowsOf(pending.id.toString())).toMatchObject([{ status: 'submitted' }]);
  });

  it('holds, rather than fails on, an order whose name carries a character PostgreSQL cannot store', async () => {
    const order = shopifyOrder({ shippingAddress: { first_name: 'Bob\u0000' } });
    expect(await deliver('orders/create', shopifyJson(order))).toMatchObject({ status: 200 });
    expect(await harness.enqueued()).toEqual([]);
    const [row] = await harness.query<{ status: string; hold_reasons: { part: string }[] }>(
      `SELECT status, hold_reasons FROM channel_orders WHERE external_order_id = $1`,
      [order.id.toString()],
    );
    expect(row?.status).toBe('held');
    expect(row?.hold_reasons.map((reason) => reason.part)).toEqual(['shippingAddress.name']);
  });

  it('records a refund once and publishes nothing for it', async () => {
    const order = shopifyOrder();
    const refund = shopifyJson(shopifyRefund(order));
    await deliver('refunds/create', refund);
    await deliver('refunds/create', refund);
    expect(await harness.enqueued()).toEqual([]);
    expect(
      await harness.query(
        `SELECT external_order_id, amount FROM channel_refunds WHERE external_order_id = $1`,
        [order.id.toString()],
      ),
    ).toEqual([{ external_order_id: order.id.toString(), amount: '2400' }]);
  });

  it('refuses a forged delivery before anything is stored', async () => {
    const before = await harness.query(`SELECT count(*) AS n FROM webhook_inbox`);
    await expect(
      deliver('orders/create', shopifyJson(shopifyOrder()), randomUUID(), 'wrong'),
    ).rejects.toBeInstanceOf(HttpException);
    expect(await harness.query(`SELECT count(*) AS n FROM webhook_inbox`)).toEqual(before);
    expect(await harness.enqueued()).toEqual([]);
  });
});
