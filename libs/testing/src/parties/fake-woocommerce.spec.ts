import { createHmac } from 'node:crypto';
import { FakeWooCommerce, WOO_MAX_DELIVERY_FAILURES, wooOrder } from './fake-woocommerce';
import { recordingReceiver } from './storefront-webhook-sender';

describe('wooOrder', () => {
  it('writes the v3 shape: string totals that add up, site time beside GMT', () => {
    const order = wooOrder({
      lines: [
        { sku: 'a', quantity: 3, price: '0.10' },
        { sku: 'b', quantity: 1, price: '9.99' },
      ],
      shippingTotal: '4.90',
      dateCreatedGmt: '2026-12-04T10:00:00',
      utcOffsetMinutes: 60,
    });
    expect(order).toMatchObject({
      total: '15.19',
      date_created_gmt: '2026-12-04T10:00:00',
      date_created: '2026-12-04T11:00:00',
      line_items: [{ sku: 'a', total: '0.30', price: 0.1 }, { total: '9.99' }],
    });
  });
});

describe('FakeWooCommerce', () => {
  let woo: FakeWooCommerce;

  beforeEach(async () => {
    woo = await FakeWooCommerce.start({
      consumerKey: 'ck_test',
      consumerSecret: 'cs_test',
      webhookSecret: 'w&c secret',
    });
  });

  afterEach(async () => {
    await woo.stop();
  });

  it('delivers once with the real headers, signed over the body as sent', async () => {
    const waybill = await recordingReceiver();
    try {
      const [delivery] = await woo.deliver('order.created', wooOrder({ id: 727 }), { to: waybill.url });
      expect(delivery).toMatchObject({ status: 200, delivered: true, sent: true });
      const [got] = waybill.received;
      expect(got?.headers).toMatchObject({
        'x-wc-webhook-source': woo.siteUrl,
        'x-wc-webhook-topic': 'order.created',
        'x-wc-webhook-resource': 'order',
        'x-wc-webhook-event': 'created',
        'x-wc-webhook-id': '12',
        'x-wc-webhook-signature': createHmac('sha256', 'w&c secret')
          .update(got?.body ?? '')
          .digest('base64'),
      });
      expect(String(got?.headers['user-agent'])).toMatch(/^WooCommerce\/.+ Hookshot \(WordPress\/.+\)$/);
      expect(JSON.parse(got?.body ?? '{}')).toMatchObject({ id: 727 });
    } finally {
      await waybill.close();
    }
  });

  it('sends a duplicate with a new delivery id, and the unsigned ping as a form', async () => {
    const waybill = await recordingReceiver();
    try {
      await woo.deliver('order.updated', wooOrder(), { to: waybill.url, duplicate: true });
      const ids = waybill.received.map((got) => got.headers['x-wc-webhook-delivery-id']);
      expect(ids).toHaveLength(2);
      expect(ids[0]).not.toBe(ids[1]);
      expect(await woo.ping(waybill.url)).toBe(true);
      const ping = waybill.received[2];
      expect(ping?.body).toBe('webhook_id=12');
      expect(ping?.headers['x-wc-webhook-signature']).toBeUndefined();
    } finally {
      await waybill.close();
    }
  });

  it('never retries, and disables the webhook once failures are past five', async () => {
    const down = await recordingReceiver([500]);
    try {
      for (let failure = 0; failure < WOO_MAX_DELIVERY_FAILURES; failure++) {
        await woo.deliver('order.created', wooOrder(), { to: down.url });
      }
      expect(down.received).toHaveLength(5);
      expect(woo.webhookStatus).toBe('active');
      await woo.deliver('order.created', wooOrder(), { to: down.url });
      expect(woo.webhookStatus).toBe('disabled');
      const [skipped] = await woo.deliver('order.created', wooOrder(), { to: down.url });
      expect(skipped).toMatchObject({ sent: false, delivered: false });
      expect(down.received).toHaveLength(6);
    } finally {
      await down.close();
    }
    const up = await recordingReceiver([302]);
    try {
      woo.enableWebhook();
      const [delivery] = await woo.deliver('order.created', wooOrder(), { to: up.url });
      expect(delivery?.delivered).toBe(true);
      expect(woo.failureCount).toBe(0);
    } finally {
      await up.close();
    }
  });

  it('lists orders modified after a time, with key and secret as basic auth or query parameters', async () => {
    for (const modified of ['2026-12-04T09:00:00', '2026-12-04T10:30:00', '2026-12-04T11:00:00']) {
      woo.saveOrder(wooOrder({ dateCreatedGmt: '2026-12-04T08:00:00', dateModifiedGmt: modified }));
    }
    const basic = `Basic ${Buffer.from('ck_test:cs_test').toString('base64')}`;
    const query =
      'modified_after=2026-12-04T10:00:00&dates_are_gmt=true&orderby=modified&order=asc&per_page=1';
    const first = await fetch(`${woo.baseUrl}/wp-json/wc/v3/orders?${query}`, {
      headers: { Authorization: basic },
    });
    expect(first.status).toBe(200);
    expect(first.headers.get('x-wp-total')).toBe('2');
    expect(first.headers.get('x-wp-totalpages')).toBe('2');
    const page = (await first.json()) as { date_modified_gmt: string }[];
    expect(page.map((order) => order.date_modified_gmt)).toEqual(['2026-12-04T10:30:00']);
    const byQuery = await fetch(
      `${woo.baseUrl}/wp-json/wc/v3/orders?${query}&page=2&consumer_key=ck_test&consumer_secret=cs_test`,
    );
    expect(
      ((await byQuery.json()) as { date_modified_gmt: string }[]).map((order) => order.date_modified_gmt),
    ).toEqual(['2026-12-04T11:00:00']);
    const wrong = await fetch(`${woo.baseUrl}/wp-json/wc/v3/orders`, {
      headers: { Authorization: `Basic ${Buffer.from('ck_test:nope').toString('base64')}` },
    });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ code: 'woocommerce_rest_cannot_view' });
  });

  it('records shipment trackings per order, and refuses unknown orders and missing fields', async () => {
    const order = wooOrder({ id: 4242 });
    woo.saveOrder(order);
    const post = (id: number, body: object) =>
      fetch(`${woo.baseUrl}/wp-json/wc-shipment-tracking/v3/orders/${id}/shipment-trackings`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          Authorization: `Basic ${Buffer.from('ck_test:cs_test').toString('base64')}`,
        },
        body: JSON.stringify(body),
      });
    const created = await post(4242, {
      tracking_provider: 'DHL',
      tracking_number: 'JD0001',
      date_shipped: '2026-12-04',
    });
    expect(created.status).toBe(201);
    const custom = await post(4242, {
      custom_tracking_provider: 'Waybill Sandbox',
      custom_tracking_link: 'https://track.example/SB1',
      tracking_number: 'SB1',
    });
    expect(custom.status).toBe(201);
    expect(
      woo.trackings
        .get(4242)
        ?.map((tracking) => [tracking.tracking_provider, tracking.tracking_number, tracking.tracking_link]),
    ).toEqual([
      ['DHL', 'JD0001', ''],
      ['Waybill Sandbox', 'SB1', 'https://track.example/SB1'],
    ]);
    expect((await post(1, { tracking_provider: 'DHL', tracking_number: 'x' })).status).toBe(404);
    expect((await post(4242, { tracking_provider: 'DHL' })).status).toBe(400);
    woo.failNext = 1;
    expect((await post(4242, { tracking_provider: 'DHL', tracking_number: 'x' })).status).toBe(503);
    expect(woo.trackings.get(4242)).toHaveLength(2);
  });
});
