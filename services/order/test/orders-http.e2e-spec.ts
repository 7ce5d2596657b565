import { IdempotencyKeyPurge, requestFingerprint } from '@waybill/eventing';
import { count, http, orderBody, OrderTestEnv, startOrderService, STOREFRONT_A } from './support';
import type { Json } from './support';

const PLACED = 'waybill.order.placed.v1';

describe('order service HTTP API', () => {
  let env: OrderTestEnv;

  beforeAll(async () => {
    env = await startOrderService();
  });

  afterAll(async () => {
    await env?.stop();
  });

  const ordersWith = (storefrontOrderId: string) =>
    count(env.db, `SELECT 1 FROM orders WHERE storefront_order_id = $1`, [storefrontOrderId]);
  const placedRowsFor = (storefrontOrderId: string) =>
    count(
      env.db,
      `SELECT 1 FROM outbox WHERE event_type = $1 AND payload::jsonb->>'storefrontOrderId' = $2`,
      [PLACED, storefrontOrderId],
    );

  it('places an order: 201 with the order, and order.placed carries the payment method reference', async () => {
    const body = orderBody({ totalAmount: 5390 });
    const answer = await http(env, 'POST', '/v1/orders', { key: env.keys.a, body });

    expect(answer.status).toBe(201);
    const order = answer.body;
    expect(order).toMatchObject({
      storefrontId: STOREFRONT_A,
      storefrontOrderId: body.storefrontOrderId,
      status: 'PENDING',
      currency: 'EUR',
      totals: { subtotal: 2 * 1250 + 2400, total: 5390 },
      lines: body.lines,
      customer: body.customer,
      shippingAddress: body.shippingAddress,
      payment: { provider: 'stripe' },
      links: { self: `/v1/orders/${order.id}`, cancel: `/v1/orders/${order.id}/cancel` },
    });
    expect(answer.headers.get('location')).toBe(`/v1/orders/${order.id}`);
    expect(answer.headers.get('idempotent-replayed')).toBeNull();
    expect(Number.isNaN(Date.parse(order.createdAt))).toBe(false);
    // The token is the provider's payment-method reference: it never comes back to a caller.
    expect(answer.text).not.toContain(body.payment.token);

    const placed = await env.probe.waitForEvent<Json>(PLACED, (data) => data.orderId === order.id);
    expect(placed.key).toBe(order.id);
    expect(placed.subject).toBe(order.id);
    expect(placed.source).toBe('/waybill/order');
    expect(placed.data).toMatchObject({
      orderId: order.id,
      storefrontId: STOREFRONT_A,
      storefrontOrderId: body.storefrontOrderId,
      totalAmount: 5390,
      currency: 'EUR',
      lines: body.lines,
      payment: { provider: 'stripe', paymentMethodRef: body.payment.token },
    });
    // Only as paymentMethodRef: no `token` field anywhere in the published value.
    const value = JSON.stringify(placed.data);
    expect(value).not.toMatch(/"token"/);
    expect(value.split(body.payment.token).length - 1).toBe(1);
    // Nor is it kept in the order row.
    const rows: unknown[] = await env.db.query(`SELECT * FROM orders WHERE id = $1`, [order.id]);
    expect(JSON.stringify(rows)).not.toContain(body.payment.token);

    // The timeline starts with PENDING, caused (announced) by that very order.placed event.
    expect(order.timeline).toEqual([
      { status: 'PENDING', event: { id: placed.id, type: PLACED }, at: expect.any(String) },
    ]);
    const read = await http(env, 'GET', `/v1/orders/${order.id}`, { key: env.keys.a });
    expect(read.status).toBe(200);
    expect(read.body).toEqual(order);
  });

  it('without totalAmount the total is the sum of the lines', async () => {
    const answer = await http(env, 'POST', '/v1/orders', {
      key: env.keys.a,
      body: orderBody({ lines: [{ sku: 'MUG-BLUE-350', quantity: 3, unitPrice: 999 }] }),
    });
    expect(answer.status).toBe(201);
    expect(answer.body.totals).toEqual({ subtotal: 2997, total: 2997 });
  });

  describe('each invalid body gets a 4xx naming the field and changes nothing', () => {
    const valid = orderBody();
    const line = valid.lines[0];
    const without = (field: string) => {
      const body = orderBody();
      delete body[field];
      return body;
    };
    const cases: [string, number, string, Record<string, Json>][] = [
      ['missing customer', 400, 'customer', without('customer')],
      ['missing storefrontOrderId', 400, 'storefrontOrderId', without('storefrontOrderId')],
      ['missing payment', 400, 'payment', without('payment')],
      ['unknown top-level field', 400, 'discountCode', orderBody({ discountCode: 'FREE' })],
      ['unknown nested field', 400, 'lines[0].colour', orderBody({ lines: [{ ...line, colour: 'blue' }] })],
      [
        'storefrontId in the body (it comes from the key)',
        400,
        'storefrontId',
        orderBody({ storefrontId: 'shop-b' }),
      ],
      ['no lines', 400, 'lines', orderBody({ lines: [] })],
      ['101 lines', 400, 'lines', orderBody({ lines: Array.from({ length: 101 }, () => line) })],
      ['quantity 0', 400, 'lines[0].quantity', orderBody({ lines: [{ ...line, quantity: 0 }] })],
      ['quantity 1.5', 400, 'lines[0].quantity', orderBody({ lines: [{ ...line, quantity: 1.5 }] })],
      ['quantity as a string', 400, 'lines[0].quantity', orderBody({ lines: [{ ...line, quantity: '2' }] })],
      ['negative unit price', 400, 'lines[0].unitPrice', orderBody({ lines: [{ ...line, unitPrice: -1 }] })],
      [
        'fractional unit price',
        400,
        'lines[0].unitPrice',
        orderBody({ lines: [{ ...line, unitPrice: 12.5 }] }),
      ],
      ['bad currency', 400, 'currency', orderBody({ currency: 'EURO' })],
      ['unknown currency', 400, 'currency', orderBody({ currency: 'ZZZ' })],
      [
        'lower-case country',
        400,
        'shippingAddress.country',
        orderBody({ shippingAddress: { ...valid.shippingAddress, country: 'de' } }),
      ],
      [
        'unknown country',
        400,
        'shippingAddress.country',
        orderBody({ shippingAddress: { ...valid.shippingAddress, country: 'XX' } }),
      ],
      ['bad email', 400, 'customer.email', orderBody({ customer: { id: 'c1', email: 'not-an-email' } })],
      ['negative totalAmount', 400, 'totalAmount', orderBody({ totalAmount: -5 })],
      ['totalAmount beyond the safe range', 400, 'totalAmount', orderBody({ totalAmount: 2 ** 53 })],
      [
        'a line total that overflows',
        422,
        'lines[0]',
        orderBody({ lines: [{ ...line, quantity: 2, unitPrice: Number.MAX_SAFE_INTEGER }] }),
      ],
      [
        'line totals that overflow together',
        422,
        'lines',
        orderBody({
          lines: [
            { ...line, quantity: 1, unitPrice: Number.MAX_SAFE_INTEGER },
            { ...line, quantity: 1, unitPrice: 1 },
          ],
        }),
      ],
      [
        'a payment token too long to pass on',
        422,
        'payment.token',
        orderBody({ payment: { provider: 'stripe', token: 'pm_' + 'x'.repeat(300) } }),
      ],
      [
        'prepaid from a storefront not paid on its platform',
        422,
        'payment.provider',
        orderBody({ payment: { provider: 'prepaid', token: 'shopify:5512345678901234567' } }),
      ],
    ];

    let outboxBefore: number;
    beforeAll(async () => {
      outboxBefore = await count(env.db, `SELECT 1 FROM outbox`);
    });

    it.each(cases)('%s → %d naming %s', async (_name, status, field, body) => {
      const answer = await http(env, 'POST', '/v1/orders', {
        key: env.keys.a,
        body,
        headers: { 'Idempotency-Key': `invalid-${body.storefrontOrderId ?? 'none'}` },
      });
      expect(answer.status).toBe(status);
      const fields = (answer.body.details?.fields ?? []).map((f: { field: string }) => f.field);
      expect(fields).toContain(field);
      expect(answer.body.message).toContain(field);
      if (body.storefrontOrderId) {
        expect(await ordersWith(body.storefrontOrderId)).toBe(0);
      }
    });

    it('…and none of them left an order, an outbox row or an idempotency key', async () => {
      expect(await count(env.db, `SELECT 1 FROM outbox`)).toBe(outboxBefore);
      expect(
        await count(env.db, `SELECT 1 FROM idempotency_keys WHERE idempotency_key LIKE 'invalid-%'`),
      ).toBe(0);
    });

    it('malformed JSON is a 400 too', async () => {
      const answer = await http(env, 'POST', '/v1/orders', {
        key: env.keys.a,
        rawBody: '{"storefrontOrderId": ',
      });
      expect(answer.status).toBe(400);
    });
  });

  it('rejects a malformed Idempotency-Key with 400 and stores nothing', async () => {
    const body = orderBody();
    for (const key of ['x'.repeat(256), 'tab\there']) {
      const answer = await http(env, 'POST', '/v1/orders', {
        key: env.keys.a,
        body,
        headers: { 'Idempotency-Key': key },
      });
      expect(answer.status).toBe(400);
      expect(answer.body.code).toBe('IDEMPOTENCY.INVALID_KEY');
      expect(answer.body.details.fields[0].field).toBe('Idempotency-Key');
    }
    expect(await ordersWith(body.storefrontOrderId)).toBe(0);
  });

  it('one POST sent 20 times in parallel with one Idempotency-Key places one order; the rest replay or wait', async () => {
    const body = orderBody();
    const key = `parallel-${body.storefrontOrderId}`;
    const answers = await Promise.all(
      Array.from({ length: 20 }, () =>
        http(env, 'POST', '/v1/orders', { key: env.keys.a, body, headers: { 'Idempotency-Key': key } }),
      ),
    );

    expect(await ordersWith(body.storefrontOrderId)).toBe(1);
    expect(await placedRowsFor(body.storefrontOrderId)).toBe(1);

    const created = answers.filter((a) => a.status === 201);
    const waiting = answers.filter((a) => a.status === 409);
    expect(created.length + waiting.length).toBe(20);
    expect(created.length).toBeGreaterThanOrEqual(1);
    for (const answer of waiting) {
      expect(answer.body.code).toBe('IDEMPOTENCY.REQUEST_IN_PROGRESS');
    }
    const first = created.filter((a) => a.headers.get('idempotent-replayed') === null);
    expect(first).toHaveLength(1);
    for (const replay of created) {
      expect(replay.body).toEqual(first[0].body);
    }

    // Afterwards every retry is the replay of that first answer: same status, same body.
    const retry = await http(env, 'POST', '/v1/orders', {
      key: env.keys.a,
      body,
      headers: { 'Idempotency-Key': key },
    });
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.body).toEqual(first[0].body);
    // Key order in the JSON does not make it another request.
    const reordered = Object.fromEntries(Object.entries(body).reverse());
    const again = await http(env, 'POST', '/v1/orders', {
      key: env.keys.a,
      body: reordered,
      headers: { 'Idempotency-Key': key },
    });
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(first[0].body.id);

    await env.probe.waitForEvent<Json>(PLACED, (data) => data.orderId === first[0].body.id);
  });

  it('the same key with a different body is a 422 and places nothing', async () => {
    const body = orderBody();
    const key = `reuse-${body.storefrontOrderId}`;
    const first = await http(env, 'POST', '/v1/orders', {
      key: env.keys.a,
      body,
      headers: { 'Idempotency-Key': key },
    });
    expect(first.status).toBe(201);
    const other = orderBody();
    const reused = await http(env, 'POST', '/v1/orders', {
      key: env.keys.a,
      body: other,
      headers: { 'Idempotency-Key': key },
    });
    expect(reused.status).toBe(422);
    expect(reused.body.code).toBe('IDEMPOTENCY.KEY_REUSED');
    expect(await ordersWith(other.storefrontOrderId)).toBe(0);
  });

  it('keys belong to the caller: another storefront using the same key is not replayed', async () => {
    const key = `shared-${Date.now()}`;
    const a = await http(env, 'POST', '/v1/orders', {
      key: env.keys.a,
      body: orderBody(),
      headers: { 'Idempotency-Key': key },
    });
    const b = await http(env, 'POST', '/v1/orders', {
      key: env.keys.b,
      body: orderBody(),
      headers: { 'Idempotency-Key': key },
    });
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(b.headers.get('idempotent-replayed')).toBeNull();
    expect(b.body.id).not.toBe(a.body.id);
    expect(b.body.storefrontId).toBe('shop-b');
  });

  it('a key still in flight answers 409; one abandoned by a crashed request is taken over by the retry', async () => {
    const body = orderBody();
    const hash = requestFingerprint(body);
    const insertKey = (key: string, lockedAgo: string) =>
      env.db.query(
        `INSERT INTO idempotency_keys (principal, idempotency_key, request_hash, state, lock_token, locked_at, expires_at)
         VALUES ($1, $2, $3, 'in_flight', gen_random_uuid(), now() - $4::interval, now() + interval '1 day')`,
        [`storefront/${STOREFRONT_A}`, key, hash, lockedAgo],
      );

    await insertKey(`busy-${body.storefrontOrderId}`, '1 second');
    const busy = await http(env, 'POST', '/v1/orders', {
      key: env.keys.a,
      body,
      headers: { 'Idempotency-Key': `busy-${body.storefrontOrderId}` },
    });
    expect(busy.status).toBe(409);
    expect(busy.body.code).toBe('IDEMPOTENCY.REQUEST_IN_PROGRESS');
    expect(await ordersWith(body.storefrontOrderId)).toBe(0);

    await insertKey(`crashed-${body.storefrontOrderId}`, '5 minutes');
    const retried = await http(env, 'POST', '/v1/orders', {
      key: env.keys.a,
      body,
      headers: { 'Idempotency-Key': `crashed-${body.storefrontOrderId}` },
    });
    expect(retried.status).toBe(201);
    expect(retried.headers.get('idempotent-replayed')).toBeNull();
    expect(await ordersWith(body.storefrontOrderId)).toBe(1);
  });

  it('an expired key is free again, and the purge deletes expired keys', async () => {
    const key = `expired-${Date.now()}`;
    await env.db.query(
      `INSERT INTO idempotency_keys (principal, idempotency_key, request_hash, state, lock_token, response_status,
                                     response_body, created_at, expires_at)
       VALUES ($1, $2, $3, 'completed', gen_random_uuid(), 201, '{}', now() - interval '25 hours', now() - interval '1 hour')`,
      [`storefront/${STOREFRONT_A}`, key, 'f'.repeat(64)],
    );
    const body = orderBody();
    const answer = await http(env, 'POST', '/v1/orders', {
      key: env.keys.a,
      body,
      headers: { 'Idempotency-Key': key },
    });
    expect(answer.status).toBe(201);
    expect(answer.headers.get('idempotent-replayed')).toBeNull();

    const stale = `stale-${Date.now()}`;
    await env.db.query(
      `INSERT INTO idempotency_keys (principal, idempotency_key, request_hash, state, lock_token, expires_at)
       VALUES ($1, $2, $3, 'completed', gen_random_uuid(), now() - interval '1 second')`,
      [`storefront/${STOREFRONT_A}`, stale, 'f'.repeat(64)],
    );
    expect(await env.service.app.get(IdempotencyKeyPurge).purge()).toBeGreaterThanOrEqual(1);
    expect(await count(env.db, `SELECT 1 FROM idempotency_keys WHERE idempotency_key = $1`, [stale])).toBe(0);
    // The live key just used is kept.
    expect(await count(env.db, `SELECT 1 FROM idempotency_keys WHERE idempotency_key = $1`, [key])).toBe(1);
  });

  it('a repeated storefront order id is a 409 naming the existing order, and places nothing', async () => {
    const body = orderBody();
    const first = await http(env, 'POST', '/v1/orders', { key: env.keys.a, body });
    expect(first.status).toBe(201);
    const again = await http(env, 'POST', '/v1/orders', {
      key: env.keys.a,
      body: { ...body, payment: { provider: 'stripe', token: 'pm_other' } },
    });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({
      code: 'ORDER.DUPLICATE_STOREFRONT_ORDER_ID',
      details: { orderId: first.body.id, links: { self: `/v1/orders/${first.body.id}` } },
    });
    expect(await ordersWith(body.storefrontOrderId)).toBe(1);
    expect(await placedRowsFor(body.storefrontOrderId)).toBe(1);
    // Unique per storefront, not globally.
    const otherShop = await http(env, 'POST', '/v1/orders', { key: env.keys.b, body });
    expect(otherShop.status).toBe(201);
  });

  it('racing duplicates of one storefront order id (without keys) place exactly one order', async () => {
    const body = orderBody();
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => http(env, 'POST', '/v1/orders', { key: env.keys.a, body })),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([201, ...Array(9).fill(409)]);
    expect(await ordersWith(body.storefrontOrderId)).toBe(1);
    expect(await placedRowsFor(body.storefrontOrderId)).toBe(1);
  });

  it('a storefront sees only its own orders; an operator sees all', async () => {
    const body = orderBody();
    const placed = await http(env, 'POST', '/v1/orders', { key: env.keys.a, body });
    const id = placed.body.id;

    const byB = await http(env, 'GET', `/v1/orders/${id}`, { key: env.keys.b });
    const unknown = await http(env, 'GET', `/v1/orders/00000000-0000-4000-8000-000000000000`, {
      key: env.keys.b,
    });
    const notAnId = await http(env, 'GET', `/v1/orders/not-a-uuid`, { key: env.keys.b });
    expect(byB.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect(notAnId.status).toBe(404);
    expect(byB.body.code).toBe(unknown.body.code);

    expect((await http(env, 'GET', `/v1/orders/${id}`, { key: env.keys.admin })).body.id).toBe(id);
    expect((await http(env, 'GET', `/v1/orders/${id}`, { key: env.keys.reader })).status).toBe(200);

    const q = `/v1/orders?storefrontOrderId=${encodeURIComponent(body.storefrontOrderId)}`;
    expect((await http(env, 'GET', q, { key: env.keys.a })).body.items.map((o: Json) => o.id)).toEqual([id]);
    expect((await http(env, 'GET', q, { key: env.keys.b })).body).toEqual({ items: [] });
    expect((await http(env, 'GET', q, { key: env.keys.admin })).body.items.map((o: Json) => o.id)).toEqual([
      id,
    ]);
    expect((await http(env, 'GET', `/v1/orders`, { key: env.keys.a })).status).toBe(400);

    // B can neither cancel it.
    expect((await http(env, 'POST', `/v1/orders/${id}/cancel`, { key: env.keys.b })).status).toBe(404);
  });

  it('only storefronts with orders:write place orders', async () => {
    const admin = await http(env, 'POST', '/v1/orders', { key: env.keys.admin, body: orderBody() });
    expect(admin.status).toBe(403);
    expect(admin.body.code).toBe('ORDER.STOREFRONT_ONLY');
    const readOnly = await http(env, 'POST', '/v1/orders', { key: env.keys.reader, body: orderBody() });
    expect(readOnly.status).toBe(403);
    expect(readOnly.body.code).toBe('AUTH.MISSING_SCOPE');
    const anonymous = await http(env, 'POST', '/v1/orders', { body: orderBody() });
    expect(anonymous.status).toBe(401);
  });

  it('cancelling a PENDING order: CANCELLED, order.cancelled, and a second cancel changes nothing', async () => {
    const placed = await http(env, 'POST', '/v1/orders', { key: env.keys.a, body: orderBody() });
    const id = placed.body.id;
    const cancelled = await http(env, 'POST', `/v1/orders/${id}/cancel`, { key: env.keys.a });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('CANCELLED');
    expect(cancelled.body.statusReason).toBe('ORDER.CUSTOMER_REQUEST');

    const event = await env.probe.waitForEvent<Json>(
      'waybill.order.cancelled.v1',
      (data) => data.orderId === id,
    );
    expect(event.data).toEqual({
      orderId: id,
      reason: 'ORDER.CUSTOMER_REQUEST',
      cancelledAt: expect.any(String),
    });
    expect(event.key).toBe(id);
    expect(cancelled.body.timeline.map((t: Json) => [t.status, t.event.type, t.reason])).toEqual([
      ['PENDING', PLACED, undefined],
      ['CANCELLED', 'waybill.order.cancelled.v1', 'ORDER.CUSTOMER_REQUEST'],
    ]);
    expect(cancelled.body.timeline[1].event.id).toBe(event.id);

    const again = await http(env, 'POST', `/v1/orders/${id}/cancel`, { key: env.keys.a });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(cancelled.body);
    expect(
      await count(
        env.db,
        `SELECT 1 FROM outbox WHERE event_type = 'waybill.order.cancelled.v1' AND message_key = $1`,
        [id],
      ),
    ).toBe(1);
  });
});
