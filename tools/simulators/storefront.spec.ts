import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitFor } from '@waybill/testing/wait-for';
import { SOLD_OUT_SKU, STOCKED_SKUS } from './demo-catalogue';
import {
  APPROVED_CARD,
  customerOrder,
  customerPayment,
  DECLINED_CARD,
  orderBody,
  showNextAction,
  startStorefront,
} from './storefront';

/** A `Math.random` stand-in that returns `values` in turn. */
const rolls =
  (...values: number[]) =>
  (): number =>
    values.shift() ?? 0.5;

describe('simulated storefront customers', () => {
  const shares = { declined: 0.1, soldOut: 0.05 };

  it('a share buys the sold-out SKU, a share pays with a card Stripe declines, the rest buy and pay', () => {
    expect(customerOrder(rolls(0.01), shares)).toEqual({
      sku: SOLD_OUT_SKU,
      quantity: 1,
      paymentMethod: APPROVED_CARD,
    });
    expect(customerOrder(rolls(0.1, 0, 0.9), shares)).toEqual({
      sku: STOCKED_SKUS[0],
      quantity: 2,
      paymentMethod: DECLINED_CARD,
    });
    expect(customerOrder(rolls(0.5, 0.99, 0.1), shares)).toEqual({
      sku: STOCKED_SKUS.at(-1),
      quantity: 1,
      paymentMethod: APPROVED_CARD,
    });
  });

  it('over many customers the shares come out near what was asked', () => {
    const choices = Array.from({ length: 20_000 }, () => customerOrder(Math.random, shares));
    const share = (test: (choice: (typeof choices)[number]) => boolean): number =>
      choices.filter(test).length / choices.length;
    expect(share((choice) => choice.sku === SOLD_OUT_SKU)).toBeCloseTo(0.05, 1);
    expect(share((choice) => choice.paymentMethod === DECLINED_CARD)).toBeCloseTo(0.1, 1);
  });

  it('orders as the storefront API wants them, paid through Stripe, shipped to the US (EasyPost)', () => {
    const body = orderBody({ sku: 'DEMO-MUG', quantity: 2, paymentMethod: APPROVED_CARD });
    expect(body).toMatchObject({
      lines: [{ sku: 'DEMO-MUG', quantity: 2, unitPrice: 1250 }],
      payment: { provider: 'stripe', token: APPROVED_CARD },
      shippingAddress: { country: 'US' },
    });
  });
});

describe('how the simulated storefront’s customers pay', () => {
  const gateways = ['alipay', 'wechatpay', 'unionpay'];

  it('gives each gateway its share of the orders, in CNY, and the rest to Stripe in USD', () => {
    expect(customerPayment(() => 0.05, gateways, 0.15)).toEqual({ provider: 'alipay', currency: 'CNY' });
    expect(customerPayment(() => 0.2, gateways, 0.15)).toEqual({ provider: 'wechatpay', currency: 'CNY' });
    expect(customerPayment(() => 0.44, gateways, 0.15)).toEqual({ provider: 'unionpay', currency: 'CNY' });
    expect(customerPayment(() => 0.46, gateways, 0.15)).toEqual({ provider: 'stripe', currency: 'USD' });
    expect(customerPayment(() => 0.01, [], 0.15)).toEqual({ provider: 'stripe', currency: 'USD' });
  });

  it('a gateway order carries no card token', () => {
    const body = orderBody(
      customerOrder(() => 0.5),
      { provider: 'wechatpay', currency: 'CNY' },
    );
    expect(body).toMatchObject({
      currency: 'CNY',
      payment: { provider: 'wechatpay', token: 'buyer-pays-at-gateway' },
    });
  });
});

/**
 * A tiny order API and gateway page on node:http: `POST /v1/orders` answers 201 with a new id,
 * `GET /v1/orders/:id` answers what `orderSeen` says for that read, and `/pay/:id` is the gateway's
 * payment page. Every request is recorded.
 */
