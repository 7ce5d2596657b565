import { randomUUID } from 'node:crypto';
import {
  connectFakePlatforms,
  FAKE_PLATFORM_SKUS,
  FAKE_PLATFORM_STOREFRONTS,
  FakeDirectCarrier,
  FakeShopify,
  FakeWooCommerce,
  FakeYouzan,
  FakeZto,
  putChannelSkuRule,
  shopifyOrder,
  waitFor,
  whsec,
  wooOrder,
  youzanTrade,
  ZTO_SAMPLE_PARTIES,
} from '@waybill/testing';
import { signedTrackingWebhook } from '../services/logistics/src/carriers/waybill-tracking-webhook';
import { DELIVERED_TIMELINE, OrderView, SagaStack, ShipmentView } from './support/saga-stack';

const SANDBOX_CARRIER_SECRET = whsec('channels e2e sandbox carrier');
const SUBMITTED = 'waybill.storefront.order-submitted.v1';
const PLACED = 'waybill.order.placed.v1';

interface ChannelOrderView extends OrderView {
  lines: { sku: string; quantity: number; unitPrice: number }[];
  currency: string;
}

type WooOrderBody = { id?: number };

/** Held orders as the channels API lists them. */
interface HeldOrder {
  id: string;
  externalOrderId: string;
  reasons: { message: string }[];
}

/**
 * Issue 17's promise across the whole suite: order, inventory, payment, logistics and channels on
 * the real Kafka and PostgreSQL, with FakeShopify, FakeWooCommerce and FakeYouzan sending their own
 * signed webhooks and answering their own Admin APIs. A platform order becomes a Waybill order, is
 * shipped and delivered, and its tracking goes back to the platform; what a webhook missed the
 * poller recovers; a duplicate places nothing twice; an unmapped SKU waits for an operator; a
 * platform cancellation cancels an order not yet shipped.
 *
 * Carriers: sandbox for Germany (its signed webhook delivers), ZTO (fake) for China so Youzan gets
 * a real express code and waybill number, and a direct carrier (fake) for Austria whose booking
 * answer the cancellation test holds back.
 */
