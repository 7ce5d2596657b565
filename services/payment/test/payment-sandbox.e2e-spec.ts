import { createHmac, randomUUID } from 'node:crypto';
import {
  orderCancelled,
  orderPlaced,
  PaymentTestEnv,
  shipmentCreated,
  startPaymentService,
  stockReserved,
  TYPES,
} from './support/payment-test-env';

const SANDBOX_SECRET = 'sbx_whsec_e2e';

describe('payment service with the sandbox provider (e2e, real Kafka and Postgres)', () => {
  let env: PaymentTestEnv;

  beforeAll(async () => {
    env = await startPaymentService({
      PAYMENT_SANDBOX_WEBHOOK_SECRET: SANDBOX_SECRET,
      PAYMENT_PROVIDER_MAX_ATTEMPTS: '3',
    });
  });

  afterAll(async () => {
    await env?.stop();
  });

  const forOrder = (orderId: string) => (data: Record<string, unknown>) => data.orderId === orderId;

  async function placeAndReserve(orderId: string, token: string, provider = 'sandbox'): Promise<void> {
    await env.probe.publish(TYPES.placed, orderPlaced(orderId, provider, token));
    await env.probe.publish(TYPES.reserved, stockReserved(orderId));
  }

  /** An approved order whose shipment was created: its payment is CAPTURED. */
  async function placeAndCapture(orderId: string): Promise<void> {
    await placeAndReserve(orderId, 'sandbox_approve');
    await env.probe.waitForEvent(TYPES.authorized, forOrder(orderId));
    await env.probe.publish(TYPES.shipped, shipmentCreated(orderId));
    await env.probe.waitForEvent(TYPES.captured, forOrder(orderId));
  }

  it('sandbox_approve → payment.authorized, keyed by the order; GET shows it without the payment method', async () => {
    const orderId = randomUUID();
    await placeAndReserve(orderId, 'sandbox_approve');
    const event = await env.probe.waitForEvent(TYPES.authorized, forOrder(orderId));
    expect(event.key).toBe(orderId);
    expect(event.subject).toBe(orderId);
    expect(event.data).toMatchObject({
      provider: 'sandbox',
      amount: 5390,
      currency: 'EUR',
      providerPaymentRef: `sbx_pi_${orderId}`,
    });

    const { status, body } = await env.get(`/v1/payments/${orderId}`, env.reader);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      orderId,
      status: 'AUTHORIZED',
      amount: 5390,
      providerPaymentRef: `sbx_pi_${orderId}`,
    });
    expect(JSON.stringify(body)).not.toContain('sandbox_approve');
    expect((await env.get(`/v1/payments/${orderId}`)).status).toBe(401);
  });

  it('sandbox_decline and sandbox_insufficient_funds → payment.failed DECLINED with the decline code', async () => {
    const declined = randomUUID();
    const poor = randomUUID();
    await placeAndReserve(declined, 'sandbox_decline');
    await placeAndReserve(poor, 'sandbox_insufficient_funds');
    const first = await env.probe.waitForEvent(TYPES.failed, forOrder(declined));
    const second = await env.probe.waitForEvent(TYPES.failed, forOrder(poor));
    expect(first.data).toMatchObject({ reason: 'PAYMENT.DECLINED', declineCode: 'generic_decline' });
    expect(second.data).toMatchObject({ reason: 'PAYMENT.DECLINED', declineCode: 'insufficient_funds' });
    const { body } = await env.get(`/v1/payments/${poor}`, env.reader);
    expect(body).toMatchObject({
      status: 'FAILED',
      failure: { reason: 'PAYMENT.DECLINED', declineCode: 'insufficient_funds' },
    });
  });

  it('stock-reserved before order.placed still authorizes, exactly once', async () => {
    const orderId = randomUUID();
    await env.probe.publish(TYPES.reserved, stockReserved(orderId));
    await env.consumed('waybill.inventory.events');
    expect((await env.get(`/v1/payments/${orderId}`, env.reader)).body.status).toBe('PENDING');
    await env.probe.publish(TYPES.placed, orderPlaced(orderId, 'sandbox', 'sandbox_approve'));
    await env.probe.waitForEvent(TYPES.authorized, forOrder(orderId));
    // Late repeats of both halves (new event ids, so past the inbox) must not authorize again.
    await env.probe.publish(TYPES.reserved, stockReserved(orderId));
    await env.probe.publish(TYPES.placed, orderPlaced(orderId, 'sandbox', 'sandbox_approve'));
    await env.consumed('waybill.inventory.events');
    await env.consumed('waybill.order.events');
    expect(await env.outboxCount(TYPES.authorized, orderId)).toBe(1);
  });

  it('an unknown provider → payment.failed INVALID_PAYMENT_METHOD', async () => {
    const orderId = randomUUID();
    await placeAndReserve(orderId, 'pm_123', 'adyen');
    const event = await env.probe.waitForEvent(TYPES.failed, forOrder(orderId));
    expect(event.data).toMatchObject({ reason: 'PAYMENT.INVALID_PAYMENT_METHOD', provider: 'adyen' });
  });

  it('sandbox_timeout → payment.failed TIMED_OUT after bounded retries', async () => {
    const orderId = randomUUID();
    await placeAndReserve(orderId, 'sandbox_timeout');
    const event = await env.probe.waitForEvent(TYPES.failed, forOrder(orderId));
    expect(event.data).toMatchObject({ reason: 'PAYMENT.TIMED_OUT' });
    expect(event.data.message).toContain('3 attempts');
  });

  it('order.cancelled before stock is reserved → never authorized afterwards', async () => {
    const orderId = randomUUID();
    await env.probe.publish(TYPES.placed, orderPlaced(orderId, 'sandbox', 'sandbox_approve'));
    await env.probe.publish(TYPES.cancelled, orderCancelled(orderId));
    await env.consumed('waybill.order.events');
    await env.probe.publish(TYPES.reserved, stockReserved(orderId));
    await env.consumed('waybill.inventory.events');
    expect(await env.outboxCount(TYPES.authorized, orderId)).toBe(0);
    expect((await env.get(`/v1/payments/${orderId}`, env.reader)).body.status).toBe('VOIDED');
  });

  it('shipment.created → payment.captured; then refunds through the endpoint, in parts, never beyond', async () => {
    const orderId = randomUUID();
    await placeAndReserve(orderId, 'sandbox_approve');
    await env.probe.waitForEvent(TYPES.authorized, forOrder(orderId));
    await env.probe.publish(TYPES.shipped, shipmentCreated(orderId));
    const captured = await env.probe.waitForEvent(TYPES.captured, forOrder(orderId));
    expect(captured.data).toMatchObject({ amount: 5390, currency: 'EUR', provider: 'sandbox' });

    const path = `/v1/payments/${orderId}/refund`;
    expect((await env.post(path, { amount: 1000 }, env.reader)).status).toBe(403);
    const partial = await env.post(path, { amount: 1000, reason: 'PAYMENT.RETURNED' }, env.refunder);
    expect(partial.status).toBe(201);
    expect(partial.body).toMatchObject({ orderId, amount: 1000, reason: 'PAYMENT.RETURNED' });
    const refunded = await env.probe.waitForEvent(
      TYPES.refunded,
      (d) => d.refundId === partial.body.refundId,
    );
    expect(refunded.data).toMatchObject({ orderId, amount: 1000, reason: 'PAYMENT.RETURNED' });

    const tooMuch = await env.post(path, { amount: 5000 }, env.refunder);
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.body.code).toBe('PAYMENT.REFUND_EXCEEDS_CAPTURED');
    expect((await env.post(path, { amount: -5 }, env.refunder)).status).toBe(400);

    const rest = await env.post(path, {}, env.refunder);
    expect(rest.status).toBe(201);
    expect(rest.body.amount).toBe(4390);
    const { body } = await env.get(`/v1/payments/${orderId}`, env.reader);
    expect(body).toMatchObject({ status: 'REFUNDED', capturedAmount: 5390, refundedAmount: 5390 });
    expect(body.refunds).toHaveLength(2);
    expect((await env.post(`/v1/payments/${randomUUID()}/refund`, {}, env.refunder)).status).toBe(404);
  });

  it('a refund sent 20 times at once with one Idempotency-Key refunds once; retries replay it', async () => {
    const orderId = randomUUID();
    await placeAndCapture(orderId);
    const path = `/v1/payments/${orderId}/refund`;
    const key = { 'Idempotency-Key': `rma-${orderId}` };

    const answers = await Promise.all(
      Array.from({ length: 20 }, () => env.post(path, { amount: 1000 }, env.refunder, key)),
    );
    const created = answers.filter((a) => a.status === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(answers.filter((a) => a.status !== 201).every((a) => a.status === 409)).toBe(true);
    expect(new Set(created.map((a) => a.body.refundId)).size).toBe(1);

    const retry = await env.post(path, { amount: 1000 }, env.refunder, key);
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.body).toEqual(created[0].body);

    const otherAmount = await env.post(path, { amount: 2000 }, env.refunder, key);
    expect(otherAmount.status).toBe(422);
    expect(otherAmount.body.code).toBe('IDEMPOTENCY.KEY_REUSED');
    const otherOrder = await env.post(
      `/v1/payments/${randomUUID()}/refund`,
      { amount: 1000 },
      env.refunder,
      key,
    );
    expect(otherOrder.status).toBe(422);
    const malformed = await env.post(path, { amount: 1000 }, env.refunder, {
      'Idempotency-Key': 'k'.repeat(256),
    });
    expect(malformed.status).toBe(400);
    expect(malformed.body.code).toBe('IDEMPOTENCY.INVALID_KEY');

    const { body } = await env.get(`/v1/payments/${orderId}`, env.reader);
    expect(body).toMatchObject({ status: 'CAPTURED', refundedAmount: 1000 });
    expect(body.refunds).toHaveLength(1);
    expect(await env.outboxCount(TYPES.refunded, orderId)).toBe(1);
  });

  it('order.cancelled after capture → refunds what is left to refund, once', async () => {
    const orderId = randomUUID();
    await placeAndCapture(orderId);
    const partial = await env.post(`/v1/payments/${orderId}/refund`, { amount: 1000 }, env.refunder);
    expect(partial.status).toBe(201);

    await env.probe.publish(TYPES.cancelled, orderCancelled(orderId));
    const refunded = await env.probe.waitForEvent(
      TYPES.refunded,
      (d) => d.orderId === orderId && d.refundId !== partial.body.refundId,
    );
    expect(refunded.data).toMatchObject({ amount: 4390, reason: 'PAYMENT.CUSTOMER_REQUEST' });
    expect((await env.get(`/v1/payments/${orderId}`, env.reader)).body).toMatchObject({
      status: 'REFUNDED',
      refundedAmount: 5390,
    });

    // A repeat of the cancellation (a new event id, so past the inbox) has nothing left to refund.
    await env.probe.publish(TYPES.cancelled, orderCancelled(orderId));
    await env.consumed('waybill.order.events');
    expect(await env.outboxCount(TYPES.refunded, orderId)).toBe(2);
  });

  it('sandbox_requires_action is resolved by a signed sandbox webhook → payment.authorized', async () => {
    const orderId = randomUUID();
    await placeAndReserve(orderId, 'sandbox_requires_action');
    await env.consumed('waybill.order.events');
    await env.consumed('waybill.inventory.events');
    expect((await env.get(`/v1/payments/${orderId}`, env.reader)).body.status).toBe('REQUIRES_ACTION');

    const body = JSON.stringify({
      id: `evt_${randomUUID()}`,
      type: 'payment.authorized',
      data: { order_id: orderId },
    });
    const t = Math.floor(Date.now() / 1000);
    const mac = createHmac('sha256', SANDBOX_SECRET).update(`${t}.${body}`).digest('hex');
    const url = `${env.service.baseUrl}/v1/webhooks/payments/sandbox`;
    const unsigned = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body,
    });
    expect(unsigned.status).toBe(400);
    const signed = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Sandbox-Signature': `t=${t},v1=${mac}` },
      body,
    });
    expect(signed.status).toBe(200);
    const event = await env.probe.waitForEvent(TYPES.authorized, forOrder(orderId));
    expect(event.data.providerPaymentRef).toBe(`sbx_pi_${orderId}`);
  });
});
