import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { loadConfig, sha256Hex } from '@waybill/platform';
import { FakeAlipay } from '@waybill/testing/parties';
import { PaymentConfig } from '../payment.config';
import { PaymentProviders } from './payment-providers';

const base = {
  WAYBILL_API_KEYS: JSON.stringify([{ sha256: sha256Hex('k'), principal: 'admin', scopes: [] }]),
};

function alipayEnv(): Record<string, string> {
  const app = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const alipay = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    PAYMENT_ALIPAY_APP_ID: '2021000000000001',
    // One env line with literal \n, as a PEM often arrives.
    PAYMENT_ALIPAY_PRIVATE_KEY: app.privateKey
      .export({ type: 'pkcs1', format: 'pem' })
      .toString()
      .replace(/\n/g, '\\n'),
    PAYMENT_ALIPAY_PUBLIC_KEY: alipay.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

describe('PaymentProviders and Alipay', () => {
  it('leaves Alipay out when its settings are not set', () => {
    expect(new PaymentProviders(loadConfig(PaymentConfig, base)).get('alipay')).toBeUndefined();
  });

  it('registers Alipay with its mode once the app id and both keys are set', () => {
    const direct = new PaymentProviders(loadConfig(PaymentConfig, { ...base, ...alipayEnv() })).get('alipay');
    expect(direct).toMatchObject({ name: 'alipay', captureMode: 'immediate' });
    const preauth = new PaymentProviders(
      loadConfig(PaymentConfig, { ...base, ...alipayEnv(), PAYMENT_ALIPAY_MODE: 'preauth' }),
    ).get('alipay');
    expect(preauth).toMatchObject({ name: 'alipay', captureMode: 'manual' });
    expect(preauth?.webhookAnswers?.accepted).toEqual({
      status: 200,
      contentType: 'text/plain; charset=utf-8',
      body: 'success',
    });
  });

  it("sends the notify URL under PAYMENT_PUBLIC_BASE_URL and the fake's gateway, keys and pay timeout", async () => {
    const fake = await FakeAlipay.start({ payTimeoutMinutes: 7 });
    try {
      const env = { ...base, ...fake.env(), PAYMENT_PUBLIC_BASE_URL: 'https://pay.waybill.example/' };
      const alipay = new PaymentProviders(loadConfig(PaymentConfig, env)).get('alipay')!;
      const orderId = randomUUID();
      const outcome = await alipay.authorize({
        orderId,
        paymentId: randomUUID(),
        amount: 100,
        currency: 'CNY',
        paymentMethodRef: 'alipay',
        idempotencyKey: `${orderId}:authorize`,
        description: 'Order',
      });
      expect(outcome.kind).toBe('requires-action');
      const call = fake.calls.at(-1)!;
      expect(call.params.notify_url).toBe('https://pay.waybill.example/v1/webhooks/payments/alipay');
      expect(call.biz).toMatchObject({ timeout_express: '7m', total_amount: '1.00' });
    } finally {
      await fake.stop();
    }
  });
});
