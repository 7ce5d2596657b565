import { Injectable } from '@nestjs/common';
import { PaymentConfig } from '../payment.config';
import { AlipayPaymentProvider } from './alipay.provider';
import type { PaymentProvider } from './payment-provider';
import { PrepaidPaymentProvider } from './prepaid.provider';
import { SandboxPaymentProvider } from './sandbox.provider';
import { StripePaymentProvider } from './stripe.provider';
import { UnionPayPaymentProvider } from './unionpay.provider';
import { WechatPayPaymentProvider } from './wechatpay.provider';

/** The configured providers by slug. An unknown or unconfigured one is simply absent. */
@Injectable()
export class PaymentProviders {
  private readonly byName = new Map<string, PaymentProvider>();

  constructor(config: PaymentConfig) {
    const retry = {
      attempts: config.PAYMENT_PROVIDER_MAX_ATTEMPTS,
      initialBackoffMs: config.PAYMENT_PROVIDER_RETRY_BACKOFF_MS,
    };
    const webhookToleranceSeconds = config.PAYMENT_WEBHOOK_TOLERANCE_SECONDS;
    if (config.sandboxEnabled) {
      this.add(
        new SandboxPaymentProvider({
          webhookSecrets: config.PAYMENT_SANDBOX_WEBHOOK_SECRET ?? [],
          webhookToleranceSeconds,
          retry,
        }),
      );
    }
    if (config.PAYMENT_PREPAID_ENABLED) {
      this.add(new PrepaidPaymentProvider());
    }
    if (config.PAYMENT_STRIPE_API_KEY) {
      this.add(
        new StripePaymentProvider({
          apiBase: config.PAYMENT_STRIPE_API_BASE,
          apiKey: config.PAYMENT_STRIPE_API_KEY,
          webhookSecrets: config.PAYMENT_STRIPE_WEBHOOK_SECRET ?? [],
          webhookToleranceSeconds,
          timeoutMs: config.PAYMENT_PROVIDER_TIMEOUT_MS,
          retry,
        }),
      );
    }
    // The settings go together (SetTogether): one of them set means all of them are.
    if (config.PAYMENT_WECHATPAY_MCH_ID) {
      this.add(
        new WechatPayPaymentProvider({
          apiBase: config.PAYMENT_WECHATPAY_API_BASE,
          mchId: config.PAYMENT_WECHATPAY_MCH_ID,
          appId: required(config.PAYMENT_WECHATPAY_APP_ID),
          merchantSerialNo: required(config.PAYMENT_WECHATPAY_SERIAL_NO),
          merchantPrivateKey: required(config.PAYMENT_WECHATPAY_PRIVATE_KEY),
          apiV3Key: required(config.PAYMENT_WECHATPAY_API_V3_KEY),
          publicKeyId: required(config.PAYMENT_WECHATPAY_PUBLIC_KEY_ID),
          publicKey: required(config.PAYMENT_WECHATPAY_PUBLIC_KEY),
          notifyUrl: notifyUrl(config, 'wechatpay'),
          payTimeoutMinutes: config.PAYMENT_WECHATPAY_PAY_TIMEOUT_MINUTES,
          toleranceSeconds: webhookToleranceSeconds,
          timeoutMs: config.PAYMENT_PROVIDER_TIMEOUT_MS,
          retry,
        }),
      );
    }
    if (config.PAYMENT_ALIPAY_APP_ID) {
      this.add(
        new AlipayPaymentProvider({
          appId: config.PAYMENT_ALIPAY_APP_ID,
          privateKey: required(config.PAYMENT_ALIPAY_PRIVATE_KEY),
          alipayPublicKey: required(config.PAYMENT_ALIPAY_PUBLIC_KEY),
          gateway: config.PAYMENT_ALIPAY_GATEWAY,
          mode: config.PAYMENT_ALIPAY_MODE,
          payTimeoutMinutes: config.PAYMENT_ALIPAY_PAY_TIMEOUT_MINUTES,
          notifyUrl: notifyUrl(config, 'alipay'),
          webhookToleranceSeconds,
          timeoutMs: config.PAYMENT_PROVIDER_TIMEOUT_MS,
          retry,
        }),
      );
    }
    // @SetTogether makes the merchant id enough: the key and the certificates are set with it.
    if (config.PAYMENT_UNIONPAY_MER_ID) {
      const publicBase = config.PAYMENT_PUBLIC_BASE_URL.replace(/\/+$/, '');
      this.add(
        new UnionPayPaymentProvider({
          merId: config.PAYMENT_UNIONPAY_MER_ID,
          signKey: required(config.PAYMENT_UNIONPAY_SIGN_KEY),
          signCert: required(config.PAYMENT_UNIONPAY_SIGN_CERT),
          rootCert: required(config.PAYMENT_UNIONPAY_ROOT_CERT),
          middleCert: required(config.PAYMENT_UNIONPAY_MIDDLE_CERT),
          apiBase: config.PAYMENT_UNIONPAY_API_BASE,
          mode: config.PAYMENT_UNIONPAY_MODE,
          payTimeoutMinutes: config.PAYMENT_UNIONPAY_PAY_TIMEOUT_MINUTES,
          notifyUrl: notifyUrl(config, 'unionpay'),
          // No storefront return URL is configured yet: the buyer comes back to the service's base.
          frontUrl: `${publicBase}/`,
          // Production's rule everywhere: even UnionPay's sandbox signing certificate names UnionPay.
          checkCnName: true,
          timeoutMs: config.PAYMENT_PROVIDER_TIMEOUT_MS,
          retry,
        }),
      );
    }
  }

  get(name: string | undefined): PaymentProvider | undefined {
    return name === undefined ? undefined : this.byName.get(name);
  }

  private add(provider: PaymentProvider): void {
    this.byName.set(provider.name, provider);
  }
}

function required(value: string | undefined): string {
  if (value === undefined) {
    throw new Error('a gateway setting is missing although its group is set (SetTogether)');
  }
  return value;
}

/** Where a gateway sends its notifies: PAYMENT_PUBLIC_BASE_URL + /v1/webhooks/payments/<provider>. */
function notifyUrl(config: PaymentConfig, provider: string): string {
  const base = config.PAYMENT_PUBLIC_BASE_URL;
  return new URL(`v1/webhooks/payments/${provider}`, base.endsWith('/') ? base : `${base}/`).toString();
}
