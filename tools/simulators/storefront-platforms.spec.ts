import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEMO_PRICES, SOLD_OUT_SKU } from './demo-catalogue';
import {
  PLATFORM_STORES,
  platformSku,
  platformStoreOf,
  startStorefrontPlatforms,
  UNMAPPED_SKU,
  type StorefrontPlatforms,
} from './storefront-platforms';

/** A `Math.random` stand-in that returns `values` in turn. */
const rolls =
  (...values: number[]) =>
  (): number =>
    values.shift() ?? 0.5;

interface Received {
  readonly method: string;
  readonly path: string;
  readonly authorization?: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

/** The channels API as the simulator sees it: every PUT answered 200, every webhook acknowledged. */
async function channelsApi(): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      received.push({
        method: request.method ?? '',
        path: request.url ?? '/',
        authorization: request.headers.authorization,
        headers: request.headers,
        body,
      });
      // Youzan counts a push delivered only on this answer; the others on any 2xx.
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"code":0,"msg":"success"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

describe('the simulated storefront platforms', () => {
  it('names each demo SKU the way each platform’s merchant does, and the stores take turns', () => {
    expect(
      ['shopify', 'woocommerce', 'youzan'].map((channel) => platformSku(channel as never, 'DEMO-MUG')),
    ).toEqual(['SHOP-MUG', 'woo-mug', 'YZ-MUG']);
    expect([0, 1, 2, 3].map((index) => platformStoreOf(index).connectionId)).toEqual([
      'shopify-demo',
      'woo-demo',
      'youzan-demo',
      'shopify-demo',
    ]);
  });

  describe('against the channels API', () => {
    let api: Awaited<ReturnType<typeof channelsApi>>;
    let platforms: StorefrontPlatforms | undefined;

    beforeEach(async () => {
      api = await channelsApi();
    });

    afterEach(async () => {
      await platforms?.stop();
      await api.close();
    });

    it('connects the three stores with the admin key and maps every demo SKU, the unmapped one not', async () => {
      platforms = await startStorefrontPlatforms({
        serviceUrl: api.url,
        adminKey: 'wb_admin',
        log: () => undefined,
      });
      expect(api.received.every((request) => request.method === 'PUT')).toBe(true);
      expect(api.received.every((request) => request.authorization === 'Bearer wb_admin')).toBe(true);
      const connections = api.received.filter((request) =>
        /^\/v1\/channels\/connections\/[\w-]+$/.test(request.path),
      );
      expect(connections.map((request) => [request.path, JSON.parse(request.body)])).toEqual(
        PLATFORM_STORES.map((store) => [
          `/v1/channels/connections/${store.connectionId}`,
          expect.objectContaining({
            channel: store.channel,
            storefrontId: store.storefrontId,
            defaults: { currency: store.currency, timezone: store.timezone },
            signingSecret: expect.any(String),
            api: expect.objectContaining({ base: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/) }),
          }),
        ]),
      );
      const rules = api.received.filter((request) => request.path.includes('/skus/'));
      expect(rules).toHaveLength(PLATFORM_STORES.length * Object.keys(DEMO_PRICES).length);
      expect(rules).toContainEqual(
        expect.objectContaining({
          path: '/v1/channels/connections/youzan-demo/skus/YZ-SOLD-OUT',
          body: `{"sku":"${SOLD_OUT_SKU}"}`,
        }),
      );
      expect(rules.some((request) => request.path.includes('LIMITED'))).toBe(false);
    });

    it('sends each order as its platform’s webhook to that connection, a share with a SKU nobody mapped', async () => {
      platforms = await startStorefrontPlatforms({
        serviceUrl: api.url,
        adminKey: 'wb_admin',
        log: () => undefined,
        unmappedShare: 0.05,
      });
      api.received.length = 0;
      // The stores take turns; the roll decides whether the SKU is one nobody mapped.
      expect(await platforms.send({ sku: 'DEMO-MUG', quantity: 2 }, rolls(0.5))).toBe(true);
      expect(await platforms.send({ sku: 'DEMO-TEE', quantity: 1 }, rolls(0.5))).toBe(true);
      expect(await platforms.send({ sku: 'DEMO-CAP', quantity: 1 }, rolls(0.01))).toBe(true);
      const [shopify, woo, youzan] = api.received;
      expect(api.received.map((request) => request.path)).toEqual([
        '/v1/webhooks/channels/shopify-demo',
        '/v1/webhooks/channels/woo-demo',
        '/v1/webhooks/channels/youzan-demo',
      ]);
      expect(shopify.headers['x-shopify-topic']).toBe('orders/create');
      expect(JSON.parse(shopify.body)).toMatchObject({
        currency: 'EUR',
        line_items: [{ sku: 'SHOP-MUG', quantity: 2, price: '12.50' }],
      });
      expect(woo.headers['x-wc-webhook-topic']).toBe('order.created');
      expect(JSON.parse(woo.body)).toMatchObject({
        currency: 'USD',
        status: 'processing',
        line_items: [{ sku: 'woo-tee', quantity: 1 }],
        shipping: { country: 'US', state: 'TX' },
      });
      const trade = JSON.parse(
        decodeURIComponent((JSON.parse(youzan.body) as { msg: string }).msg.replace(/\+/g, ' ')),
      ) as { full_order_info: { orders: { outer_sku_id: string }[] } };
      expect(trade.full_order_info.orders.map((line) => line.outer_sku_id)).toEqual([
        platformSku('youzan', UNMAPPED_SKU),
      ]);
    });
  });
});
