import { randomUUID } from 'node:crypto';
import { CloudEvent, exampleData } from '@waybill/contracts';
import { waitFor } from '@waybill/testing';
import {
  applied,
  count,
  http,
  orderBody,
  OrderTestEnv,
  startOrderService,
  STOREFRONT_A,
  STOREFRONT_B,
} from './support';
import type { Json } from './support';

const T = {
  placed: 'waybill.order.placed.v1',
  confirmed: 'waybill.order.confirmed.v1',
  rejected: 'waybill.order.rejected.v1',
  cancelled: 'waybill.order.cancelled.v1',
  shipped: 'waybill.order.shipped.v1',
  completed: 'waybill.order.completed.v1',
  reserved: 'waybill.inventory.stock-reserved.v1',
  stockRejected: 'waybill.inventory.stock-rejected.v1',
  released: 'waybill.inventory.stock-released.v1',
  authorized: 'waybill.payment.authorized.v1',
  paymentFailed: 'waybill.payment.failed.v1',
  shipmentCreated: 'waybill.shipment.created.v1',
  shipmentDelivered: 'waybill.shipment.delivered.v1',
  submitted: 'waybill.storefront.order-submitted.v1',
  cancellationRequested: 'waybill.storefront.order-cancellation-requested.v1',
} as const;

