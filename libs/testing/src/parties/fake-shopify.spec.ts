import { createHmac } from 'node:crypto';
import { FakeShopify, shopifyJson, shopifyOrder, shopifyRefund } from './fake-shopify';
import { recordingReceiver } from './storefront-webhook-sender';

describe('shopifyOrder', () => {
  it('writes 64-bit ids as bare JSON numbers, digits intact', () => {
    const order = shopifyOrder({ id: 5512345678901234567n });
    const json = shopifyJson(order);
    expect(json).toContain('"id":5512345678901234567,');
    expect(json).toContain('"admin_graphql_api_id":"gid://shopify/Order/5512345678901234567"');
    // A plain JSON.parse would round it: the receiver must not read ids that way.
    expect(String((JSON.parse(json) as { id: number }).id)).not.toBe('5512345678901234567');
  });

  it('adds the totals up exactly, in decimal strings', () => {
    const order = shopifyOrder({
      lines: [
        { sku: 'A', quantity: 3, price: '0.10' },
        { sku: 'B', quantity: 1, price: '19.99' },
      ],
      shipping: '4.90',
      tax: '1.01',
      discounts: '2.00',
    });
    expect(order).toMatchObject({
      total_line_items_price: '20.29',
      subtotal_price: '18.29',
      total_price: '24.20',
    });
  });
});

