import { StripePaymentProvider } from './stripe.provider';
import { signWebhook } from './webhook-signature';

const stripe = new StripePaymentProvider({
  apiBase: 'http://127.0.0.1:1',
  apiKey: 'sk_test_unit',
  webhookSecrets: ['whsec_unit'],
  webhookToleranceSeconds: 300,
  timeoutMs: 1000,
  retry: { attempts: 1, initialBackoffMs: 0 },
});

function event(type: string, object: Record<string, unknown>): Buffer {
  return Buffer.from(JSON.stringify({ id: 'evt_1', object: 'event', type, data: { object } }));
}

const intent = { id: 'pi_1', object: 'payment_intent', metadata: { order_id: 'o-1' } };

describe('StripePaymentProvider webhooks', () => {
  it('maps the four payment_intent events the saga uses', () => {
    expect(stripe.readWebhook(event('payment_intent.amount_capturable_updated', intent)).outcome).toEqual({
      kind: 'authorized',
      providerPaymentRef: 'pi_1',
    });
    expect(
      stripe.readWebhook(
        event('payment_intent.payment_failed', {
          ...intent,
          last_payment_error: { code: 'card_declined', decline_code: 'lost_card', message: 'declined' },
        }),
      ).outcome,
    ).toEqual({
      kind: 'failed',
      providerPaymentRef: 'pi_1',
      reason: 'PAYMENT.DECLINED',
      declineCode: 'lost_card',
      message: 'declined',
    });
    expect(stripe.readWebhook(event('payment_intent.canceled', intent)).outcome?.kind).toBe('canceled');
    expect(stripe.readWebhook(event('payment_intent.succeeded', intent)).outcome?.kind).toBe('captured');
  });

  it('reads the order from metadata.order_id', () => {
    expect(stripe.readWebhook(event('payment_intent.succeeded', intent)).orderId).toBe('o-1');
  });

  it('leaves other event types without an outcome (answered 200, ignored)', () => {
    const parsed = stripe.readWebhook(event('payment_intent.created', intent));
    expect(parsed).toEqual({ providerEventId: 'evt_1', type: 'payment_intent.created', orderId: 'o-1' });
    expect(
      stripe.readWebhook(event('customer.created', { id: 'cus_1', object: 'customer' })).outcome,
    ).toBeUndefined();
  });

  it('verifies before it reads: a body that is not an event is refused only once signed', () => {
    const garbage = Buffer.from('not json');
    const now = new Date();
    const header = signWebhook(garbage, 'whsec_unit', Math.floor(now.getTime() / 1000));
    expect(stripe.verifyWebhook(garbage, { 'stripe-signature': header }, now)).toMatchObject({
      ok: false,
      rejection: 'PAYLOAD_MALFORMED',
    });
    expect(stripe.verifyWebhook(garbage, {}, now)).toMatchObject({
      ok: false,
      rejection: 'SIGNATURE_MISSING',
    });
  });
});

describe('StripePaymentProvider outbound calls', () => {
  it('reports an unreachable Stripe as a possible authorization, not an exception', async () => {
    const outcome = await stripe.authorize({
      orderId: 'o-1',
      paymentId: 'p-1',
      amount: 100,
      currency: 'EUR',
      paymentMethodRef: 'pm_card_visa',
      idempotencyKey: 'o-1:authorize',
      description: 'Order o-1',
    });
    expect(outcome).toMatchObject({
      kind: 'failed',
      reason: 'PAYMENT.PROVIDER_ERROR',
      mayHaveSucceeded: true,
    });
  });
});
