import { FakeShopify, shopifyJson, shopifyOrder, ShopifyOrderPayload } from '@waybill/testing/parties';
import type { MappingContext } from '../domain/canonical-order';
import type { SkuRule } from '../domain/sku-mapping';
import { platformCall } from './fixtures/platform-call';
import { mapShopifyGraphqlOrder } from './shopify-graphql-order';
import { mapShopifyOrder } from './shopify-order';
import { SHOPIFY_ADMIN_API_VERSION, ShopifyStorefrontApi } from './shopify.api';
import type { PlatformCall, TrackingReport } from './storefront-api';

const api = new ShopifyStorefrontApi();

function order(minute: number, extra: Parameters<typeof shopifyOrder>[0] = {}): ShopifyOrderPayload {
  const at = new Date(Date.UTC(2026, 2, 1, 10, minute)).toISOString();
  return shopifyOrder({ createdAt: at, updatedAt: at, ...extra });
}

describe('ShopifyStorefrontApi', () => {
  let fake: FakeShopify;
  let call: PlatformCall;

  beforeEach(async () => {
    fake = await FakeShopify.start();
    call = platformCall('shopify', fake.baseUrl, { accessToken: fake.accessToken });
  });
  afterEach(() => fake.stop());

  it('asks for the Admin API version the fake plays', () => {
    expect(SHOPIFY_ADMIN_API_VERSION).toBe(fake.apiVersion);
  });

  describe('ordersModifiedSince', () => {
    it('pages through the orders modified at or after the watermark, oldest first', async () => {
      const old = order(0);
      const first = order(10);
      const second = order(20, { cancelledAt: new Date(Date.UTC(2026, 2, 1, 10, 20)).toISOString() });
      const third = order(30);
      for (const saved of [third, old, second, first]) {
        fake.saveOrder(saved);
      }
      const since = first.updated_at;

      const page1 = await api.ordersModifiedSince(call, { since, limit: 2 });
      expect(page1).toMatchObject({
        status: 'page',
        orders: [
          { externalOrderId: first.id.toString(), updatedAt: first.updated_at, cancelled: false },
          { externalOrderId: second.id.toString(), updatedAt: second.updated_at, cancelled: true },
        ],
      });
      if (page1.status !== 'page') {
        throw new Error('no page');
      }
      expect(page1.nextCursor).toEqual(expect.any(String));
      expect(page1.orders[0]?.payload.format).toBe('shopify-graphql');
      // The 64-bit id stays digits-exact in the stored payload.
      expect(JSON.parse(page1.orders[0]?.payload.rawBody ?? '{}')).toMatchObject({
        legacyResourceId: first.id.toString(),
      });

      const page2 = await api.ordersModifiedSince(call, { since, limit: 2, cursor: page1.nextCursor });
      expect(page2).toMatchObject({ status: 'page', orders: [{ externalOrderId: third.id.toString() }] });
      expect(page2.status === 'page' && page2.nextCursor).toBeUndefined();

      const sent = JSON.parse(fake.calls[0]?.body ?? '{}');
      expect(sent.variables).toMatchObject({ first: 2, query: `updated_at:>='${since}'` });
      expect(sent.query).toMatch(/sortKey:\s*UPDATED_AT/);
    });

    it('is retry on a 503 and on a stopped shop, failed on a wrong token', async () => {
      fake.failNext = 1;
      expect(await api.ordersModifiedSince(call, { since: '2026-03-01T00:00:00Z', limit: 5 })).toMatchObject({
        status: 'retry',
        reason: expect.stringContaining('HTTP 503'),
      });
      const wrong = platformCall('shopify', fake.baseUrl, { accessToken: 'shpat_wrong' });
      expect(await api.ordersModifiedSince(wrong, { since: '2026-03-01T00:00:00Z', limit: 5 })).toMatchObject(
        {
          status: 'failed',
          reason: expect.stringContaining('HTTP 401'),
        },
      );
      await fake.stop();
      expect(await api.ordersModifiedSince(call, { since: '2026-03-01T00:00:00Z', limit: 5 })).toMatchObject({
        status: 'retry',
        reason: expect.stringContaining('network error'),
      });
      fake = await FakeShopify.start();
    });

    it('asks for no more orders a page than keeps the query under Shopify’s cost limit', async () => {
      await api.ordersModifiedSince(call, { since: '2026-03-01T00:00:00Z', limit: 250 });
      const sent = JSON.parse(fake.calls[0]?.body ?? '{}');
      expect(sent.variables.first).toBe(15);
      expect(sent.query).toMatch(/lineItems\(first: 50\)/);
    });

    it('fails a watermark that is not an instant without calling Shopify', async () => {
      expect(await api.ordersModifiedSince(call, { since: 'yesterday', limit: 5 })).toMatchObject({
        status: 'failed',
      });
      expect(fake.calls).toHaveLength(0);
    });
  });

  describe('the GraphQL order node maps like the webhook', () => {
    it('gives the same canonical order and external id as the REST payload of the same order', async () => {
      const saved = order(5, {
        lines: [
          { sku: 'SKU-1', quantity: 2, price: '24.00' },
          { sku: 'SKU-2', quantity: 1, price: '9.99' },
        ],
        tax: '3.00',
      });
      fake.saveOrder(saved);
      const page = await api.ordersModifiedSince(call, { since: '2026-03-01T00:00:00Z', limit: 10 });
      const node = page.status === 'page' ? page.orders[0] : undefined;
      expect(node).toBeDefined();

      const context: MappingContext = { storefrontId: 'shop-eu', channel: 'shopify' };
      const skuTable = new Map<string, SkuRule>([
        ['SKU-1', { kind: 'sku', sku: 'WB-1', multiplier: 1 }],
        ['SKU-2', { kind: 'sku', sku: 'WB-2', multiplier: 1 }],
      ]);
      const rest = await mapShopifyOrder(shopifyJson(saved), { context, skuTable });
      const graph = await mapShopifyGraphqlOrder(node?.payload.rawBody ?? '', { context, skuTable });

      expect(rest.status).toBe('mapped');
      expect(graph.status).toBe('mapped');
      expect(graph.externalOrderId).toBe(saved.id.toString());
      expect(graph.externalOrderId).toBe(rest.externalOrderId);
      expect(node?.externalOrderId).toBe(rest.externalOrderId);
      expect(rest.status === 'mapped' && graph.status === 'mapped' && graph.order).toEqual(
        rest.status === 'mapped' && rest.order,
      );
      expect(graph.status === 'mapped' && graph.order.customer.id).toBe('7700000000000000001');
    });

    it('holds a node it cannot read, naming the GraphQL fields', async () => {
      const outcome = await mapShopifyGraphqlOrder(
        JSON.stringify({
          legacyResourceId: '5512345678901234999',
          currencyCode: 'EUR',
          lineItems: { nodes: [] },
        }),
        { context: { storefrontId: 'shop-eu', channel: 'shopify' }, skuTable: new Map() },
      );
      expect(outcome).toMatchObject({ status: 'held', externalOrderId: '5512345678901234999' });
      expect(outcome.status === 'held' && outcome.reasons.map((reason) => reason.part)).toEqual(
        expect.arrayContaining([
          'lineItems',
          'shippingAddress',
          'createdAt',
          'totalPriceSet.shopMoney.amount',
        ]),
      );
    });
  });

  describe('reportTracking', () => {
    const report = (saved: ShopifyOrderPayload, more: Partial<TrackingReport> = {}): TrackingReport => ({
      externalOrderId: saved.id.toString(),
      carrier: 'sf',
      trackingNumber: 'SF1234567890123',
      shippedAt: '2026-03-02T08:00:00.000Z',
      ...more,
    });

    it('creates one fulfilment with Shopify’s company name, even when reported twice', async () => {
      const saved = order(1);
      fake.saveOrder(saved);
      const first = await api.reportTracking(call, report(saved));
      const fulfilments = fake.fulfillmentsOf(saved);
      expect(fulfilments).toHaveLength(1);
      expect(first).toEqual({ status: 'reported', platformRef: fulfilments[0]?.id });
      expect(fulfilments[0]).toMatchObject({
        fulfillmentOrderId: fake.fulfillmentOrderIdOf(saved),
        notifyCustomer: true,
        tracking: [{ company: 'SF Express', number: 'SF1234567890123' }],
      });

      const second = await api.reportTracking(call, report(saved));
      expect(second).toEqual(first);
      expect(fake.fulfillmentsOf(saved)).toHaveLength(1);
    });

    it('sends an unknown carrier as Other with its tracking URL', async () => {
      const saved = order(2);
      fake.saveOrder(saved);
      const url = 'https://track.example.com/EZ1000';
      expect(
        await api.reportTracking(
          call,
          report(saved, { carrier: 'easypost', trackingNumber: 'EZ1000', trackingUrl: url }),
        ),
      ).toMatchObject({ status: 'reported' });
      expect(fake.fulfillmentsOf(saved)[0]?.tracking).toEqual([{ company: 'Other', number: 'EZ1000', url }]);
    });

    it('updates the tracking of the fulfilment named by platformRef', async () => {
      const saved = order(3);
      fake.saveOrder(saved);
      const first = await api.reportTracking(call, report(saved));
      const platformRef = first.status === 'reported' ? first.platformRef : undefined;
      const updated = await api.reportTracking(
        call,
        report(saved, { carrier: 'zto', trackingNumber: '7312345678901', platformRef }),
      );
      expect(updated).toEqual({ status: 'reported', platformRef });
      expect(fake.fulfillmentsOf(saved)).toHaveLength(1);
      expect(fake.fulfillmentsOf(saved)[0]?.tracking.at(-1)).toEqual({
        company: 'ZTO Express',
        number: '7312345678901',
      });
    });

    it('fails with Shopify’s userErrors, an unknown order, or tracking already given by someone else', async () => {
      expect(
        await api.reportTracking(call, {
          ...report(order(4)),
          platformRef: 'gid://shopify/Fulfillment/1',
        }),
      ).toEqual({ status: 'failed', reason: 'Shopify refused: Fulfillment does not exist.' });
      expect(await api.reportTracking(call, report(order(5)))).toMatchObject({
        status: 'failed',
        reason: expect.stringContaining('has no order'),
      });
      const saved = order(6);
      fake.saveOrder(saved);
      await api.reportTracking(call, report(saved, { trackingNumber: 'MERCHANT-1' }));
      expect(await api.reportTracking(call, report(saved))).toMatchObject({
        status: 'failed',
        reason: expect.stringContaining('MERCHANT-1'),
      });
      expect(fake.fulfillmentsOf(saved)).toHaveLength(1);
    });

    it('is retry on an outage and failed on a wrong token, creating nothing', async () => {
      const saved = order(7);
      fake.saveOrder(saved);
      fake.failNext = 1;
      expect(await api.reportTracking(call, report(saved))).toMatchObject({ status: 'retry' });
      const wrong = platformCall('shopify', fake.baseUrl, { accessToken: 'shpat_wrong' });
      expect(await api.reportTracking(wrong, report(saved))).toMatchObject({ status: 'failed' });
      expect(fake.fulfillmentsOf(saved)).toHaveLength(0);
      expect(await api.reportTracking(call, report(saved))).toMatchObject({ status: 'reported' });
    });
  });
});
