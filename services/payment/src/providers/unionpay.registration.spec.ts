import { loadConfig } from '@waybill/platform';
import { FakeUnionPay } from '@waybill/testing/parties';
import { PaymentConfig } from '../payment.config';
import { PaymentProviders } from './payment-providers';
import { UnionPayPaymentProvider } from './unionpay.provider';

const BASE = { WAYBILL_API_KEYS: '[]', NODE_ENV: 'test' };

describe('PaymentProviders: UnionPay', () => {
  let fake: FakeUnionPay;

  beforeAll(async () => {
    fake = await FakeUnionPay.start({ mode: 'preauth' });
  });

  afterAll(() => fake.stop());

  it('is absent without its credentials', () => {
    const providers = new PaymentProviders(loadConfig(PaymentConfig, BASE));
    expect(providers.get('unionpay')).toBeUndefined();
  });

  it('is registered from the fake gateway env, PEM settings with escaped newlines included', () => {
    const env = fake.env();
    // As a PEM pasted into one env line arrives.
    const oneLine = env.PAYMENT_UNIONPAY_SIGN_KEY.replace(/\n/g, '\\n');
    const config = loadConfig(PaymentConfig, {
      ...BASE,
      ...env,
      PAYMENT_UNIONPAY_SIGN_KEY: oneLine,
      PAYMENT_PUBLIC_BASE_URL: 'https://pay.example',
    });
    const provider = new PaymentProviders(config).get('unionpay');
    expect(provider).toBeInstanceOf(UnionPayPaymentProvider);
    expect(provider?.captureMode).toBe('manual');
  });

  it('refuses a part of the credentials', () => {
    expect(() =>
      loadConfig(PaymentConfig, { ...BASE, PAYMENT_UNIONPAY_MER_ID: fake.env().PAYMENT_UNIONPAY_MER_ID }),
    ).toThrow(/PAYMENT_UNIONPAY_SIGN_KEY/);
  });
});
