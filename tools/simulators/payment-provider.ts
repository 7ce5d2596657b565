/**
 * Plays Stripe for the payment service's `stripe` adapter: the PaymentIntents API (authorize with
 * manual capture, capture, cancel, refund; Stripe's test cards decide the outcome) and the signed
 * webhooks Stripe sends after each change. It is the very fake the payment e2e tests run against.
 */
import { FakeStripe } from '@waybill/testing/parties';
import type { PartyOptions, PartySimulator } from './party';

export async function startPaymentProvider(
  options: PartyOptions & { readonly apiKey: string; readonly webhookSecret: string },
): Promise<PartySimulator> {
  const stripe = await FakeStripe.start(options.apiKey);
  const endpoint = stripe.sendWebhooksTo(
    `${options.serviceUrl}/v1/webhooks/payments/stripe`,
    options.webhookSecret,
  );
  options.log(`payment provider: Stripe API at ${stripe.baseUrl}`);
  return {
    env: {
      PAYMENT_STRIPE_API_BASE: stripe.baseUrl,
      PAYMENT_STRIPE_API_KEY: options.apiKey,
      PAYMENT_STRIPE_WEBHOOK_SECRET: options.webhookSecret,
    },
    async stop() {
      options.log(
        `payment provider: ${stripe.intents.size} payment intents, webhooks ${endpoint.delivered} delivered, ${endpoint.failed} failed`,
      );
      await stripe.stop();
    },
  };
}
