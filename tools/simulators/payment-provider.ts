/**
 * Plays Stripe for the payment service's `stripe` adapter: the PaymentIntents API (authorize with
 * manual capture, capture, cancel, refund; Stripe's test cards decide the outcome) and the signed
 * webhooks Stripe sends after each change. It is the very fake the payment e2e tests run against.
 */
import type { PartyOptions, PartySimulator } from './party';
import { startPaymentParty } from './payment-party';

export async function startPaymentProvider(
  options: PartyOptions & { readonly apiKey: string; readonly webhookSecret: string },
): Promise<PartySimulator> {
  const stripe = await startPaymentParty('stripe', { stripe: options });
  stripe.pointAt(options.serviceUrl);
  options.log(`payment provider: Stripe API at ${stripe.env.PAYMENT_STRIPE_API_BASE}`);
  return {
    env: stripe.env,
    async stop() {
      options.log(`payment provider: ${stripe.summary()}`);
      await stripe.stop();
    },
  };
}
