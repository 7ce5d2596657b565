import { loadConfig, sha256Hex } from '@waybill/platform';
import { PaymentConfig } from '../payment.config';
import type { PaymentProvider, SettleRequest } from './payment-provider';
import { PaymentProviders } from './payment-providers';
import { isPrepaidToken, PrepaidPaymentProvider } from './prepaid.provider';

const orderId = '3f9a8c2e-5b7d-4e1f-9a6c-2d8b7e4f1a90';
const token = 'shopify:5512345678901234567';

function authorize(paymentMethodRef: string) {
  return new PrepaidPaymentProvider().authorize({
    orderId,
    paymentId: 'a4b5c6d7-e8f9-4a0b-9c1d-2e3f4a5b6c7d',
    amount: 5390,
    currency: 'EUR',
    paymentMethodRef,
    idempotencyKey: `${orderId}:authorize`,
    description: `Order ${orderId}`,
  });
}

function settle(overrides: Partial<SettleRequest> = {}): SettleRequest {
  return {
    orderId,
    paymentId: 'a4b5c6d7-e8f9-4a0b-9c1d-2e3f4a5b6c7d',
    providerPaymentRef: token,
    amount: 5390,
    currency: 'EUR',
    idempotencyKey: `${orderId}:refund:1`,
    paymentAmount: 5390,
    ...overrides,
  };
}

describe('PrepaidPaymentProvider', () => {
  it('is an immediate provider: the money was taken on the platform before the order arrived', () => {
    expect(new PrepaidPaymentProvider()).toMatchObject({ name: 'prepaid', captureMode: 'immediate' });
  });

  it('authorizes a channel token at once, with the token as the payment reference', async () => {
    expect(await authorize(token)).toEqual({ kind: 'authorized', providerPaymentRef: token });
    expect(await authorize('youzan:E20250301101458012345')).toEqual({
      kind: 'authorized',
      providerPaymentRef: 'youzan:E20250301101458012345',
    });
  });

  it.each([
    ['no channel', '5512345678901234567'],
    ['an empty platform order id', 'shopify:'],
    ['an empty channel', ':5512345678901234567'],
    ['a channel that is not a slug', 'Shopify:5512345678901234567'],
    ['a blank in the order id', 'shopify:55 12'],
    ['a card token', 'pm_1PqRsT2eZvKYlo2C'],
  ])('refuses a token with %s as an invalid payment method', async (_case, bad) => {
    expect(isPrepaidToken(bad)).toBe(false);
    expect(await authorize(bad)).toMatchObject({ kind: 'failed', reason: 'PAYMENT.INVALID_PAYMENT_METHOD' });
  });

  it('answers void, refund and capture done: the merchant settles on the platform, Waybill records it', async () => {
    const provider: PaymentProvider = new PrepaidPaymentProvider();
    expect(await provider.refund(settle())).toEqual({ kind: 'done' });
    expect(await provider.void(settle({ idempotencyKey: `${orderId}:void` }))).toEqual({ kind: 'done' });
    expect(await provider.capture(settle({ idempotencyKey: `${orderId}:capture` }))).toEqual({
      kind: 'done',
    });
  });

  it('answers a query with the captured state of the payment it authorized, and no such payment otherwise', async () => {
    const provider: PaymentProvider = new PrepaidPaymentProvider();
    expect(await provider.query(settle())).toEqual({ kind: 'authorized', providerPaymentRef: token });
    expect(await provider.query(settle({ providerPaymentRef: undefined }))).toMatchObject({
      kind: 'failed',
      reason: 'PAYMENT.PROVIDER_ERROR',
    });
  });

  it('refuses every webhook unread: no platform sends any for these payments', () => {
    const provider: PaymentProvider = new PrepaidPaymentProvider();
    const body = Buffer.from(
      JSON.stringify({ id: 'evt_1', type: 'payment.captured', data: { order_id: orderId } }),
    );
    expect(provider.verifyWebhook(body, {})).toEqual({
      ok: false,
      rejection: 'NOT_CONFIGURED',
      message: expect.stringContaining('no webhooks'),
    });
    expect(provider.webhookHeaders).toEqual([]);
    expect(() => provider.readWebhook(body)).toThrow(/no webhooks/);
  });
});

describe('PaymentProviders and prepaid', () => {
  const base = {
    WAYBILL_API_KEYS: JSON.stringify([{ sha256: sha256Hex('k'), principal: 'admin', scopes: [] }]),
  };

  it('leaves prepaid out unless PAYMENT_PREPAID_ENABLED is set, in production or not', () => {
    for (const NODE_ENV of ['development', 'test', 'production']) {
      const config = loadConfig(PaymentConfig, { ...base, NODE_ENV });
      expect(config.PAYMENT_PREPAID_ENABLED).toBe(false);
      expect(new PaymentProviders(config).get('prepaid')).toBeUndefined();
    }
  });

  it('registers prepaid when enabled', () => {
    const config = loadConfig(PaymentConfig, {
      ...base,
      NODE_ENV: 'production',
      PAYMENT_PREPAID_ENABLED: 'true',
    });
    expect(new PaymentProviders(config).get('prepaid')).toBeInstanceOf(PrepaidPaymentProvider);
  });

  it('refuses a PAYMENT_PREPAID_ENABLED that is not a boolean, naming it', () => {
    expect(() => loadConfig(PaymentConfig, { ...base, PAYMENT_PREPAID_ENABLED: 'sometimes' })).toThrow(
      /PAYMENT_PREPAID_ENABLED.*boolean/s,
    );
  });
});
