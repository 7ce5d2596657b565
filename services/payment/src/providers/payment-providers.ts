import { Injectable } from '@nestjs/common';
import { PaymentConfig } from '../payment.config';
import type { PaymentProvider } from './payment-provider';
import { SandboxPaymentProvider } from './sandbox.provider';
import { StripePaymentProvider } from './stripe.provider';
import { UnionPayPaymentProvider } from './unionpay.provider';

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
    // @SetTogether makes the merchant id enough: the key and the certificates are set with it.
    if (
      config.PAYMENT_UNIONPAY_MER_ID &&
      config.PAYMENT_UNIONPAY_SIGN_KEY &&
      config.PAYMENT_UNIONPAY_SIGN_CERT &&
      config.PAYMENT_UNIONPAY_ROOT_CERT &&
      config.PAYMENT_UNIONPAY_MIDDLE_CERT
    ) {
      const publicBase = config.PAYMENT_PUBLIC_BASE_URL.replace(/\/+$/, '');
      this.add(
        new UnionPayPaymentProvider({
          merId: config.PAYMENT_UNIONPAY_MER_ID,
          signKey: config.PAYMENT_UNIONPAY_SIGN_KEY,
          signCert: config.PAYMENT_UNIONPAY_SIGN_CERT,
          rootCert: config.PAYMENT_UNIONPAY_ROOT_CERT,
          middleCert: config.PAYMENT_UNIONPAY_MIDDLE_CERT,
          apiBase: config.PAYMENT_UNIONPAY_API_BASE,
          mode: config.PAYMENT_UNIONPAY_MODE,
          payTimeoutMinutes: config.PAYMENT_UNIONPAY_PAY_TIMEOUT_MINUTES,
          notifyUrl: `${publicBase}/v1/webhooks/payments/unionpay`,
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
