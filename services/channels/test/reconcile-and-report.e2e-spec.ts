import { randomUUID } from 'node:crypto';
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

interface Submitted {
  readonly storefrontId: string;
  readonly storefrontOrderId: string;
  readonly customer: { id: string; email: string };
  readonly lines: { sku: string; quantity: number; unitPrice: number }[];
  readonly currency: string;
  readonly totalAmount: number;
  readonly shippingAddress: Record<string, string>;
}

/**
 * The channels service's two background duties against real Kafka, PostgreSQL and the fake
 * platforms: the reconciliation poller recovering what no webhook brought, and the dispatcher
 * telling each platform about the parcel logistics booked, through an outage, exactly once.
 */
describe('channel poller and tracking back (Kafka, PostgreSQL, fake platforms)', () => {
  let service: ServiceUnderTest<ChannelsConfig>;
  let probe: EventProbe;
  let db: DataSource;
  let shopify: FakeShopify;
  let woo: FakeWooCommerce;
  let youzan: FakeYouzan;

  const call = (method: string, path: string, body?: unknown): Promise<Answer> =>
    callChannels(service.baseUrl, method, path, admin.key, body);

  const hook = (connectionId: string): string => `${service.baseUrl}/v1/webhooks/channels/${connectionId}`;

  /** What the order service and logistics would publish for a submitted channel order. */
  async function placeAndShip(
    submitted: Submitted,
    parcel: { carrier: string; trackingNumber: string },
    options: { shipmentFirst?: boolean } = {},
  ): Promise<{ orderId: string; shipmentEventId: string }> {
    const orderId = randomUUID();
    const shipmentEventId = randomUUID();
    const placed = () =>
      probe.publish('waybill.order.placed.v1', {
        orderId,
        storefrontId: submitted.storefrontId,
        storefrontOrderId: submitted.storefrontOrderId,
        customer: submitted.customer,
        lines: submitted.lines,
        currency: submitted.currency,
        totalAmount: submitted.totalAmount,
        shippingAddress: submitted.shippingAddress,
        payment: { provider: 'prepaid', paymentMethodRef: `x:${submitted.storefrontOrderId}` },
        placedAt: new Date().toISOString(),
      });
    const shipped = () =>
      probe.publish(
        'waybill.shipment.created.v1',
        {
          orderId,
          shipmentId: randomUUID(),
          carrier: parcel.carrier,
          trackingNumber: parcel.trackingNumber,
          createdAt: new Date().toISOString(),
        },
        { id: shipmentEventId },
      );
    if (options.shipmentFirst) {
      await shipped();
      await placed();
    } else {
      await placed();
      await shipped();
    }
    return { orderId, shipmentEventId };
  }

  beforeAll(async () => {
    const topicPrefix = uniqueTopicPrefix('chrr');
    [shopify, woo, youzan] = await Promise.all([
      FakeShopify.start(),
      FakeWooCommerce.start(),
      FakeYouzan.start(),
    ]);
    service = await startChannelsForTest(topicPrefix, [admin], {
      CHANNELS_POLL_INTERVAL_MS: '3600000',
      CHANNELS_TRACKING_POLL_INTERVAL_MS: '200',
      CHANNELS_TRACKING_INITIAL_BACKOFF_MS: '50',
      CHANNELS_TRACKING_MAX_BACKOFF_MS: '200',
      CHANNELS_PLATFORM_TIMEOUT_MS: '2000',
    });
    probe = await EventProbe.start(topicPrefix, [
      'waybill.storefront.orders',
      'waybill.order.events',
      'waybill.logistics.events',
    ]);
    db = service.app.get(DataSource);
    await connectFakePlatforms(service.baseUrl, admin.key, { shopify, woo, youzan }, 'rr');
  });

  afterAll(async () => {
    await probe?.stop();
    await service?.stop();
    await Promise.all([shopify?.stop(), woo?.stop(), youzan?.stop()]);
  });

  const submittedOf = (id: string) =>
    probe.waitForEvent<Submitted>(SUBMITTED, (data) => data.storefrontOrderId === id);

  it('recovers a WooCommerce order whose webhook never came, and shows its watermark', async () => {
    const missed = wooOrder({ status: 'processing' });
    woo.saveOrder(missed);
    expect((await call('POST', '/v1/channels/connections/woo-rr/poll')).status).toBe(202);
    const event = await submittedOf(String(missed.id));
    expect(event.source).toBe('/storefronts/shop-woo');
    expect(event.data.lines).toEqual([{ sku: 'HOODIE-M', quantity: 1, unitPrice: 2435 }]);
    const poller = await waitFor(
      async () => {
        const view = (await call('GET', '/v1/channels/connections/woo-rr/poller')).body;
        return view.lastOutcome === 'ok' && view.ordersTakenIn >= 1 ? view : undefined;
      },
      { description: 'the poller state after the run' },
    );
    expect(Date.parse(poller.watermark)).toBeGreaterThan(Date.now() - 3600_000);
    const [row] = (await db.query(`SELECT received_via FROM channel_orders WHERE external_order_id = $1`, [
      String(missed.id),
    ])) as { received_via: string }[];
    expect(row?.received_via).toBe('poll');
  });

  it('takes a Shopify order in once whether the poller or the webhook brings it first', async () => {
    const order = shopifyOrder();
    shopify.saveOrder(order);
    await call('POST', '/v1/channels/connections/shopify-rr/poll');
    const id = order.id.toString();
    const event = await submittedOf(id);
    expect(event.data.lines).toEqual([{ sku: 'MUG-BLUE-350', quantity: 1, unitPrice: 2400 }]);
    // The webhook arrives late (Shopify retried it): a duplicate of what the poller took in.
    const late = await shopify.deliver('orders/create', order, { to: hook('shopify-rr') });
    expect(late[0]?.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(probe.events(SUBMITTED, (data: Submitted) => data.storefrontOrderId === id)).toHaveLength(1);
  });

  it('tells Shopify the tracking once, through an outage of its Admin API', async () => {
    const order = shopifyOrder();
    await shopify.deliver('orders/create', order, { to: hook('shopify-rr') });
    const submitted = await submittedOf(order.id.toString());
    shopify.failNext = 3;
    await placeAndShip(submitted.data, { carrier: 'easypost', trackingNumber: 'EZ1000000001' });
    const fulfilments = await waitFor(
      () => {
        const found = shopify.fulfillmentsOf(order);
        return found.length > 0 ? found : undefined;
      },
      { description: 'a Shopify fulfilment', timeoutMs: 20_000 },
    );
    expect(fulfilments).toHaveLength(1);
    expect(fulfilments[0]?.tracking.map((tracking) => tracking.number)).toEqual(['EZ1000000001']);
    expect(shopify.failNext).toBe(0);
    const metrics = await waitFor(
      async () => {
        const text = await (await fetch(`${service.baseUrl}/metrics`)).text();
        return /waybill_channel_tracking_reports\{[^}]*status="pending"[^}]*\} 0/.test(text)
          ? text
          : undefined;
      },
      { description: 'no tracking report pending' },
    );
    expect(metrics).toMatch(/waybill_channel_tracking_reports\{[^}]*status="failed"[^}]*\} 0/);
  });

  it('reports to WooCommerce even when the shipment is read before the order it belongs to', async () => {
    const order = wooOrder({ status: 'processing' });
    await woo.deliver('order.created', order, { to: hook('woo-rr') });
    const submitted = await submittedOf(String(order.id));
    await placeAndShip(
      submitted.data,
      { carrier: 'sf', trackingNumber: 'SF1234567890' },
      { shipmentFirst: true },
    );
    const trackings = await waitFor(() => woo.trackings.get(order.id), {
      description: 'a WooCommerce shipment tracking',
      timeoutMs: 20_000,
    });
    expect(trackings).toHaveLength(1);
    expect(trackings[0]).toMatchObject({ tracking_number: 'SF1234567890' });
  });

  it('confirms the Youzan trade shipped with the carrier’s Youzan code', async () => {
    const trade = youzanTrade();
    await youzan.push(trade, { to: hook('youzan-rr') });
    const submitted = await submittedOf(trade.tid);
    await placeAndShip(submitted.data, { carrier: 'zto', trackingNumber: '75312345678901' });
    const confirmation = await waitFor(
      () => youzan.confirmations.find((confirmed) => confirmed.tid === trade.tid),
      { description: 'a Youzan logistics confirmation', timeoutMs: 20_000 },
    );
    expect(confirmation).toMatchObject({ outSid: '75312345678901', isNoExpress: false });
    expect(youzan.confirmations.filter((confirmed) => confirmed.tid === trade.tid)).toHaveLength(1);
  });

  it('tells the platform nothing of a parcel whose order was cancelled there', async () => {
    const order = shopifyOrder();
    const id = order.id.toString();
    await shopify.deliver('orders/create', order, { to: hook('shopify-rr') });
    const submitted = await submittedOf(id);
    await shopify.deliver(
      'orders/cancelled',
      shopifyOrder({ id: order.id, cancelledAt: new Date().toISOString() }),
      {
        to: hook('shopify-rr'),
      },
    );
    await probe.waitForEvent<{ storefrontOrderId: string }>(
      'waybill.storefront.order-cancellation-requested.v1',
      (data) => data.storefrontOrderId === id,
    );
    // Booked before the cancellation reached logistics: the parcel exists, the order is cancelled.
    const { shipmentEventId } = await placeAndShip(submitted.data, {
      carrier: 'easypost',
      trackingNumber: 'EZ1000000009',
    });
    await waitFor(
      async () =>
        ((await db.query(`SELECT 1 FROM inbox WHERE event_id = $1`, [shipmentEventId])) as unknown[]).length >
          0 || undefined,
      { description: 'the shipment read by the channels service' },
    );
    expect(
      await db.query(
        `SELECT r.status FROM channel_tracking_reports r JOIN channel_orders o ON o.id = r.channel_order_id
          WHERE o.external_order_id = $1`,
        [id],
      ),
    ).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(shopify.fulfillmentsOf(order)).toEqual([]);
  });
});
