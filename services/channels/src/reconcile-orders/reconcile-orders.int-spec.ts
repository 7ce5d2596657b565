import { FakeWooCommerce, wooOrder } from '@waybill/testing/parties';
import { UseCaseHarness } from '@waybill/testing';
import { channelsUseCases, connect } from '../../test/use-cases';
import type { ConnectionView } from '../domain/connection';
import { ReconcileOrders } from './reconcile-orders.service';

describe('ReconcileOrders: the poller against a fake WooCommerce (on PostgreSQL)', () => {
  let harness: UseCaseHarness;
  let woo: FakeWooCommerce;
  let connection: ConnectionView;

  beforeAll(async () => {
    woo = await FakeWooCommerce.start();
    harness = await channelsUseCases({ CHANNELS_POLL_INTERVAL_MS: '60000' });
    connection = await connect(
      harness,
      {
        channel: 'woocommerce',
        store: woo.siteUrl,
        storefrontId: 'shop-poll',
        apiBase: woo.baseUrl,
        defaults: { currency: 'EUR', timezone: 'Europe/Berlin' },
      },
      {
        signingSecret: woo.webhookSecret,
        credentials: { consumerKey: woo.consumerKey, consumerSecret: woo.consumerSecret },
      },
      { 'woo-hoodie': 'HOODIE-M' },
    );
  });

  afterAll(async () => {
    await harness?.stop();
    await woo?.stop();
  });

  const poll = async () => {
    await harness.get(ReconcileOrders).pollNow(connection.id);
    return harness.get(ReconcileOrders).runDue(new Date());
  };

  it('takes in the orders no webhook brought, once, and moves the watermark', async () => {
    const paid = wooOrder({ status: 'processing' });
    const unpaid = wooOrder({ status: 'pending' });
    woo.saveOrder(paid);
    woo.saveOrder(unpaid);
    expect(await poll()).toBe(1);
    expect(
      (await harness.enqueued()).map(
        (event) => (event.data as { storefrontOrderId: string }).storefrontOrderId,
      ),
    ).toEqual([String(paid.id)]);
    const view = await harness.get(ReconcileOrders).view(connection.id);
    expect(view).toMatchObject({ lastOutcome: 'ok', lastError: null, ordersFound: 2, ordersTakenIn: 2 });
    expect(view.watermark).not.toBeNull();
    expect(Date.parse(view.nextRunAt ?? '')).toBeGreaterThan(Date.now() + 50_000);

    // The next run sees both again (the overlap) and changes nothing.
    await poll();
    expect(await harness.enqueued()).toEqual([]);
    expect(await harness.get(ReconcileOrders).view(connection.id)).toMatchObject({
      ordersFound: 2,
      ordersTakenIn: 0,
    });
  });

  it('keeps the watermark and says why when the platform is down', async () => {
    const before = (await harness.get(ReconcileOrders).view(connection.id)).watermark;
    await woo.stop();
    try {
      await poll();
      const view = await harness.get(ReconcileOrders).view(connection.id);
      expect(view.lastOutcome).toBe('retry');
      expect(view.lastError).toMatch(/woocommerce|network|fetch|connect/i);
      expect(view.watermark).toBe(before);
    } finally {
      woo = await FakeWooCommerce.start();
    }
  });
});
