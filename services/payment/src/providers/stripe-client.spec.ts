import { FakeStripe } from '@waybill/testing/parties';
import Stripe from 'stripe';
import { ProviderTimeoutError, ProviderUnavailableError } from './bounded-retry';
import { StripePaymentProvider, stripeRefusal } from './stripe.provider';

// The provider speaks Stripe through the stripe package; these pin how the package's errors map
// onto our outcomes, and prove against the fake Stripe (hand-written, sharing no code with the
// package) that the two agree on the wire.
describe('stripeRefusal (the stripe package’s errors → our retry rules and outcomes)', () => {
  it('a timeout is a ProviderTimeoutError, any other connection failure a ProviderUnavailableError', () => {
    const timedOut = new Stripe.errors.StripeConnectionError({
      message: 'Request aborted due to timeout being reached (1000ms)',
      detail: Object.assign(new TypeError('ETIMEDOUT'), { code: 'ETIMEDOUT' }),
    });
    expect(() => stripeRefusal(timedOut)).toThrow(ProviderTimeoutError);
    const refused = new Stripe.errors.StripeConnectionError({
      message: 'An error occurred with our connection to Stripe.',
      detail: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
    });
    expect(() => stripeRefusal(refused)).toThrow(
      new ProviderUnavailableError('network error (ECONNREFUSED)'),
    );
  });

  it('a 5xx and an answer that is not JSON are outages (retried), not answers', () => {
    expect(() => stripeRefusal(new Stripe.errors.StripeAPIError({ statusCode: 503, message: 'x' }))).toThrow(
      new ProviderUnavailableError('HTTP 503'),
    );
    expect(() =>
      stripeRefusal(
        new Stripe.errors.StripeAPIError({ message: 'Invalid JSON received from the Stripe API' }),
      ),
    ).toThrow(ProviderUnavailableError);
  });

  it('a 4xx is Stripe’s answer, with the error body the outcomes read', () => {
    const declined = new Stripe.errors.StripeCardError({
      statusCode: 402,
      type: 'card_error',
      code: 'card_declined',
      decline_code: 'insufficient_funds',
      message: 'Your card was declined.',
    });
    expect(stripeRefusal(declined)).toEqual({
      kind: 'refused',
      status: 402,
      error: {
        type: 'card_error',
        code: 'card_declined',
        decline_code: 'insufficient_funds',
        message: 'Your card was declined.',
        param: undefined,
        payment_intent: undefined,
      },
    });
    // The package fills a missing decline_code with ''; ours stays absent so the code is used.
    const noDeclineCode = stripeRefusal(
      new Stripe.errors.StripeCardError({ statusCode: 402, type: 'card_error', code: 'expired_card' }),
    );
    expect(noDeclineCode.error.decline_code).toBeUndefined();
  });

  it('throws anything that is not a Stripe error (a bug, not an outage)', () => {
    const bug = new TypeError('x is undefined');
    expect(() => stripeRefusal(bug)).toThrow(bug);
  });
});

