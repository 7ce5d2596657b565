import { SandboxCall, SandboxPaymentProvider, SANDBOX_TOKENS } from './sandbox.provider';
import { signWebhook } from './webhook-signature';

const orderId = '3f9a8c2e-5b7d-4e1f-9a6c-2d8b7e4f1a90';

function sandbox(calls: SandboxCall[] = []) {
  return new SandboxPaymentProvider({
    webhookSecrets: ['sbx_secret'],
    webhookToleranceSeconds: 300,
    retry: { attempts: 3, initialBackoffMs: 0 },
    onCall: (call) => calls.push(call),
  });
}

function authorize(provider: SandboxPaymentProvider, token: string) {
  return provider.authorize({
    orderId,
    paymentId: 'a4b5c6d7-e8f9-4a0b-9c1d-2e3f4a5b6c7d',
    amount: 5390,
    currency: 'EUR',
    paymentMethodRef: token,
    idempotencyKey: `${orderId}:authorize`,
    description: 'Order o-1',
  });
}

describe('SandboxPaymentProvider test tokens', () => {
  it('sandbox_approve authorizes, deterministically', async () => {
    const provider = sandbox();
    const first = await authorize(provider, SANDBOX_TOKENS.approve);
    expect(first).toEqual({ kind: 'authorized', providerPaymentRef: `sbx_pi_${orderId}` });
    expect(await authorize(provider, SANDBOX_TOKENS.approve)).toEqual(first);
  });

  it('sandbox_decline and sandbox_insufficient_funds are declines with their codes, returned not thrown', async () => {
    expect(await authorize(sandbox(), SANDBOX_TOKENS.decline)).toMatchObject({
      kind: 'failed',
      reason: 'PAYMENT.DECLINED',
      declineCode: 'generic_decline',
    });
    expect(await authorize(sandbox(), SANDBOX_TOKENS.insufficientFunds)).toMatchObject({
      kind: 'failed',
      reason: 'PAYMENT.DECLINED',
      declineCode: 'insufficient_funds',
    });
  });

  it('sandbox_requires_action waits for the customer', async () => {
    expect(await authorize(sandbox(), SANDBOX_TOKENS.requiresAction)).toEqual({
      kind: 'requires-action',
      providerPaymentRef: `sbx_pi_${orderId}`,
    });
  });

  it('sandbox_timeout is retried a bounded number of times with the same key, then TIMED_OUT', async () => {
    const calls: SandboxCall[] = [];
    const outcome = await authorize(sandbox(calls), SANDBOX_TOKENS.timeout);
    expect(outcome).toMatchObject({ kind: 'failed', reason: 'PAYMENT.TIMED_OUT', mayHaveSucceeded: true });
    expect(calls.map((c) => c.attempt)).toEqual([1, 2, 3]);
    expect(new Set(calls.map((c) => c.idempotencyKey))).toEqual(new Set([`${orderId}:authorize`]));
  });

  it('an unknown token is an invalid payment method', async () => {
    expect(await authorize(sandbox(), 'tok_visa')).toMatchObject({
      kind: 'failed',
      reason: 'PAYMENT.INVALID_PAYMENT_METHOD',
    });
  });

  it('parses a signed webhook and refuses an unsigned one', () => {
    const body = Buffer.from(
      JSON.stringify({ id: 'evt_1', type: 'payment.authorized', data: { order_id: orderId } }),
    );
    const now = new Date();
    const header = signWebhook(body, 'sbx_secret', Math.floor(now.getTime() / 1000));
    expect(sandbox().verifyWebhook(body, { 'sandbox-signature': header }, now)).toEqual({
      ok: true,
      event: {
        providerEventId: 'evt_1',
        type: 'payment.authorized',
        orderId,
        outcome: { kind: 'authorized', providerPaymentRef: `sbx_pi_${orderId}` },
      },
    });
    expect(sandbox().verifyWebhook(body, {}, now)).toMatchObject({
      ok: false,
      rejection: 'SIGNATURE_MISSING',
    });
    expect(
      sandbox().verifyWebhook(
        body,
        { 'sandbox-signature': signWebhook(body, 'wrong', Math.floor(now.getTime() / 1000)) },
        now,
      ),
    ).toMatchObject({
      ok: false,
      rejection: 'SIGNATURE_MISMATCH',
    });
  });
});