async function orderApi(orderSeen: (id: string, read: number, baseUrl: string) => unknown): Promise<{
  readonly orderUrl: string;
  readonly requests: { method: string; path: string; authorization?: string; body: string }[];
  close(): Promise<void>;
}> {
  const requests: { method: string; path: string; authorization?: string; body: string }[] = [];
  const reads = new Map<string, number>();
  let baseUrl = '';
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const path = request.url ?? '/';
      requests.push({
        method: request.method ?? '',
        path,
        authorization: request.headers.authorization,
        body,
      });
      const json = (status: number, value: unknown) =>
        response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
      const read = /^\/v1\/orders\/([\w-]+)$/.exec(path);
      if (request.method === 'POST' && path === '/v1/orders') {
        return json(201, { id: randomUUID(), status: 'PENDING' });
      }
      if (request.method === 'GET' && read) {
        const count = (reads.get(read[1]) ?? 0) + 1;
        reads.set(read[1], count);
        return json(200, orderSeen(read[1], count, baseUrl));
      }
      if (request.method === 'GET' && path.startsWith('/pay/')) {
        return response.writeHead(200, { 'content-type': 'text/html' }).end('<p>pay here</p>');
      }
      return json(404, { code: 'NOT_FOUND' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    orderUrl: `${baseUrl}/v1/orders`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const awaitingPayment = (nextAction: Record<string, unknown>) => ({
  status: 'AWAITING_PAYMENT',
  payment: { provider: 'unionpay', nextAction: { ...nextAction, expiresAt: '2030-01-01T00:00:00Z' } },
});

describe('a gateway order’s checkout page (showNextAction)', () => {
  const apiKey = 'wb_demo_sf_test';
  let api: Awaited<ReturnType<typeof orderApi>> | undefined;
  afterEach(async () => api?.close());

  function show(orderId: string, waitMs = 10_000, log: (line: string) => void = () => undefined) {
    return showNextAction({
      orderUrl: api!.orderUrl,
      apiKey,
      orderId,
      waitMs,
      signal: new AbortController().signal,
      log,
    });
  }

  it('reads the order with its key until the next action appears, and opens a redirect as the browser would', async () => {
    api = await orderApi((id, read, baseUrl) =>
      read === 1
        ? { status: 'RESERVED', payment: { provider: 'unionpay' } }
        : awaitingPayment({ type: 'redirect', url: `${baseUrl}/pay/${id}` }),
    );
    expect(await show('order-1')).toBe('redirect');
    expect(api.requests.map(({ method, path, authorization }) => [method, path, authorization])).toEqual([
      ['GET', '/v1/orders/order-1', `Bearer ${apiKey}`],
      ['GET', '/v1/orders/order-1', `Bearer ${apiKey}`],
      ['GET', '/pay/order-1', undefined],
    ]);
  });

  it('shows a QR code and opens nothing: the buyer scans it', async () => {
    api = await orderApi(() => awaitingPayment({ type: 'qr_code', qrCode: 'weixin://wxpay/bizpayurl?pr=x' }));
    expect(await show('order-2')).toBe('qr_code');
    expect(api.requests.map(({ path }) => path)).toEqual(['/v1/orders/order-2']);
  });

  it('stops reading an order that went on without the buyer (rejected for stock)', async () => {
    api = await orderApi(() => ({ status: 'REJECTED', payment: { provider: 'alipay' } }));
    expect(await show('order-3')).toBe('moved-on');
    expect(api.requests).toHaveLength(1);
  });

  it('gives up, and says so, when no next action comes within the wait', async () => {
    api = await orderApi(() => ({ status: 'RESERVED', payment: { provider: 'alipay' } }));
    const lines: string[] = [];
    expect(await show('order-4', 1000, (line) => lines.push(line))).toBe('gave-up');
    // Reads after 250, 750 ms; the next pause (1 s) would end past the wait.
    expect(api.requests).toHaveLength(2);
    expect(lines).toEqual([
      'order order-4: no next action shown to the buyer within 1000 ms (last: RESERVED, no next action)',
    ]);
  });
});

describe('the simulated storefront with gateway buyers', () => {
  let api: Awaited<ReturnType<typeof orderApi>> | undefined;
  afterEach(async () => api?.close());

  it('reads back each gateway order it placed and opens its payment page, once', async () => {
    api = await orderApi((id, _read, baseUrl) =>
      awaitingPayment({ type: 'redirect', url: `${baseUrl}/pay/${id}` }),
    );
    const storefront = startStorefront({
      orderUrl: api.orderUrl,
      apiKey: 'wb_demo_sf_test',
      rate: 20,
      log: () => undefined,
      gateways: ['unionpay'],
      gatewayShare: 1,
    });
    await waitFor(() => api!.requests.filter((request) => request.path.startsWith('/pay/')).length >= 3, {
      timeoutMs: 5000,
      intervalMs: 50,
      description: 'three payment pages opened',
    });
    await storefront.stop();
    const placed = api.requests.filter((request) => request.method === 'POST');
    expect(placed.map((request) => JSON.parse(request.body) as Record<string, unknown>)).toEqual(
      placed.map(() =>
        expect.objectContaining({
          currency: 'CNY',
          payment: { provider: 'unionpay', token: 'buyer-pays-at-gateway' },
        }),
      ),
    );
    const opened = api.requests.filter((request) => request.path.startsWith('/pay/')).map(({ path }) => path);
    const read = new Set(
      api.requests.filter((request) => request.path.startsWith('/v1/orders/')).map(({ path }) => path),
    );
    expect(new Set(opened).size).toBe(opened.length);
    expect(opened.filter((page) => !read.has(page.replace('/pay/', '/v1/orders/')))).toEqual([]);
    expect(read.size).toBeLessThanOrEqual(storefront.accepted());
  });

  it('places card orders without reading them back', async () => {
    api = await orderApi(() => ({ status: 'CONFIRMED' }));
    const storefront = startStorefront({
      orderUrl: api.orderUrl,
      apiKey: 'wb_demo_sf_test',
      rate: 20,
      log: () => undefined,
      gateways: [],
    });
    await waitFor(() => storefront.accepted() >= 3, {
      timeoutMs: 5000,
      intervalMs: 50,
      description: 'orders',
    });
    await storefront.stop();
    expect(api.requests.filter((request) => request.method !== 'POST')).toEqual([]);
  });

  it('hands one order in `every` to the platforms instead of POST /v1/orders, the first among them', async () => {
    api = await orderApi(() => ({ status: 'PENDING' }));
    const sent: { sku: string; quantity: number }[] = [];
    const storefront = startStorefront({
      orderUrl: api.orderUrl,
      apiKey: 'wb_demo_sf_test',
      rate: 40,
      log: () => undefined,
      gateways: [],
      platforms: {
        every: 3,
        send: async (choice) => {
          sent.push(choice);
          return true;
        },
      },
    });
    await waitFor(() => sent.length >= 3, {
      timeoutMs: 5000,
      intervalMs: 50,
      description: 'platform orders',
    });
    await storefront.stop();
    // Orders 0, 3, 6, … went to the platforms: two POSTs per platform order, give or take the last.
    const posted = api.requests.filter((request) => request.method === 'POST').length;
    expect(posted).toBe(storefront.accepted());
    expect(posted - 2 * sent.length).toBeGreaterThanOrEqual(-2);
    expect(posted - 2 * sent.length).toBeLessThanOrEqual(0);
    expect(sent.every((choice) => STOCKED_SKUS.includes(choice.sku) || choice.sku === SOLD_OUT_SKU)).toBe(
      true,
    );
  });

  it('stop() ends the checkout pages still waiting for a next action, without giving up on them', async () => {
    api = await orderApi(() => ({ status: 'RESERVED', payment: { provider: 'alipay' } }));
    const lines: string[] = [];
    const storefront = startStorefront({
      orderUrl: api.orderUrl,
      apiKey: 'wb_demo_sf_test',
      rate: 20,
      log: (line) => lines.push(line),
      gateways: ['alipay'],
      gatewayShare: 1,
      nextActionWaitMs: 60_000,
    });
    await waitFor(() => api!.requests.some((request) => request.method === 'GET'), {
      timeoutMs: 5000,
      intervalMs: 50,
      description: 'an order read back',
    });
    // Were the pages not ended, stop() would wait out their 60 s and the test its 5 s.
    await storefront.stop();
    expect(lines.filter((line) => line.includes('no next action'))).toEqual([]);
    expect(lines.at(-1)).toBe(
      `storefront: ${storefront.accepted()} orders accepted; gateway checkouts: {"stopped":${storefront.accepted()}}`,
    );
  });
});