describe('order saga over Kafka', () => {
  let env: OrderTestEnv;

  beforeAll(async () => {
    env = await startOrderService();
  });

  afterAll(async () => {
    await env?.stop();
  });

  /** A fresh order placed over HTTP by storefront A, with its own reservation/payment/shipment ids. */
  async function placeOrder() {
    const answer = await http(env, 'POST', '/v1/orders', { key: env.keys.a, body: orderBody() });
    expect(answer.status).toBe(201);
    return {
      order: answer.body,
      id: answer.body.id as string,
      reservationId: randomUUID(),
      paymentId: randomUUID(),
      shipmentId: randomUUID(),
    };
  }

  /** Plays another service: publishes its event for the order and waits until the order service applied it. */
  async function play(
    type: string,
    orderId: string,
    overrides: Record<string, unknown> = {},
  ): Promise<CloudEvent> {
    const event = await env.probe.publish(type, exampleData(type, { orderId, ...overrides }));
    await applied(env, event.id);
    return event;
  }

  async function orderOf(id: string) {
    const answer = await http(env, 'GET', `/v1/orders/${id}`, { key: env.keys.admin });
    expect(answer.status).toBe(200);
    return answer.body;
  }

  const outboxCount = (type: string, orderId: string) =>
    count(env.db, `SELECT 1 FROM outbox WHERE event_type = $1 AND message_key = $2`, [type, orderId]);

  const timelineOf = (order: Json) => order.timeline.map((t: Json) => [t.status, t.event.id, t.reason]);

  it('reserved, then authorized → CONFIRMED once; then shipped and delivered, with the whole timeline', async () => {
    const o = await placeOrder();
    const placed = await env.probe.waitForEvent(T.placed, (d: Json) => d.orderId === o.id);

    const reserved = await play(T.reserved, o.id, { reservationId: o.reservationId });
    expect((await orderOf(o.id)).status).toBe('RESERVED');
    const authorized = await play(T.authorized, o.id, {
      paymentId: o.paymentId,
      amount: o.order.totals.total,
    });

    const confirmed = await env.probe.waitForEvent<Json>(T.confirmed, (d) => d.orderId === o.id);
    expect(confirmed.key).toBe(o.id);
    expect(confirmed.causationid).toBe(authorized.id);
    expect(confirmed.data).toEqual({
      orderId: o.id,
      storefrontId: STOREFRONT_A,
      reservationId: o.reservationId,
      paymentId: o.paymentId,
      customer: o.order.customer,
      lines: o.order.lines,
      currency: o.order.currency,
      totalAmount: o.order.totals.total,
      shippingAddress: o.order.shippingAddress,
      confirmedAt: expect.any(String),
    });

    // Duplicates and late copies (new event ids, so the inbox does not filter them) change nothing.
    await play(T.reserved, o.id, { reservationId: o.reservationId });
    await play(T.authorized, o.id, { paymentId: o.paymentId });
    await play(T.reserved, o.id, { reservationId: randomUUID() });
    expect(await outboxCount(T.confirmed, o.id)).toBe(1);
    const afterDuplicates = await orderOf(o.id);
    expect(afterDuplicates).toMatchObject({
      status: 'CONFIRMED',
      reservationId: o.reservationId,
      paymentId: o.paymentId,
    });

    const created = await play(T.shipmentCreated, o.id, {
      shipmentId: o.shipmentId,
      trackingNumber: 'TRK-1',
    });
    const shipped = await env.probe.waitForEvent<Json>(T.shipped, (d) => d.orderId === o.id);
    expect(shipped.data).toEqual({
      orderId: o.id,
      shipmentId: o.shipmentId,
      carrier: 'dhl',
      trackingNumber: 'TRK-1',
      shippedAt: exampleData<Json>(T.shipmentCreated).createdAt,
    });
    // order.shipped follows order.confirmed on the order's partition: one confirmed reached the topic.
    expect(env.probe.events(T.confirmed, (d: Json) => d.orderId === o.id)).toHaveLength(1);

    const delivered = await play(T.shipmentDelivered, o.id, {
      shipmentId: o.shipmentId,
      trackingNumber: 'TRK-1',
    });
    const completed = await env.probe.waitForEvent<Json>(T.completed, (d) => d.orderId === o.id);
    expect(completed.data).toEqual({
      orderId: o.id,
      shipmentId: o.shipmentId,
      deliveredAt: exampleData<Json>(T.shipmentDelivered).deliveredAt,
      completedAt: expect.any(String),
    });

    const order = await orderOf(o.id);
    expect(order.status).toBe('DELIVERED');
    expect(order.shipmentId).toBe(o.shipmentId);
    expect(timelineOf(order)).toEqual([
      ['PENDING', placed.id, undefined],
      ['RESERVED', reserved.id, undefined],
      ['CONFIRMED', authorized.id, undefined],
      ['SHIPPED', created.id, undefined],
      ['DELIVERED', delivered.id, undefined],
    ]);
    expect(order.timeline.map((t: Json) => t.event.type)).toEqual([
      T.placed,
      T.reserved,
      T.authorized,
      T.shipmentCreated,
      T.shipmentDelivered,
    ]);

    const cancel = await http(env, 'POST', `/v1/orders/${o.id}/cancel`, { key: env.keys.a });
    expect(cancel.status).toBe(409);
    expect(cancel.body.code).toBe('ORDER.NOT_CANCELLABLE');
    expect(cancel.body.message).toContain('DELIVERED');
  });

  it('authorized before reserved: the authorization is kept, and the reservation confirms (once)', async () => {
    const o = await placeOrder();
    const authorized = await play(T.authorized, o.id, { paymentId: o.paymentId });
    const pending = await orderOf(o.id);
    expect(pending).toMatchObject({ status: 'PENDING', paymentId: o.paymentId });
    expect(await outboxCount(T.confirmed, o.id)).toBe(0);

    const reserved = await play(T.reserved, o.id, { reservationId: o.reservationId });
    const confirmed = await env.probe.waitForEvent<Json>(T.confirmed, (d) => d.orderId === o.id);
    expect(confirmed.data).toMatchObject({ reservationId: o.reservationId, paymentId: o.paymentId });
    expect(confirmed.causationid).toBe(reserved.id);

    await play(T.authorized, o.id, { paymentId: o.paymentId });
    expect(await outboxCount(T.confirmed, o.id)).toBe(1);
    const order = await orderOf(o.id);
    expect(order.status).toBe('CONFIRMED');
    // Both steps were caused by the reservation; the earlier authorization moved nothing.
    expect(timelineOf(order).slice(1)).toEqual([
      ['RESERVED', reserved.id, undefined],
      ['CONFIRMED', reserved.id, undefined],
    ]);
    expect(order.timeline.some((t: Json) => t.event.id === authorized.id)).toBe(false);
  });

  it('stock rejected → REJECTED with order.rejected; a late reservation does not revive it', async () => {
    const o = await placeOrder();
    const shortLines = [{ sku: 'MUG-BLUE-350', requested: 2, available: 0 }];
    const rejected = await play(T.stockRejected, o.id, { reason: 'INVENTORY.UNKNOWN_SKU', shortLines });
    const event = await env.probe.waitForEvent<Json>(T.rejected, (d) => d.orderId === o.id);
    expect(event.data).toEqual({
      orderId: o.id,
      reason: 'ORDER.UNKNOWN_SKU',
      shortLines,
      rejectedAt: expect.any(String),
    });

    await play(T.reserved, o.id, { reservationId: o.reservationId });
    const order = await orderOf(o.id);
    expect(order).toMatchObject({ status: 'REJECTED', statusReason: 'ORDER.UNKNOWN_SKU' });
    expect(timelineOf(order).slice(1)).toEqual([['REJECTED', rejected.id, 'ORDER.UNKNOWN_SKU']]);
    expect(await outboxCount(T.confirmed, o.id)).toBe(0);

    const cancel = await http(env, 'POST', `/v1/orders/${o.id}/cancel`, { key: env.keys.a });
    expect(cancel.status).toBe(409);
    expect(cancel.body.details).toEqual({ orderId: o.id, status: 'REJECTED' });
  });

  it('payment failed → CANCELLED with order.cancelled naming the reservation; a late authorization changes nothing', async () => {
    const o = await placeOrder();
    await play(T.reserved, o.id, { reservationId: o.reservationId });
    const failed = await play(T.paymentFailed, o.id, { paymentId: o.paymentId });
    const cancelled = await env.probe.waitForEvent<Json>(T.cancelled, (d) => d.orderId === o.id);
    expect(cancelled.data).toEqual({
      orderId: o.id,
      reason: 'ORDER.PAYMENT_FAILED',
      reservationId: o.reservationId,
      cancelledAt: expect.any(String),
    });
    expect(cancelled.causationid).toBe(failed.id);

    await play(T.authorized, o.id, { paymentId: randomUUID() });
    const order = await orderOf(o.id);
    expect(order).toMatchObject({ status: 'CANCELLED', statusReason: 'ORDER.PAYMENT_FAILED' });
    expect(timelineOf(order).at(-1)).toEqual(['CANCELLED', failed.id, 'ORDER.PAYMENT_FAILED']);
    expect(await outboxCount(T.cancelled, o.id)).toBe(1);
    expect(await outboxCount(T.confirmed, o.id)).toBe(0);
  });

  it('reservation expired → CANCELLED with order.cancelled (and the payment to void once authorized)', async () => {
    const reservedOnly = await placeOrder();
    await play(T.reserved, reservedOnly.id, { reservationId: reservedOnly.reservationId });
    // A release because of our own cancellation is only recorded…
    await play(T.released, reservedOnly.id, {
      reservationId: reservedOnly.reservationId,
      reason: 'INVENTORY.ORDER_CANCELLED',
    });
    expect((await orderOf(reservedOnly.id)).status).toBe('RESERVED');
    // …an expiry cancels.
    const expired = await play(T.released, reservedOnly.id, {
      reservationId: reservedOnly.reservationId,
      reason: 'INVENTORY.RESERVATION_EXPIRED',
    });
    const first = await env.probe.waitForEvent<Json>(T.cancelled, (d) => d.orderId === reservedOnly.id);
    expect(first.data).toEqual({
      orderId: reservedOnly.id,
      reason: 'ORDER.RESERVATION_EXPIRED',
      reservationId: reservedOnly.reservationId,
      cancelledAt: expect.any(String),
    });
    const order = await orderOf(reservedOnly.id);
    expect(timelineOf(order).at(-1)).toEqual(['CANCELLED', expired.id, 'ORDER.RESERVATION_EXPIRED']);

    const confirmed = await placeOrder();
    await play(T.reserved, confirmed.id, { reservationId: confirmed.reservationId });
    await play(T.authorized, confirmed.id, { paymentId: confirmed.paymentId });
    await play(T.released, confirmed.id, {
      reservationId: confirmed.reservationId,
      reason: 'INVENTORY.RESERVATION_EXPIRED',
    });
    const second = await env.probe.waitForEvent<Json>(T.cancelled, (d) => d.orderId === confirmed.id);
    expect(second.data).toMatchObject({
      reason: 'ORDER.RESERVATION_EXPIRED',
      reservationId: confirmed.reservationId,
      paymentId: confirmed.paymentId,
    });
    expect((await orderOf(confirmed.id)).status).toBe('CANCELLED');
  });

  it('cancel after CONFIRMED → order.cancelled with reservation and payment; the reason says who asked', async () => {
    const byStorefront = await placeOrder();
    await play(T.reserved, byStorefront.id, { reservationId: byStorefront.reservationId });
    await play(T.authorized, byStorefront.id, { paymentId: byStorefront.paymentId });
    expect((await orderOf(byStorefront.id)).status).toBe('CONFIRMED');

    const answer = await http(env, 'POST', `/v1/orders/${byStorefront.id}/cancel`, { key: env.keys.a });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ status: 'CANCELLED', statusReason: 'ORDER.CUSTOMER_REQUEST' });
    const event = await env.probe.waitForEvent<Json>(T.cancelled, (d) => d.orderId === byStorefront.id);
    expect(event.data).toEqual({
      orderId: byStorefront.id,
      reason: 'ORDER.CUSTOMER_REQUEST',
      reservationId: byStorefront.reservationId,
      paymentId: byStorefront.paymentId,
      cancelledAt: expect.any(String),
    });
    expect(timelineOf(answer.body).at(-1)).toEqual(['CANCELLED', event.id, 'ORDER.CUSTOMER_REQUEST']);

    // A shipment booked in the race is kept for operators, but does not un-cancel the order.
    await play(T.shipmentCreated, byStorefront.id, { shipmentId: byStorefront.shipmentId });
    expect(await orderOf(byStorefront.id)).toMatchObject({
      status: 'CANCELLED',
      shipmentId: byStorefront.shipmentId,
    });
    expect(await outboxCount(T.shipped, byStorefront.id)).toBe(0);

    const byOperator = await placeOrder();
    await play(T.reserved, byOperator.id, { reservationId: byOperator.reservationId });
    const operatorCancel = await http(env, 'POST', `/v1/orders/${byOperator.id}/cancel`, {
      key: env.keys.admin,
    });
    expect(operatorCancel.status).toBe(200);
    const operatorEvent = await env.probe.waitForEvent<Json>(T.cancelled, (d) => d.orderId === byOperator.id);
    expect(operatorEvent.data).toEqual({
      orderId: byOperator.id,
      reason: 'ORDER.OPERATOR_REQUEST',
      reservationId: byOperator.reservationId,
      cancelledAt: expect.any(String),
    });
  });

  it('an event about an order that does not exist goes to the DLQ', async () => {
    const orderId = randomUUID();
    const event = await env.probe.publish(T.reserved, exampleData(T.reserved, { orderId }));
    const letter = await env.dlq.waitFor((l) => l.headers.ce_id === event.id, 'the unknown order in the DLQ');
    expect(letter.headers.dlq_reason).toBe('ORDER.UNKNOWN_ORDER');
    expect(letter.key).toBe(orderId);
  });

  describe('storefront submissions on waybill.storefront.orders', () => {
    function submission(overrides: Record<string, unknown> = {}) {
      return exampleData<Record<string, Json>>(T.submitted, {
        storefrontId: STOREFRONT_A,
        storefrontOrderId: `KAFKA-${randomUUID()}`,
        payment: { provider: 'stripe', token: `pm_kafka_${randomUUID().replace(/-/g, '')}` },
        ...overrides,
      });
    }

    async function submit(
      data: Record<string, Json>,
      key: string = data.storefrontOrderId,
    ): Promise<CloudEvent> {
      return env.probe.publish(T.submitted, data, {
        key,
        subject: data.storefrontOrderId,
        source: `/storefronts/${data.storefrontId}`,
      });
    }

    const ordersWith = (storefrontOrderId: string) =>
      count(env.db, `SELECT 1 FROM orders WHERE storefront_order_id = $1`, [storefrontOrderId]);

    it('places the order like POST /v1/orders does; a resend is ignored', async () => {
      const data = submission();
      const sent = await submit(data);
      const placed = await env.probe.waitForEvent<Json>(
        T.placed,
        (d) => d.storefrontOrderId === data.storefrontOrderId,
      );
      expect(placed.data).toMatchObject({
        storefrontId: STOREFRONT_A,
        totalAmount: data.totalAmount,
        payment: { provider: 'stripe', paymentMethodRef: data.payment.token },
      });
      expect(JSON.stringify(placed.data)).not.toMatch(/"token"/);
      expect(placed.causationid).toBe(sent.id);

      const listed = await http(
        env,
        'GET',
        `/v1/orders?storefrontOrderId=${encodeURIComponent(data.storefrontOrderId)}`,
        { key: env.keys.a },
      );
      expect(listed.body.items).toHaveLength(1);
      const order = listed.body.items[0];
      expect(order).toMatchObject({
        id: placed.data.orderId,
        status: 'PENDING',
        totals: { total: data.totalAmount },
      });
      expect(order.timeline).toEqual([
        { status: 'PENDING', event: { id: sent.id, type: T.submitted }, at: expect.any(String) },
      ]);

      // A resend (a new event id for the same storefront order) places nothing and raises nothing.
      const resend = await submit({ ...data, payment: { provider: 'stripe', token: 'pm_resent' } });
      await applied(env, resend.id);
      expect(await ordersWith(data.storefrontOrderId)).toBe(1);
      expect(
        await count(
          env.db,
          `SELECT 1 FROM outbox WHERE event_type = $1 AND payload::jsonb->>'storefrontOrderId' = $2`,
          [T.placed, data.storefrontOrderId],
        ),
      ).toBe(1);
      expect(env.dlq.letters.some((l) => l.headers.ce_id === resend.id)).toBe(false);

      // Both ways in share the idempotency by storefront order id.
      const overHttp = await http(env, 'POST', '/v1/orders', {
        key: env.keys.a,
        body: orderBody({ storefrontOrderId: data.storefrontOrderId }),
      });
      expect(overHttp.status).toBe(409);
      expect(overHttp.body.details.orderId).toBe(placed.data.orderId);
    });

    it('a business-invalid submission (amounts that overflow) goes to the DLQ and places nothing', async () => {
      const data = submission({
        lines: [{ sku: 'MUG-BLUE-350', quantity: 2, unitPrice: Number.MAX_SAFE_INTEGER }],
        totalAmount: undefined,
      });
      delete data.totalAmount;
      const sent = await submit(data);
      const letter = await env.dlq.waitFor(
        (l) => l.headers.ce_id === sent.id,
        'the overflowing order in the DLQ',
      );
      expect(letter.headers.dlq_reason).toBe('ORDER.AMOUNT_OVERFLOW');
      expect(letter.headers.dlq_error).not.toContain(data.payment.token);
      expect(await ordersWith(data.storefrontOrderId)).toBe(0);
    });

    it('a submission whose ce_source names another storefront goes to the DLQ and places nothing', async () => {
      const data = submission();
      const sent = await env.probe.publish(T.submitted, data, {
        key: data.storefrontOrderId,
        subject: data.storefrontOrderId,
        source: '/storefronts/someone-else',
      });
      const letter = await env.dlq.waitFor(
        (l) => l.headers.ce_id === sent.id,
        'the mismatched submission in the DLQ',
      );
      expect(letter.headers.dlq_reason).toBe('ORDER.SOURCE_MISMATCH');
      expect(letter.headers.dlq_error).toContain('/storefronts/someone-else');
      expect(await ordersWith(data.storefrontOrderId)).toBe(0);
    });

    it('a contract-invalid submission (quantity 0, negative total) goes to the DLQ and places nothing', async () => {
      const zero = submission({ lines: [{ sku: 'MUG-BLUE-350', quantity: 0, unitPrice: 100 }] });
      const negative = submission({ totalAmount: -1 });
      const sentZero = await submit(zero);
      const sentNegative = await submit(negative);
      for (const sent of [sentZero, sentNegative]) {
        const letter = await env.dlq.waitFor(
          (l) => l.headers.ce_id === sent.id,
          'the invalid order in the DLQ',
        );
        expect(letter.headers.dlq_reason).toBe('EVENT.INVALID_DATA');
      }
      expect(await ordersWith(zero.storefrontOrderId)).toBe(0);
      expect(await ordersWith(negative.storefrontOrderId)).toBe(0);
      // The partition moved on: a valid order sent after them with the same key is placed.
      const valid = submission();
      await submit(valid, zero.storefrontOrderId);
      await waitFor(async () => (await ordersWith(valid.storefrontOrderId)) === 1, {
        timeoutMs: 30_000,
        description: 'the valid order after the invalid ones',
      });
    });

    it('a prepaid submission is placed only from a storefront paid on its platform; from another it goes to the DLQ', async () => {
      const prepaid = (storefrontId: string) =>
        submission({ storefrontId, payment: { provider: 'prepaid', token: `shopify:${Date.now()}` } });
      const refused = prepaid(STOREFRONT_A);
      const allowed = prepaid(STOREFRONT_B);

      const sentRefused = await submit(refused);
      await submit(allowed);

      const letter = await env.dlq.waitFor(
        (l) => l.headers.ce_id === sentRefused.id,
        'the prepaid order of a storefront not paid on its platform in the DLQ',
      );
      expect(letter.headers.dlq_reason).toBe('ORDER.PAYMENT_PROVIDER_NOT_ALLOWED');
      expect(await ordersWith(refused.storefrontOrderId)).toBe(0);
      const placed = await env.probe.waitForEvent<Json>(
        T.placed,
        (d) => d.storefrontOrderId === allowed.storefrontOrderId,
      );
      expect(placed.data).toMatchObject({
        storefrontId: STOREFRONT_B,
        payment: { provider: 'prepaid', paymentMethodRef: allowed.payment.token },
      });
    });
  });

  describe('storefront cancellation requests on waybill.storefront.orders', () => {
    function cancellationRequest(
      data: Json,
      source = `/storefronts/${data.storefrontId}`,
    ): Promise<CloudEvent> {
      return env.probe.publish(
        T.cancellationRequested,
        exampleData(T.cancellationRequested, {
          storefrontId: data.storefrontId,
          storefrontOrderId: data.storefrontOrderId,
        }),
        // The submission's key: both are on one partition, the cancellation after the order.
        { key: data.storefrontOrderId, subject: data.storefrontOrderId, source },
      );
    }

    function submitted(): Promise<{ data: Json; sent: CloudEvent }> {
      const data = exampleData<Record<string, Json>>(T.submitted, {
        storefrontId: STOREFRONT_A,
        storefrontOrderId: `KAFKA-${randomUUID()}`,
        payment: { provider: 'stripe', token: `pm_kafka_${randomUUID().replace(/-/g, '')}` },
      });
      return env.probe
        .publish(T.submitted, data, {
          key: data.storefrontOrderId,
          subject: data.storefrontOrderId,
          source: `/storefronts/${data.storefrontId}`,
        })
        .then((sent) => ({ data, sent }));
    }

    it('cancels the order submitted just before it, as its customer would; a resent request changes nothing', async () => {
      // Published back to back, without waiting: the shared key keeps them in order.
      const { data } = await submitted();
      const request = await cancellationRequest(data);

      const placed = await env.probe.waitForEvent<Json>(
        T.placed,
        (d) => d.storefrontOrderId === data.storefrontOrderId,
      );
      const orderId = placed.data.orderId as string;
      const cancelled = await env.probe.waitForEvent<Json>(T.cancelled, (d) => d.orderId === orderId);
      expect(cancelled.data.reason).toBe('ORDER.CUSTOMER_REQUEST');
      const order = await http(env, 'GET', `/v1/orders/${orderId}`, { key: env.keys.a });
      expect(order.body.status).toBe('CANCELLED');
      expect(order.body.timeline.at(-1)).toMatchObject({
        status: 'CANCELLED',
        event: { id: request.id, type: T.cancellationRequested },
      });

      const resent = await cancellationRequest(data);
      await applied(env, resent.id);
      expect(
        await count(env.db, `SELECT 1 FROM outbox WHERE event_type = $1 AND message_key = $2`, [
          T.cancelled,
          orderId,
        ]),
      ).toBe(1);
      expect(env.dlq.letters.some((l) => l.headers.ce_id === resent.id)).toBe(false);
    });

    it('a request for an order never placed goes to the DLQ naming it; one with a foreign ce_source too', async () => {
      const unknown = { storefrontId: STOREFRONT_A, storefrontOrderId: `KAFKA-${randomUUID()}` };
      const sentUnknown = await cancellationRequest(unknown);
      const { data } = await submitted();
      const sentForeign = await cancellationRequest(data, '/storefronts/someone-else');

      const notFound = await env.dlq.waitFor(
        (l) => l.headers.ce_id === sentUnknown.id,
        'the orphan request in the DLQ',
      );
      expect(notFound.headers.dlq_reason).toBe('ORDER.STOREFRONT_ORDER_NOT_FOUND');
      expect(notFound.headers.dlq_error).toContain(unknown.storefrontOrderId);
      const foreign = await env.dlq.waitFor(
        (l) => l.headers.ce_id === sentForeign.id,
        'the foreign request in the DLQ',
      );
      expect(foreign.headers.dlq_reason).toBe('ORDER.SOURCE_MISMATCH');
      const placed = await env.probe.waitForEvent<Json>(
        T.placed,
        (d) => d.storefrontOrderId === data.storefrontOrderId,
      );
      const order = await http(env, 'GET', `/v1/orders/${placed.data.orderId as string}`, {
        key: env.keys.a,
      });
      expect(order.body.status).toBe('PENDING');
    });

    it('a request for a shipped order is logged and ignored, not a dead letter', async () => {
      const { data } = await submitted();
      const placed = await env.probe.waitForEvent<Json>(
        T.placed,
        (d) => d.storefrontOrderId === data.storefrontOrderId,
      );
      const orderId = placed.data.orderId as string;
      const play = async (type: string, overrides: Record<string, unknown>) =>
        applied(env, (await env.probe.publish(type, exampleData(type, { orderId, ...overrides }))).id);
      await play(T.reserved, { reservationId: randomUUID() });
      await play(T.authorized, { paymentId: randomUUID(), amount: placed.data.totalAmount });
      await play(T.shipmentCreated, { shipmentId: randomUUID() });
      expect((await http(env, 'GET', `/v1/orders/${orderId}`, { key: env.keys.a })).body.status).toBe(
        'SHIPPED',
      );

      const request = await cancellationRequest(data);
      await applied(env, request.id);

      expect((await http(env, 'GET', `/v1/orders/${orderId}`, { key: env.keys.a })).body.status).toBe(
        'SHIPPED',
      );
      expect(env.probe.events(T.cancelled, (d: Json) => d.orderId === orderId)).toEqual([]);
      expect(env.dlq.letters.some((l) => l.headers.ce_id === request.id)).toBe(false);
    });
  });
});
