import { randomUUID } from 'node:crypto';
import { exampleData, OrderPlacedV1 } from '@waybill/contracts';
import { UseCaseHarness } from '@waybill/testing';
import { FakeShopify, shopifyJson, shopifyOrder } from '@waybill/testing/parties';
import { channelsUseCases, connect } from '../../test/use-cases';
import type { ConnectionView } from '../domain/connection';
import { TakeInOrder } from '../policies/take-in-order';
import { LinkShipments } from './link-shipments.service';
import { ReportTracking } from './report-tracking.service';

describe('LinkShipments and ReportTracking against a fake Shopify (on PostgreSQL)', () => {
  let harness: UseCaseHarness;
  let shopify: FakeShopify;
  let connection: ConnectionView;

  beforeAll(async () => {
    shopify = await FakeShopify.start();
    harness = await channelsUseCases({
      CHANNELS_TRACKING_INITIAL_BACKOFF_MS: '10',
      CHANNELS_TRACKING_MAX_BACKOFF_MS: '10',
    });
    connection = await connect(
      harness,
      {
        channel: 'shopify',
        store: shopify.shopDomain,
        storefrontId: 'shop-track',
        apiBase: shopify.baseUrl,
        defaults: { currency: 'EUR', timezone: 'Europe/Berlin' },
      },
      { signingSecret: shopify.signingSecret, credentials: { accessToken: shopify.accessToken } },
      { 'SKU-1': 'MUG-BLUE-350' },
    );
  });

  afterAll(async () => {
    await harness?.stop();
    await shopify?.stop();
  });

  async function submittedShopifyOrder() {
    const order = shopifyOrder();
    shopify.saveOrder(order);
    await harness.run((uow) =>
      harness.get(TakeInOrder).execute(uow, {
        connection,
        payload: { format: 'shopify-rest', rawBody: shopifyJson(order) },
        via: 'webhook',
      }),
    );
    await harness.enqueued();
    return order;
  }

  const placed = (orderId: string, storefrontOrderId: string): OrderPlacedV1 => ({
    ...(exampleData('waybill.order.placed.v1') as OrderPlacedV1),
    orderId,
    storefrontId: 'shop-track',
    storefrontOrderId,
  });

  const shipped = (orderId: string, trackingNumber: string) => ({
    orderId,
    shipmentId: randomUUID(),
    carrier: 'easypost',
    trackingNumber,
    createdAt: new Date().toISOString(),
  });

  const reports = (orderId: string) =>
    harness.query<{ status: string; attempts: number; last_error: string | null }>(
      `SELECT r.status, r.attempts, r.last_error FROM channel_tracking_reports r
         JOIN channel_orders o ON o.id = r.channel_order_id WHERE o.waybill_order_id = $1`,
      [orderId],
    );

  it('reports a parcel once, after an outage, whichever of order and shipment came first', async () => {
    const order = await submittedShopifyOrder();
    const orderId = randomUUID();
    const shipment = shipped(orderId, 'EZ2000000001');
    // The shipment is read first: remembered, then joined when order.placed says whose it is.
    await harness.run((uow) => harness.get(LinkShipments).shipmentCreated(uow, shipment));
    expect(await reports(orderId)).toEqual([]);
    await harness.run((uow) =>
      harness.get(LinkShipments).orderPlaced(uow, placed(orderId, order.id.toString())),
    );
    // A redelivery of shipment.created adds nothing.
    await harness.run((uow) => harness.get(LinkShipments).shipmentCreated(uow, shipment));
    expect(await reports(orderId)).toMatchObject([{ status: 'pending', attempts: 0 }]);

    shopify.failNext = 1;
    expect(await harness.get(ReportTracking).runDue(new Date())).toBe(1);
    const [afterOutage] = await reports(orderId);
    expect(afterOutage).toMatchObject({ status: 'pending', attempts: 1 });
    expect(afterOutage?.last_error).toMatch(/503|unavailable/i);

    expect(await harness.get(ReportTracking).runDue(new Date(Date.now() + 1000))).toBe(1);
    expect(await reports(orderId)).toMatchObject([{ status: 'reported', attempts: 2, last_error: null }]);
    expect(
      shopify.fulfillmentsOf(order).map((fulfilment) => fulfilment.tracking.map((t) => t.number)),
    ).toEqual([['EZ2000000001']]);
    expect(await harness.get(ReportTracking).runDue(new Date(Date.now() + 2000))).toBe(0);
  });

  it('ignores the shipments of orders that are not a channel’s', async () => {
    const orderId = randomUUID();
    await harness.run((uow) => harness.get(LinkShipments).orderPlaced(uow, placed(orderId, 'api-order-1')));
    await harness.run((uow) =>
      harness.get(LinkShipments).shipmentCreated(uow, shipped(orderId, 'EZ2000000002')),
    );
    expect(await reports(orderId)).toEqual([]);
    expect(await harness.get(ReportTracking).runDue(new Date())).toBe(0);
  });
});
