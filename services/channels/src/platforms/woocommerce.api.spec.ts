import { FakeWooCommerce, wooOrder, WooOrder } from '@waybill/testing/parties';
import { platformCall } from './fixtures/platform-call';
import type { PlatformCall, TrackingReport } from './storefront-api';
import { arrayElements, WooCommerceStorefrontApi } from './woocommerce.api';

const api = new WooCommerceStorefrontApi();

function order(minute: number, status = 'processing'): WooOrder {
  const at = new Date(Date.UTC(2026, 2, 1, 10, minute)).toISOString().slice(0, 19);
  return wooOrder({ dateCreatedGmt: at, dateModifiedGmt: at, status });
}

describe('WooCommerceStorefrontApi', () => {
  let fake: FakeWooCommerce;
  let call: PlatformCall;

  beforeEach(async () => {
    fake = await FakeWooCommerce.start();
    call = platformCall('woocommerce', fake.baseUrl, {
      consumerKey: fake.consumerKey,
      consumerSecret: fake.consumerSecret,
    });
  });
  afterEach(() => fake.stop());

  describe('ordersModifiedSince', () => {
    it('pages by page number through the orders modified at or after the watermark, oldest first', async () => {
      const old = order(0);
      const first = order(10);
      const second = order(20, 'cancelled');
      const third = order(30, 'refunded');
      for (const saved of [third, old, second, first]) {
        fake.saveOrder(saved);
      }
      const since = `${first.date_modified_gmt}Z`;

      const page1 = await api.ordersModifiedSince(call, { since, limit: 2 });
      expect(page1).toEqual({
        status: 'page',
        orders: [
          {
            externalOrderId: String(first.id),
            updatedAt: new Date(since).toISOString(),
            cancelled: false,
            payload: { format: 'woocommerce-rest', rawBody: JSON.stringify(first) },
          },
          expect.objectContaining({ externalOrderId: String(second.id), cancelled: true }),
        ],
        nextCursor: '2',
      });
      const page2 = await api.ordersModifiedSince(call, { since, limit: 2, cursor: '2' });
      expect(page2).toEqual({
        status: 'page',
        orders: [expect.objectContaining({ externalOrderId: String(third.id), cancelled: true })],
      });

      const asked = new URL(fake.calls[0]?.url ?? '', fake.baseUrl).searchParams;
      expect(Object.fromEntries(asked)).toEqual({
        modified_after: '2026-03-01T10:09:59',
        dates_are_gmt: 'true',
        orderby: 'modified',
        order: 'asc',
        per_page: '2',
        page: '1',
      });
    });

    it('is retry on a 503 and on a stopped store, failed on wrong keys', async () => {
      const since = '2026-03-01T00:00:00Z';
      fake.failNext = 1;
      expect(await api.ordersModifiedSince(call, { since, limit: 5 })).toMatchObject({
        status: 'retry',
        reason: expect.stringContaining('HTTP 503'),
      });
      const wrong = platformCall('woocommerce', fake.baseUrl, {
        consumerKey: 'ck_x',
        consumerSecret: 'cs_y',
      });
      expect(await api.ordersModifiedSince(wrong, { since, limit: 5 })).toMatchObject({
        status: 'failed',
        reason: expect.stringContaining('HTTP 401'),
      });
      await fake.stop();
      expect(await api.ordersModifiedSince(call, { since, limit: 5 })).toMatchObject({ status: 'retry' });
      fake = await FakeWooCommerce.start();
    });

    it('refuses a cursor that is not a page number without calling the store', async () => {
      expect(
        await api.ordersModifiedSince(call, { since: '2026-03-01T00:00:00Z', limit: 5, cursor: 'abc' }),
      ).toMatchObject({ status: 'failed' });
      expect(fake.calls).toHaveLength(0);
    });
  });

  it('slices each array element from the raw text, digits and escapes as sent', () => {
    const text = '[ {"id":1,"meta":"a],[b\\"}","big":12345678901234567890} ,\n{"id":2,"n":[1,{"x":"}"}]} ]';
    expect(arrayElements(text)).toEqual([
      '{"id":1,"meta":"a],[b\\"}","big":12345678901234567890}',
      '{"id":2,"n":[1,{"x":"}"}]}',
    ]);
    expect(arrayElements('[]')).toEqual([]);
    expect(arrayElements('{"id":1}')).toBeUndefined();
    expect(arrayElements('[{"id":1')).toBeUndefined();
  });

  describe('reportTracking', () => {
    const report = (saved: WooOrder, more: Partial<TrackingReport> = {}): TrackingReport => ({
      externalOrderId: String(saved.id),
      carrier: 'zto',
      trackingNumber: '7312345678901',
      trackingUrl: 'https://www.zto.com/?num=7312345678901',
      // 23:30 UTC is already the next day in Berlin, the connection's zone.
      shippedAt: '2026-03-01T23:30:00.000Z',
      ...more,
    });

    it('adds one tracking, as a custom provider with its link, even when reported twice', async () => {
      const saved = order(1);
      fake.saveOrder(saved);
      const first = await api.reportTracking(call, report(saved));
      const trackings = fake.trackings.get(saved.id) ?? [];
      expect(trackings).toHaveLength(1);
      expect(first).toEqual({ status: 'reported', platformRef: trackings[0]?.tracking_id });
      expect(trackings[0]).toMatchObject({
        tracking_provider: 'ZTO Express',
        tracking_link: 'https://www.zto.com/?num=7312345678901',
        tracking_number: '7312345678901',
        date_shipped: '2026-03-02',
      });

      expect(await api.reportTracking(call, report(saved))).toEqual(first);
      expect(fake.trackings.get(saved.id)).toHaveLength(1);
    });

    it('adds a second parcel with another number beside the first', async () => {
      const saved = order(2);
      fake.saveOrder(saved);
      await api.reportTracking(call, report(saved));
      await api.reportTracking(
        call,
        report(saved, { carrier: 'sf', trackingNumber: 'SF1', trackingUrl: undefined }),
      );
      expect(
        fake.trackings
          .get(saved.id)
          ?.map((tracking) => [tracking.tracking_provider, tracking.tracking_number]),
      ).toEqual([
        ['ZTO Express', '7312345678901'],
        ['SF Express', 'SF1'],
      ]);
    });

    it('updates a parcel’s tracking by replacing the tracking named by platformRef', async () => {
      const saved = order(5);
      fake.saveOrder(saved);
      const first = await api.reportTracking(call, report(saved));
      const platformRef = first.status === 'reported' ? first.platformRef : undefined;
      expect(platformRef).toEqual(expect.any(String));
      const updated = await api.reportTracking(
        call,
        report(saved, { trackingNumber: '7399999999999', platformRef }),
      );
      const trackings = fake.trackings.get(saved.id) ?? [];
      expect(trackings.map((tracking) => tracking.tracking_number)).toEqual(['7399999999999']);
      expect(updated).toEqual({ status: 'reported', platformRef: trackings[0]?.tracking_id });
      // Told again (its answer lost): the old one is gone already, nothing is added twice.
      expect(
        await api.reportTracking(call, report(saved, { trackingNumber: '7399999999999', platformRef })),
      ).toEqual(updated);
      expect(fake.trackings.get(saved.id)).toHaveLength(1);
    });

    it('fails an unknown order, and on wrong keys; retries an outage; adds nothing meanwhile', async () => {
      expect(await api.reportTracking(call, report(order(3)))).toMatchObject({
        status: 'failed',
        reason: expect.stringContaining('woocommerce_rest_order_invalid_id'),
      });
      const saved = order(4);
      fake.saveOrder(saved);
      const wrong = platformCall('woocommerce', fake.baseUrl, {
        consumerKey: 'ck_x',
        consumerSecret: 'cs_y',
      });
      expect(await api.reportTracking(wrong, report(saved))).toMatchObject({ status: 'failed' });
      fake.failNext = 1;
      expect(await api.reportTracking(call, report(saved))).toMatchObject({ status: 'retry' });
      expect(fake.trackings.get(saved.id)).toBeUndefined();
      expect(await api.reportTracking(call, report(saved))).toMatchObject({ status: 'reported' });
    });
  });
});
