import { Injectable } from '@nestjs/common';
import { PaymentConfig } from '../payment.config';
import { AlipayPaymentProvider } from './alipay.provider';
import type { PaymentProvider } from './payment-provider';
import { SandboxPaymentProvider } from './sandbox.provider';
import { StripePaymentProvider } from './stripe.provider';

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
    if (
      config.PAYMENT_ALIPAY_APP_ID &&
      config.PAYMENT_ALIPAY_PRIVATE_KEY &&
      config.PAYMENT_ALIPAY_PUBLIC_KEY
    ) {
      this.add(
        new AlipayPaymentProvider({
          appId: config.PAYMENT_ALIPAY_APP_ID,
          privateKey: config.PAYMENT_ALIPAY_PRIVATE_KEY,
          alipayPublicKey: config.PAYMENT_ALIPAY_PUBLIC_KEY,
          gateway: config.PAYMENT_ALIPAY_GATEWAY,
          mode: config.PAYMENT_ALIPAY_MODE,
          payTimeoutMinutes: config.PAYMENT_ALIPAY_PAY_TIMEOUT_MINUTES,
          notifyUrl: `${config.PAYMENT_PUBLIC_BASE_URL.replace(/\/+$/, '')}/v1/webhooks/payments/alipay`,
          webhookToleranceSeconds,
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