describe('channels across the suite: platform webhooks to delivered parcels and back', () => {
  let shopify: FakeShopify;
  let woo: FakeWooCommerce;
  let youzan: FakeYouzan;
  let zto: FakeZto;
  let direct: FakeDirectCarrier;
  let stack: SagaStack;
  let connections: { shopify: string; woo: string; youzan: string };

  const channels = () => stack.channels?.baseUrl ?? '';
  const logistics = () => stack.logistics?.baseUrl ?? '';
  const hook = (connectionId: string) => `${channels()}/v1/webhooks/channels/${connectionId}`;

  beforeAll(async () => {
    [shopify, woo, youzan, zto, direct] = await Promise.all([
      FakeShopify.start(),
      FakeWooCommerce.start(),
      FakeYouzan.start(),
      FakeZto.start(),
      new FakeDirectCarrier().start(),
    ]);
    stack = await SagaStack.start({
      withLogistics: true,
      withChannels: { storefronts: Object.values(FAKE_PLATFORM_STOREFRONTS) },
      env: {
        LOGISTICS_SANDBOX_WEBHOOK_SECRET: SANDBOX_CARRIER_SECRET,
        ...zto.env(),
        LOGISTICS_DIRECT_API_BASE: direct.baseUrl,
        LOGISTICS_DIRECT_API_KEY: direct.apiKey,
        LOGISTICS_DIRECT_WEBHOOK_SECRET: whsec('channels e2e direct carrier'),
        LOGISTICS_CARRIER_RULES: JSON.stringify([
          { carrier: 'zto', countries: ['CN'] },
          { carrier: 'direct', countries: ['AT'] },
        ]),
        LOGISTICS_SHIP_FROM: JSON.stringify(ZTO_SAMPLE_PARTIES.shipFrom),
        // The held booking must outlast the cancellation, not time out and retry meanwhile.
        LOGISTICS_CARRIER_TIMEOUT_MS: '60000',
        LOGISTICS_WEBHOOK_POLL_INTERVAL_MS: '200',
      },
    });
    connections = await connectFakePlatforms(
      channels(),
      stack.operator.key,
      { shopify, woo, youzan },
      'saga',
    );
    await Promise.all(Object.values(FAKE_PLATFORM_SKUS).map(({ sku }) => stack.setStock(sku, 100)));
  });

  afterAll(async () => {
    await stack?.stop();
    await Promise.allSettled([shopify?.stop(), woo?.stop(), youzan?.stop(), zto?.stop(), direct?.stop()]);
  });

  /** The Waybill orders of one platform order, as an operator finds them in the order service. */
  async function ordersOf(storefrontId: string, storefrontOrderId: string): Promise<ChannelOrderView[]> {
    const query = new URLSearchParams({ storefrontOrderId, storefrontId });
    const answer = await stack.call<{ items: ChannelOrderView[] }>(
      stack.order.baseUrl,
      'GET',
      `/v1/orders?${query.toString()}`,
      stack.operator.key,
    );
    return answer.body.items;
  }

  function placedOrder(storefrontId: string, storefrontOrderId: string): Promise<ChannelOrderView> {
    return waitFor(async () => (await ordersOf(storefrontId, storefrontOrderId))[0], {
      timeoutMs: 20_000,
      description: `the Waybill order of ${storefrontId} ${storefrontOrderId}`,
    });
  }

  /** Channel orders belong to their storefront: the test watches them as the operator. */
  function statusOf(orderId: string, status: string): Promise<OrderView> {
    return stack.waitForStatus(orderId, status, 30_000, stack.operator.key);
  }

  /** The sandbox carrier's signed "delivered" webhook to logistics. */
  async function sandboxDelivers(trackingNumber: string): Promise<void> {
    const { rawBody, headers } = signedTrackingWebhook(
      { tracking_number: trackingNumber, status: 'delivered', occurred_at: new Date().toISOString() },
      { secrets: [SANDBOX_CARRIER_SECRET], id: `msg_${randomUUID()}` },
    );
    const answer = await fetch(`${logistics()}/v1/webhooks/carriers/sandbox`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: rawBody,
    });
    expect(answer.status).toBe(200);
  }

  /** From the platform's order to the customer's door: placed, shipped by `carrier`, delivered. */
  async function toTheDoor(
    storefrontId: string,
    storefrontOrderId: string,
    carrier: string,
    deliver: (shipment: ShipmentView) => Promise<void>,
  ): Promise<{ order: ChannelOrderView; shipment: ShipmentView }> {
    const order = await placedOrder(storefrontId, storefrontOrderId);
    expect(order.payment.provider).toBe('prepaid');
    await statusOf(order.id, 'SHIPPED');
    const shipment = await stack.shipmentOf(order.id);
    expect(shipment.carrier).toBe(carrier);
    await deliver(shipment);
    const delivered = await statusOf(order.id, 'DELIVERED');
    expect(delivered.timeline.map((step) => step.status)).toEqual(DELIVERED_TIMELINE);
    return { order, shipment };
  }

  it('Shopify: orders/create is placed, shipped, delivered, and fulfilled at Shopify with its tracking number', async () => {
    const platformOrder = shopifyOrder();
    const [delivery] = await shopify.deliver('orders/create', platformOrder, {
      to: hook(connections.shopify),
    });
    expect(delivery?.status).toBe(200);
    const { order, shipment } = await toTheDoor(
      'shop-shopify',
      platformOrder.id.toString(),
      'sandbox',
      (parcel) => sandboxDelivers(parcel.trackingNumber),
    );
    expect(order).toMatchObject({
      currency: 'EUR',
      lines: [{ sku: 'MUG-BLUE-350', quantity: 1, unitPrice: 2400 }],
      totals: { total: 2890 },
    });
    const fulfilments = await waitFor(
      () =>
        shopify.fulfillmentsOf(platformOrder).length > 0 ? shopify.fulfillmentsOf(platformOrder) : undefined,
      { description: 'the Shopify fulfilment', timeoutMs: 20_000 },
    );
    expect(fulfilments).toHaveLength(1);
    expect(fulfilments[0]?.tracking.map((tracking) => tracking.number)).toEqual([shipment.trackingNumber]);
  });

  it('WooCommerce: order.created is placed, shipped, delivered, and its shipment tracking added at WooCommerce', async () => {
    const platformOrder = wooOrder({ status: 'processing' });
    const [delivery] = await woo.deliver('order.created', platformOrder, { to: hook(connections.woo) });
    expect(delivery?.delivered).toBe(true);
    const { order, shipment } = await toTheDoor('shop-woo', String(platformOrder.id), 'sandbox', (parcel) =>
      sandboxDelivers(parcel.trackingNumber),
    );
    expect(order.lines).toEqual([{ sku: 'HOODIE-M', quantity: 1, unitPrice: 2435 }]);
    const trackings = await waitFor(() => woo.trackings.get(platformOrder.id), {
      description: 'the WooCommerce shipment tracking',
      timeoutMs: 20_000,
    });
    expect(trackings).toHaveLength(1);
    expect(trackings[0]).toMatchObject({ tracking_number: shipment.trackingNumber });
  });

  it('Youzan: a pushed trade is placed in CNY, shipped with ZTO, signed for, and confirmed at Youzan with the waybill', async () => {
    const trade = youzanTrade();
    const [push] = await youzan.push(trade, { to: hook(connections.youzan) });
    expect(push?.acknowledged).toBe(true);
    const { order, shipment } = await toTheDoor('shop-youzan', trade.tid, 'zto', async (parcel) => {
      const pushes = await zto.push(parcel.trackingNumber, ['GOT', 'SIGNED'], {
        to: `${logistics()}/v1/webhooks/carriers/zto`,
      });
      expect(pushes.map((sent) => sent.status)).toEqual([200, 200]);
    });
    expect(order).toMatchObject({
      currency: 'CNY',
      lines: [{ sku: 'TEA-250', quantity: 2, unitPrice: 4950 }],
    });
    const confirmation = await waitFor(
      () => youzan.confirmations.find((confirmed) => confirmed.tid === trade.tid),
      { description: 'the Youzan logistics confirmation', timeoutMs: 20_000 },
    );
    // ZTO's code in Youzan's express list, and the ZTO waybill number logistics booked.
    expect(confirmation).toMatchObject({
      outStype: '3',
      outSid: shipment.trackingNumber,
      isNoExpress: false,
    });
  });

  it('recovers a WooCommerce order whose webhook never came: the poller takes it in and it is placed', async () => {
    const missed = wooOrder({ status: 'processing' });
    woo.saveOrder(missed);
    const id = String(missed.id);
    expect(await ordersOf('shop-woo', id)).toEqual([]);
    const poll = await stack.call(
      channels(),
      'POST',
      `/v1/channels/connections/${connections.woo}/poll`,
      stack.operator.key,
    );
    expect(poll.status).toBe(202);
    const order = await placedOrder('shop-woo', id);
    expect(order.lines).toEqual([{ sku: 'HOODIE-M', quantity: 1, unitPrice: 2435 }]);
    expect(
      woo.deliveries.filter((delivery) => (JSON.parse(delivery.body) as WooOrderBody).id === missed.id),
    ).toEqual([]);
    await statusOf(order.id, 'SHIPPED');
  });

  it('places one order for a Shopify order delivered twice under one webhook id and once more under another', async () => {
    const platformOrder = shopifyOrder();
    const id = platformOrder.id.toString();
    const twice = await shopify.deliver('orders/create', platformOrder, {
      to: hook(connections.shopify),
      duplicate: true,
    });
    expect(twice.map((attempt) => attempt.status)).toEqual([200, 200]);
    const order = await placedOrder('shop-shopify', id);
    const again = await shopify.deliver('orders/create', platformOrder, { to: hook(connections.shopify) });
    expect(again[0]?.status).toBe(200);
    await statusOf(order.id, 'SHIPPED');
    // Time for a second submission, had either copy made one, to reach the probe.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await ordersOf('shop-shopify', id)).toHaveLength(1);
    expect(
      stack.probe.events(SUBMITTED, (data: { storefrontOrderId: string }) => data.storefrontOrderId === id),
    ).toHaveLength(1);
    expect(
      stack.probe.events(PLACED, (data: { storefrontOrderId: string }) => data.storefrontOrderId === id),
    ).toHaveLength(1);
  });

  it('holds a Shopify order with an unmapped SKU until the SKU is mapped and the order released, then places it', async () => {
    const newSku = `MUG-RED-${randomUUID().slice(0, 6).toUpperCase()}`;
    await stack.setStock(newSku, 5);
    const platformOrder = shopifyOrder({
      lines: [
        { sku: 'SKU-1', quantity: 1, price: '24.00' },
        { sku: 'SKU-RED', quantity: 2, price: '26.00' },
      ],
    });
    const id = platformOrder.id.toString();
    await shopify.deliver('orders/create', platformOrder, { to: hook(connections.shopify) });
    const held = await waitFor(
      async () =>
        (
          await stack.call<{ items: HeldOrder[] }>(
            channels(),
            'GET',
            `/v1/channels/held-orders?connectionId=${connections.shopify}`,
            stack.operator.key,
          )
        ).body.items.find((item) => item.externalOrderId === id),
      { description: 'the held order' },
    );
    expect(held.reasons.map((reason) => reason.message).join(' ')).toContain('SKU-RED');
    expect(await ordersOf('shop-shopify', id)).toEqual([]);

    await putChannelSkuRule(channels(), stack.operator.key, connections.shopify, 'SKU-RED', { sku: newSku });
    const released = await stack.call<{ status: string }>(
      channels(),
      'POST',
      `/v1/channels/held-orders/${held.id}/release`,
      stack.operator.key,
    );
    expect(released.status).toBe(200);
    const order = await placedOrder('shop-shopify', id);
    expect(order.lines).toEqual([
      { sku: 'MUG-BLUE-350', quantity: 1, unitPrice: 2400 },
      { sku: newSku, quantity: 2, unitPrice: 2600 },
    ]);
    await statusOf(order.id, 'SHIPPED');
    expect((await stack.stock(newSku)).onHand).toBe(3);
  });

  it('cancels a placed Shopify order not yet shipped when Shopify cancels it', async () => {
    const shippingAddress = { city: 'Wien', zip: '1010', country: 'Austria', country_code: 'AT' };
    const platformOrder = shopifyOrder({ shippingAddress });
    const id = platformOrder.id.toString();
    const before = await stack.stock('MUG-BLUE-350');
    // Austria's carrier is down: the order is confirmed, its booking fails, nothing ships. (A carrier
    // that holds the booking open would not do: logistics books inside its inbox transaction, and an
    // open transaction holds back every relay on the PostgreSQL cluster, the cancellation's too.)
    direct.failNext = 1_000;
    try {
      await shopify.deliver('orders/create', platformOrder, { to: hook(connections.shopify) });
      const order = await placedOrder('shop-shopify', id);
      await statusOf(order.id, 'CONFIRMED');
      await waitFor(() => direct.callsTo('POST', /^\/v1\/shipments$/).length > 0 || undefined, {
        description: 'a booking attempt',
      });

      const cancelled = shopifyOrder({
        id: platformOrder.id,
        shippingAddress,
        cancelledAt: new Date().toISOString(),
      });
      const [delivery] = await shopify.deliver('orders/cancelled', cancelled, {
        to: hook(connections.shopify),
      });
      expect(delivery?.status).toBe(200);
      const final = await statusOf(order.id, 'CANCELLED');
      expect(final.timeline.map((step) => step.status)).toEqual([
        'PENDING',
        'RESERVED',
        'CONFIRMED',
        'CANCELLED',
      ]);
      expect(final.timeline.at(-1)?.event.type).toBe('waybill.storefront.order-cancellation-requested.v1');
      await waitFor(
        async () => (await stack.stock('MUG-BLUE-350')).reserved === before.reserved || undefined,
        {
          description: 'the reservation to be released',
        },
      );
      // Paid on Shopify: payment records the whole amount as refunded (the merchant refunds there).
      const refunded = await stack.probe.waitForEvent<{ orderId: string; amount: number }>(
        'waybill.payment.refunded.v1',
        (data) => data.orderId === order.id,
      );
      expect(refunded.data.amount).toBe(2890);
    } finally {
      direct.failNext = 0;
    }
  });
});