describe('FakeShopify', () => {
  let shopify: FakeShopify;

  beforeEach(async () => {
    shopify = await FakeShopify.start({ signingSecret: 'shop-secret', accessToken: 'shpat_test' });
  });

  afterEach(async () => {
    await shopify.stop();
  });

  async function graphql(query: string, variables: object = {}, token = 'shpat_test') {
    const response = await fetch(shopify.graphqlUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Shopify-Access-Token': token },
      body: JSON.stringify({ query, variables }),
    });
    return { status: response.status, json: (await response.json()) as unknown };
  }

  it('delivers with the real headers, signed over the raw body with its secret', async () => {
    const waybill = await recordingReceiver();
    try {
      const order = shopifyOrder();
      const [attempt] = await shopify.deliver('orders/create', order, { to: waybill.url });
      expect(attempt).toMatchObject({ status: 200, acknowledged: true, attempt: 1 });
      const [got] = waybill.received;
      expect(got?.body).toBe(shopifyJson(order));
      expect(got?.headers).toMatchObject({
        'content-type': 'application/json',
        'x-shopify-topic': 'orders/create',
        'x-shopify-shop-domain': 'waybill-test.myshopify.com',
        'x-shopify-api-version': '2025-07',
        'x-shopify-hmac-sha256': createHmac('sha256', 'shop-secret')
          .update(got?.body ?? '')
          .digest('base64'),
      });
      expect(got?.headers['x-shopify-webhook-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(Date.parse(String(got?.headers['x-shopify-triggered-at']))).toBeGreaterThan(Date.now() - 60_000);
    } finally {
      await waybill.close();
    }
  });

  it('retries a refused delivery with the same id and time, until acknowledged, and can duplicate', async () => {
    const waybill = await recordingReceiver([500, 302, 200]);
    try {
      const firedAt = new Date('2026-12-04T10:00:00Z');
      const attempts = await shopify.deliver(
        'orders/cancelled',
        shopifyOrder({ cancelledAt: firedAt.toISOString() }),
        {
          to: waybill.url,
          retryUntilAcknowledged: 5,
          duplicate: true,
          triggeredAt: firedAt,
        },
      );
      expect(attempts.map((attempt) => [attempt.status, attempt.acknowledged])).toEqual([
        [500, false],
        [302, false],
        [200, true],
        [200, true],
      ]);
      const ids = new Set(waybill.received.map((got) => got.headers['x-shopify-webhook-id']));
      expect(ids.size).toBe(1);
      expect(
        waybill.received.every((got) => got.headers['x-shopify-triggered-at'] === firedAt.toISOString()),
      ).toBe(true);
    } finally {
      await waybill.close();
    }
  });

  it('gives up after the retries it was allowed, and records no answer as status 0', async () => {
    const attempts = await shopify.deliver('refunds/create', shopifyRefund(shopifyOrder()), {
      to: 'http://127.0.0.1:1/closed',
      retryUntilAcknowledged: 2,
    });
    expect(attempts.map((attempt) => attempt.status)).toEqual([0, 0, 0]);
    expect(shopify.deliveries).toHaveLength(3);
  });

  it('checks the access token on the GraphQL Admin API', async () => {
    const refused = await graphql('query { orders(first: 1) { edges { cursor } } }', {}, 'wrong');
    expect(refused.status).toBe(401);
    const wrongPath = await fetch(`${shopify.baseUrl}/admin/api/2025-07/orders.json`, { method: 'POST' });
    expect(wrongPath.status).toBe(404);
  });

  it("answers the poller's orders query by updated_at, oldest first, in pages", async () => {
    for (const updatedAt of ['2026-12-04T09:00:00Z', '2026-12-04T11:00:00Z', '2026-12-04T10:00:00Z']) {
      shopify.saveOrder(shopifyOrder({ createdAt: updatedAt, updatedAt }));
    }
    const query =
      'query Orders($first:Int,$after:String,$query:String){ orders(first:$first, after:$after, query:$query, sortKey: UPDATED_AT) { edges { cursor node { id updatedAt } } pageInfo { hasNextPage endCursor } } }';
    const first = await graphql(query, { first: 1, query: "updated_at:>'2026-12-04T09:30:00Z'" });
    const page = (
      first.json as {
        data: {
          orders: {
            edges: { node: { updatedAt: string; legacyResourceId: string } }[];
            pageInfo: { hasNextPage: boolean; endCursor: string };
          };
        };
      }
    ).data.orders;
    expect(page.edges.map((edge) => edge.node.updatedAt)).toEqual(['2026-12-04T10:00:00Z']);
    expect(page.edges[0]?.node.legacyResourceId).toMatch(/^55\d{17}$/);
    expect(page.pageInfo.hasNextPage).toBe(true);
    const second = await graphql(query, {
      first: 5,
      after: page.pageInfo.endCursor,
      query: "updated_at:>'2026-12-04T09:30:00Z'",
    });
    const next = (
      second.json as {
        data: { orders: { edges: { node: { updatedAt: string } }[]; pageInfo: { hasNextPage: boolean } } };
      }
    ).data.orders;
    expect(next.edges.map((edge) => edge.node.updatedAt)).toEqual(['2026-12-04T11:00:00Z']);
    expect(next.pageInfo.hasNextPage).toBe(false);
  });

  it('creates a fulfilment with tracking, updates its tracking, and records both', async () => {
    const order = shopifyOrder();
    shopify.saveOrder(order);
    const lookup = await graphql(
      'query($id: ID!) { order(id: $id) { fulfillmentOrders(first: 5) { nodes { id status } } } }',
      {
        id: order.admin_graphql_api_id,
      },
    );
    const fulfillmentOrder = (
      lookup.json as { data: { order: { fulfillmentOrders: { nodes: { id: string; status: string }[] } } } }
    ).data.order.fulfillmentOrders.nodes[0];
    expect(fulfillmentOrder).toEqual({
      id: shopify.fulfillmentOrderIdOf(order),
      status: 'OPEN',
      lineItems: expect.anything() as unknown,
    });
    const create =
      'mutation($fulfillment: FulfillmentInput!) { fulfillmentCreate(fulfillment: $fulfillment) { fulfillment { id status } userErrors { field message } } }';
    const created = await graphql(create, {
      fulfillment: {
        lineItemsByFulfillmentOrder: [{ fulfillmentOrderId: fulfillmentOrder?.id }],
        trackingInfo: { company: 'DHL Express', number: 'JD0001', url: 'https://track.example/JD0001' },
        notifyCustomer: true,
      },
    });
    const result = (
      created.json as { data: { fulfillmentCreate: { fulfillment: { id: string }; userErrors: unknown[] } } }
    ).data.fulfillmentCreate;
    expect(result.userErrors).toEqual([]);
    const again = await graphql(create, {
      fulfillment: { lineItemsByFulfillmentOrder: [{ fulfillmentOrderId: fulfillmentOrder?.id }] },
    });
    expect(
      (again.json as { data: { fulfillmentCreate: { userErrors: unknown[] } } }).data.fulfillmentCreate
        .userErrors,
    ).toHaveLength(1);
    const update = await graphql(
      'mutation($fulfillmentId: ID!, $trackingInfoInput: FulfillmentTrackingInput!) { fulfillmentTrackingInfoUpdate(fulfillmentId: $fulfillmentId, trackingInfoInput: $trackingInfoInput) { fulfillment { id trackingInfo { number } } userErrors { message } } }',
      {
        fulfillmentId: result.fulfillment.id,
        trackingInfoInput: { company: 'DHL Express', number: 'JD0002' },
      },
    );
    expect(
      (update.json as { data: { fulfillmentTrackingInfoUpdate: { userErrors: unknown[] } } }).data
        .fulfillmentTrackingInfoUpdate.userErrors,
    ).toEqual([]);
    expect(shopify.fulfillmentsOf(order)).toEqual([
      {
        id: result.fulfillment.id,
        orderId: order.admin_graphql_api_id,
        fulfillmentOrderId: fulfillmentOrder?.id,
        notifyCustomer: true,
        tracking: [
          { company: 'DHL Express', number: 'JD0001', url: 'https://track.example/JD0001' },
          { company: 'DHL Express', number: 'JD0002' },
        ],
      },
    ]);
  });

  it('answers an unknown fulfillment order with userErrors, and an outage with 503', async () => {
    const unknown = await graphql(
      'mutation($f: FulfillmentInput!) { fulfillmentCreate(fulfillment: $f) { userErrors { message } } }',
      {
        fulfillment: {
          lineItemsByFulfillmentOrder: [{ fulfillmentOrderId: 'gid://shopify/FulfillmentOrder/1' }],
        },
      },
    );
    expect(unknown.status).toBe(200);
    expect(JSON.stringify(unknown.json)).toContain('Fulfillment order does not exist.');
    shopify.failNext = 1;
    expect((await graphql('query { orders(first: 1) { edges { cursor } } }')).status).toBe(503);
    expect((await graphql('query { orders(first: 1) { edges { cursor } } }')).status).toBe(200);
  });
});
