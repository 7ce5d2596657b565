import { randomUUID } from 'node:crypto';
import { FakeStripe } from '@waybill/testing/parties';
import {
  orderPlaced,
  PaymentTestEnv,
  shipmentCreated,
  startPaymentService,
  stockReserved,
  TYPES,
} from './support/payment-test-env';

const CURRENT_SECRET = 'whsec_e2e_current';
const PREVIOUS_SECRET = 'whsec_e2e_previous';

describe('payment service with Stripe (e2e against a fake Stripe over HTTP)', () => {
  let stripe: FakeStripe;
  let env: PaymentTestEnv;
  let webhookUrl: string;

  beforeAll(async () => {
    stripe = await FakeStripe.start();
    env = await startPaymentService({
      PAYMENT_STRIPE_API_BASE: stripe.baseUrl,
      PAYMENT_STRIPE_API_KEY: stripe.apiKey,
      // Mid-rotation: both secrets verify.
      PAYMENT_STRIPE_WEBHOOK_SECRET: `${CURRENT_SECRET},${PREVIOUS_SECRET}`,
      PAYMENT_PROVIDER_MAX_ATTEMPTS: '3',
    });
    webhookUrl = `${env.service.baseUrl}/v1/webhooks/payments/stripe`;
  });

  afterAll(async () => {
    await env?.stop();
    await stripe?.stop();
  });

  const forOrder = (orderId: string) => (data: Record<string, unknown>) => data.orderId === orderId;

  async function placeAndReserve(orderId: string, paymentMethod: string): Promise<void> {
    await env.probe.publish(TYPES.placed, orderPlaced(orderId, 'stripe', paymentMethod));
    await env.probe.publish(TYPES.reserved, stockReserved(orderId));
  }

  async function authorizedOrder(): Promise<string> {
    const orderId = randomUUID();
    await placeAndReserve(orderId, 'pm_card_visa');
    await env.probe.waitForEvent(TYPES.authorized, forOrder(orderId));
    return orderId;
  }

  it('authorizes with a form-encoded, keyed, manual-capture PaymentIntent', async () => {
    const orderId = await authorizedOrder();
    const event = env.probe.events(TYPES.authorized, forOrder(orderId))[0];
    const intent = stripe.intentForOrder(orderId)!;
    expect(event.data).toMatchObject({
      provider: 'stripe',
      providerPaymentRef: intent.id,
      amount: 5390,
      currency: 'EUR',
    });

    const [call] = stripe.calls.filter(
      (c) => c.path === '/v1/payment_intents' && c.params['metadata[order_id]'] === orderId,
    );
    expect(call.authorization).toBe(`Bearer ${stripe.apiKey}`);
    expect(call.contentType).toMatch(/^application\/x-www-form-urlencoded/);
    expect(call.idempotencyKey).toBe(`${orderId}:authorize`);
    expect(call.params).toMatchObject({
      amount: '5390',
      currency: 'eur',
      payment_method: 'pm_card_visa',
      confirm: 'true',
      capture_method: 'manual',
      'metadata[order_id]': orderId,
    });
  });

  it('a 402 card decline → payment.failed DECLINED with Stripe’s decline code', async () => {
    const orderId = randomUUID();
    await placeAndReserve(orderId, 'pm_card_chargeDeclinedInsufficientFunds');
    const failed = await env.probe.waitForEvent(TYPES.failed, forOrder(orderId));
    expect(failed.data).toMatchObject({ reason: 'PAYMENT.DECLINED', declineCode: 'insufficient_funds' });
  });

  it('a redelivered stock-reserved authorizes once: one call to Stripe', async () => {
    const orderId = randomUUID();
    const reserved = stockReserved(orderId);
    const id = randomUUID();
    await env.probe.publish(TYPES.placed, orderPlaced(orderId, 'stripe', 'pm_card_visa'));
    await env.probe.publish(TYPES.reserved, reserved, { id });
    await env.probe.publish(TYPES.reserved, reserved, { id }); // the same message again
    await env.probe.publish(TYPES.reserved, reserved); // inventory re-sending with a new event id
    await env.consumed('waybill.order.events');
    await env.consumed('waybill.inventory.events');
    expect(await env.outboxCount(TYPES.authorized, orderId)).toBe(1);
    const creates = stripe.calls.filter(
      (c) => c.path === '/v1/payment_intents' && c.params['metadata[order_id]'] === orderId,
    );
    expect(creates).toHaveLength(1);
  });

  it('5xx answers are retried with the same idempotency key, and still authorize once', async () => {
    const orderId = randomUUID();
    stripe.failNext = 2;
    await placeAndReserve(orderId, 'pm_card_visa');
    await env.probe.waitForEvent(TYPES.authorized, forOrder(orderId));
    const attempts = stripe.calls.filter((c) => c.idempotencyKey === `${orderId}:authorize`);
    expect(attempts).toHaveLength(3);
    expect(stripe.intentForOrder(orderId)).toBeDefined();
    expect([...stripe.intents.values()].filter((i) => i.metadata.order_id === orderId)).toHaveLength(1);
  });

  it('shipment.created → capture at Stripe → payment.captured', async () => {
    const orderId = await authorizedOrder();
    await env.probe.publish(TYPES.shipped, shipmentCreated(orderId));
    const captured = await env.probe.waitForEvent(TYPES.captured, forOrder(orderId));
    expect(captured.data).toMatchObject({ amount: 5390, provider: 'stripe' });
    const intent = stripe.intentForOrder(orderId)!;
    expect(intent.status).toBe('succeeded');
    expect(stripe.callsTo('POST', `/v1/payment_intents/${intent.id}/capture`)[0].idempotencyKey).toBe(
      `${orderId}:capture`,
    );

    const refund = await env.post(`/v1/payments/${orderId}/refund`, { amount: 390 }, env.refunder);
    expect(refund.status).toBe(201);
    const [refundCall] = stripe
      .callsTo('POST', '/v1/refunds')
      .filter((c) => c.params.payment_intent === intent.id);
    expect(refundCall.params.amount).toBe('390');
    expect(refundCall.idempotencyKey).toBe(`${orderId}:refund:1`);
    await env.probe.waitForEvent(TYPES.refunded, (d) => d.refundId === refund.body.refundId);
  });

  describe('requires_action resolved by a signed webhook', () => {
    it('refuses unsigned, badly signed, stale and tampered webhooks without processing them; a valid one authorizes once', async () => {
      const orderId = randomUUID();
      await placeAndReserve(orderId, 'pm_card_authenticationRequired');
      await env.consumed('waybill.order.events');
      await env.consumed('waybill.inventory.events');
      expect((await env.get(`/v1/payments/${orderId}`, env.reader)).body.status).toBe('REQUIRES_ACTION');

      const intent = stripe.completeAuthentication(stripe.intentForOrder(orderId)!.id, true);
      const payload = FakeStripe.event('payment_intent.amount_capturable_updated', intent);
      const now = Math.floor(Date.now() / 1000);

      const missing = await FakeStripe.deliver(webhookUrl, payload, undefined);
      expect(missing.status).toBe(400);
      expect(missing.body.code).toBe('WEBHOOK.SIGNATURE_MISSING');

      const malformed = await FakeStripe.deliver(webhookUrl, payload, 'v1=abc');
      expect(malformed.status).toBe(400);
      expect(malformed.body.code).toBe('WEBHOOK.SIGNATURE_MALFORMED');

      const wrongSecret = await FakeStripe.deliver(
        webhookUrl,
        payload,
        FakeStripe.signature(payload, ['whsec_attacker']),
      );
      expect(wrongSecret.status).toBe(401);
      expect(wrongSecret.body.code).toBe('WEBHOOK.SIGNATURE_MISMATCH');

      const stale = await FakeStripe.deliver(
        webhookUrl,
        payload,
        FakeStripe.signature(payload, [CURRENT_SECRET], now - 301),
      );
      expect(stale.status).toBe(401);
      expect(stale.body.code).toBe('WEBHOOK.TIMESTAMP_OUT_OF_TOLERANCE');

      const tampered = payload.replace('"amount":5390', '"amount":1');
      expect(tampered).not.toBe(payload);
      const forged = await FakeStripe.deliver(
        webhookUrl,
        tampered,
        FakeStripe.signature(payload, [CURRENT_SECRET]),
      );
      expect(forged.status).toBe(401);

      // Nothing of the refused deliveries was stored, so nothing can be processed.
      expect(await env.query(`SELECT id FROM webhook_inbox`)).toEqual([]);
      expect((await env.get(`/v1/payments/${orderId}`, env.reader)).body.status).toBe('REQUIRES_ACTION');

      // Signed by Stripe with the previous secret and one we do not know: rotation on both sides.
      const signature = FakeStripe.signature(payload, ['whsec_unknown', PREVIOUS_SECRET]);
      const valid = await FakeStripe.deliver(webhookUrl, payload, signature);
      expect(valid.status).toBe(200);
      expect(valid.body).toEqual({ received: true, duplicate: false, ignored: false });
      const authorized = await env.probe.waitForEvent(TYPES.authorized, forOrder(orderId));
      expect(authorized.data.providerPaymentRef).toBe(intent.id);

      const again = await FakeStripe.deliver(
        webhookUrl,
        payload,
        FakeStripe.signature(payload, [CURRENT_SECRET]),
      );
      expect(again.status).toBe(200);
      expect(again.body.duplicate).toBe(true);
      const receipts = await env.query<{ processed_at: Date | null; attempts: number }>(
        `SELECT processed_at, attempts FROM webhook_inbox WHERE source = 'stripe'`,
      );
      expect(receipts).toHaveLength(1);
      expect(receipts[0].processed_at).not.toBeNull();
      expect(receipts[0].attempts).toBe(1);
      expect(await env.outboxCount(TYPES.authorized, orderId)).toBe(1);
    });

    it('a failed authentication → payment.failed AUTHENTICATION_FAILED', async () => {
      const orderId = randomUUID();
      await placeAndReserve(orderId, 'pm_card_authenticationRequired');
      await env.consumed('waybill.inventory.events');
      await env.consumed('waybill.order.events');
      const intent = stripe.completeAuthentication(stripe.intentForOrder(orderId)!.id, false);
      const payload = FakeStripe.event('payment_intent.payment_failed', intent);
      expect(
        (await FakeStripe.deliver(webhookUrl, payload, FakeStripe.signature(payload, [CURRENT_SECRET])))
          .status,
      ).toBe(200);
      const failed = await env.probe.waitForEvent(TYPES.failed, forOrder(orderId));
      expect(failed.data.reason).toBe('PAYMENT.AUTHENTICATION_FAILED');
    });

    it('answers unknown event types 200 and ignores them', async () => {
      const payload = JSON.stringify({
        id: `evt_${randomUUID()}`,
        object: 'event',
        type: 'customer.created',
        data: { object: { id: 'cus_1', object: 'customer' } },
      });
      const response = await FakeStripe.deliver(
        webhookUrl,
        payload,
        FakeStripe.signature(payload, [CURRENT_SECRET]),
      );
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ received: true, duplicate: false, ignored: true });
    });
  });
});
