import { randomUUID } from 'node:crypto';
import { loadConfig } from '@waybill/platform';
import { FakeWechatPay } from '@waybill/testing/parties';
import { PaymentConfig } from '../payment.config';
import { PaymentProviders } from './payment-providers';
import { WechatPayPaymentProvider } from './wechatpay.provider';

const BASE = { WAYBILL_API_KEYS: '[]', NODE_ENV: 'test' };

describe('WeChat Pay in PaymentProviders', () => {
  let fake: FakeWechatPay;

  beforeAll(async () => {
    fake = await FakeWechatPay.start();
  });

  afterAll(() => fake.stop());

  it('is absent without its settings', () => {
    const providers = new PaymentProviders(loadConfig(PaymentConfig, BASE));
    expect(providers.get('wechatpay')).toBeUndefined();
  });

  it("is registered from the fake's env(), immediate, with the notify URL under PAYMENT_PUBLIC_BASE_URL", async () => {
    const config = loadConfig(PaymentConfig, {
      ...BASE,
      ...fake.env(),
      PAYMENT_PUBLIC_BASE_URL: 'https://pay.waybill.example/base',
    });
    const wechat = new PaymentProviders(config).get('wechatpay');
    expect(wechat).toBeInstanceOf(WechatPayPaymentProvider);
    expect(wechat?.captureMode).toBe('immediate');
    const orderId = randomUUID();
    await expect(
      wechat?.authorize({
        orderId,
        paymentId: randomUUID(),
        amount: 1,
        currency: 'CNY',
        paymentMethodRef: 'wechatpay_native',
        idempotencyKey: `${orderId}:authorize`,
        description: 'Waybill',
      }),
    ).resolves.toMatchObject({ kind: 'requires-action' });
    expect(fake.tradeFor(orderId)?.notifyUrl).toBe(
      'https://pay.waybill.example/base/v1/webhooks/payments/wechatpay',
    );
  });
});