describe('StripePaymentProvider against the fake Stripe', () => {
  let stripe: FakeStripe;
  let provider: StripePaymentProvider;
  const authorize = (orderId: string, paymentMethodRef: string) =>
    provider.authorize({
      orderId,
      paymentId: `${orderId}-p`,
      amount: 5390,
      currency: 'EUR',
      paymentMethodRef,
      idempotencyKey: `${orderId}:authorize`,
      description: `Order ${orderId}`,
    });

  /** An authorized intent, as the settle calls address it. */
  const authorized = async (orderId: string) => {
    await authorize(orderId, 'pm_card_visa');
    const providerPaymentRef = stripe.intentForOrder(orderId)?.id;
    return { orderId, paymentId: `${orderId}-p`, providerPaymentRef, currency: 'EUR', paymentAmount: 5390 };
  };

  beforeAll(async () => {
    stripe = await FakeStripe.start();
    provider = new StripePaymentProvider({
      apiBase: stripe.baseUrl,
      apiKey: stripe.apiKey,
      webhookSecrets: ['whsec_fake'],
      webhookToleranceSeconds: 300,
      timeoutMs: 2000,
      retry: { attempts: 3, initialBackoffMs: 1 },
    });
  });

  afterAll(() => stripe.stop());

  it('sends the PaymentIntent form-encoded with the Bearer key and our idempotency key', async () => {
    await expect(authorize('o-visa', 'pm_card_visa')).resolves.toMatchObject({ kind: 'authorized' });
    const [call] = stripe
      .callsTo('POST', '/v1/payment_intents')
      .filter((c) => c.idempotencyKey === 'o-visa:authorize');
    expect(call).toMatchObject({
      authorization: `Bearer ${stripe.apiKey}`,
      contentType: expect.stringMatching(/^application\/x-www-form-urlencoded/),
      params: expect.objectContaining({
        amount: '5390',
        currency: 'eur',
        confirm: 'true',
        capture_method: 'manual',
        'automatic_payment_methods[enabled]': 'true',
        'automatic_payment_methods[allow_redirects]': 'never',
        'metadata[order_id]': 'o-visa',
        'metadata[payment_id]': 'o-visa-p',
      }),
    });
  });

  it('answers a card decline (a 402 the package throws) as a failed outcome, not an exception', async () => {
    const outcome = await authorize('o-declined', 'pm_card_chargeDeclinedInsufficientFunds');
    expect(outcome).toEqual({
      kind: 'failed',
      reason: 'PAYMENT.DECLINED',
      declineCode: 'insufficient_funds',
      message: 'Your card was declined.',
      providerPaymentRef: stripe.intentForOrder('o-declined')?.id,
    });
    await expect(authorize('o-unknown-pm', 'pm_nope')).resolves.toMatchObject({
      kind: 'failed',
      reason: 'PAYMENT.INVALID_PAYMENT_METHOD',
    });
  });

  it('retries a 5xx with the same idempotency key, within the bound', async () => {
    stripe.failNext = 2;
    await expect(authorize('o-flaky', 'pm_card_visa')).resolves.toMatchObject({ kind: 'authorized' });
    const attempts = stripe.calls.filter((c) => c.idempotencyKey === 'o-flaky:authorize');
    expect(attempts).toHaveLength(3);
    stripe.failNext = 3;
    await expect(authorize('o-down', 'pm_card_visa')).resolves.toMatchObject({
      kind: 'failed',
      reason: 'PAYMENT.PROVIDER_ERROR',
      message: 'stripe: HTTP 503 after 3 attempt(s)',
      mayHaveSucceeded: true,
    });
  });

  it('captures, refunds, and voids an intent already cancelled as done', async () => {
    const settle = await authorized('o-settle');
    const intent = stripe.intentForOrder('o-settle');
    await expect(
      provider.capture({ ...settle, amount: 5390, idempotencyKey: 'o-settle:capture' }),
    ).resolves.toEqual({
      kind: 'done',
      providerRef: intent?.id,
    });
    await expect(
      provider.refund({ ...settle, amount: 390, idempotencyKey: 'o-settle:refund:1' }),
    ).resolves.toMatchObject({
      kind: 'done',
      providerRef: expect.stringMatching(/^re_/),
    });
    await expect(
      provider.refund({ ...settle, amount: 99999, idempotencyKey: 'o-settle:refund:2' }),
    ).resolves.toEqual({
      kind: 'refused',
      code: 'amount_too_large',
      message: 'stripe answered 400: Refund amount is greater than unrefunded amount',
    });

    const voiding = { ...(await authorized('o-void')), amount: 5390 };
    const held = stripe.intentForOrder('o-void');
    await expect(provider.void({ ...voiding, idempotencyKey: 'o-void:void' })).resolves.toMatchObject({
      kind: 'done',
    });
    // A second void under a new key meets payment_intent_unexpected_state with status canceled.
    await expect(provider.void({ ...voiding, idempotencyKey: 'o-void:void:again' })).resolves.toEqual({
      kind: 'done',
      providerRef: held?.id,
    });
  });

  it('verifies webhooks as the fake Stripe signs them, and refuses them tampered or stale', () => {
    const now = new Date();
    const payload = JSON.stringify({
      id: 'evt_fake',
      type: 'payment_intent.succeeded',
      data: { object: {} },
    });
    const signature = FakeStripe.signature(
      payload,
      ['whsec_other', 'whsec_fake'],
      Math.floor(now.getTime() / 1000),
    );
    const headers = { 'stripe-signature': signature };
    expect(provider.verifyWebhook(Buffer.from(payload), headers, now)).toMatchObject({ ok: true });
    expect(provider.verifyWebhook(Buffer.from(`${payload} `), headers, now)).toMatchObject({
      ok: false,
      rejection: 'SIGNATURE_MISMATCH',
    });
    expect(
      provider.verifyWebhook(Buffer.from(payload), headers, new Date(now.getTime() + 301_000)),
    ).toMatchObject({
      ok: false,
      rejection: 'TIMESTAMP_OUT_OF_TOLERANCE',
    });
  });
});
