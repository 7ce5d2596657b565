import { FakeStripe } from './fake-stripe';

/** The fake's idempotency as Stripe documents it (docs.stripe.com/api/idempotent_requests), over HTTP. */
describe('FakeStripe idempotency keys', () => {
  let stripe: FakeStripe;

  beforeAll(async () => {
    stripe = await FakeStripe.start();
  });

  afterAll(async () => {
    await stripe.stop();
  });

  function post(path: string, params: Record<string, string>, key: string, apiKey = stripe.apiKey) {
    return fetch(`${stripe.baseUrl}${path}`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${apiKey}`,
        'Content-Type': 'application/x-www-form-urlencoded',
        'Idempotency-Key': key,
      },
      body: new URLSearchParams(params).toString(),
    });
  }

  async function capturedIntent(key: string): Promise<string> {
    const created = await post(
      '/v1/payment_intents',
      { amount: '5390', currency: 'eur', payment_method: 'pm_card_visa', capture_method: 'manual' },
      `${key}:authorize`,
    );
    const intent = (await created.json()) as { id: string };
    expect((await post(`/v1/payment_intents/${intent.id}/capture`, {}, `${key}:capture`)).status).toBe(200);
    return intent.id;
  }

  it('a refund whose answer was lost is carried out once; the retry under its key gets the saved answer', async () => {
    const intentId = await capturedIntent('lost');
    stripe.loseNextAnswer('refund');
    const refund = { payment_intent: intentId, amount: '1000' };
    await expect(post('/v1/refunds', refund, 'lost:refund:1')).rejects.toThrow();
    expect(stripe.refundsOf(intentId)).toEqual([1000]);

    const retry = await post('/v1/refunds', refund, 'lost:refund:1');
    expect(retry.status).toBe(200);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(await retry.json()).toMatchObject({ object: 'refund', amount: 1000, payment_intent: intentId });
    expect(stripe.refundsOf(intentId)).toEqual([1000]);
  });

  it('the key with other parameters or on another endpoint is an idempotency_error, and does nothing', async () => {
    const intentId = await capturedIntent('reused');
    expect((await post('/v1/refunds', { payment_intent: intentId, amount: '1000' }, 'reused:r')).status).toBe(
      200,
    );
    const otherAmount = await post('/v1/refunds', { payment_intent: intentId, amount: '2000' }, 'reused:r');
    expect(otherAmount.status).toBe(400);
    expect(await otherAmount.json()).toMatchObject({ error: { type: 'idempotency_error' } });
    const otherEndpoint = await post(`/v1/payment_intents/${intentId}/cancel`, {}, 'reused:r');
    expect(otherEndpoint.status).toBe(400);
    expect(stripe.refundsOf(intentId)).toEqual([1000]);
    expect(stripe.intents.get(intentId)?.status).toBe('succeeded');
  });

  it('a request refused before the endpoint ran saves nothing: the same key then goes through', async () => {
    const intentId = await capturedIntent('unsaved');
    const refund = { payment_intent: intentId, amount: '500' };
    expect((await post('/v1/refunds', refund, 'unsaved:r', 'sk_test_wrong')).status).toBe(401);
    const retry = await post('/v1/refunds', refund, 'unsaved:r');
    expect(retry.status).toBe(200);
    expect(retry.headers.get('idempotent-replayed')).toBeNull();
    expect(stripe.refundsOf(intentId)).toEqual([500]);
  });
});
