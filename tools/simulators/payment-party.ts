/**
 * One payment party over real HTTP, the same for `npm start` (payment-provider.ts,
 * payment-gateways.ts) and `npm run bench:saga`: which fake plays it, the payment service's
 * settings for it, how a buyer pays through it, and where its notifies and webhooks go. Kept in
 * one place so that the demo and the benchmark measure the same wiring.
 */
import { randomBytes } from 'node:crypto';
import {
  FakeAlipay,
  FakePaymentGateway,
  FakeStripe,
  FakeUnionPay,
  FakeWechatPay,
} from '@waybill/testing/parties';
import { APPROVED_CARD } from './storefront';

/** The parties, a gateway with a choice of capture mode named `gateway-mode`. */
export const PAYMENT_PARTY_NAMES = [
  'stripe',
  'wechatpay',
  'alipay-direct',
  'alipay-preauth',
  'unionpay-direct',
  'unionpay-preauth',
] as const;

export type PaymentPartyName = (typeof PAYMENT_PARTY_NAMES)[number];

export function isPaymentPartyName(name: string): name is PaymentPartyName {
  return (PAYMENT_PARTY_NAMES as readonly string[]).includes(name);
}

export interface PaymentPartyOptions {
  /** Stripe's credentials; new random ones when absent (`npm start` keeps its own across runs). */
  readonly stripe?: { readonly apiKey: string; readonly webhookSecret: string };
  /** For the gateways: the buyer pays this long after being shown the QR code or page, unless `neverPays`. */
  readonly autoPay?: { readonly afterMs: number; readonly neverPays?: (orderId: string) => boolean };
}

export interface PaymentParty {
  /** The payment service's provider slug. */
  readonly provider: string;
  /** What an order paid through this party is priced in, and the token its buyer sends. */
  readonly currency: string;
  readonly token: string;
  /** The payment service's environment for this party (API base, keys, secrets, mode). */
  readonly env: Readonly<Record<string, string>>;
  /** Told where the payment service listens, once it does: notifies and webhooks go there. */
  pointAt(paymentUrl: string): void;
  /** A line on what the party did, for the log when it stops. */
  summary(): string;
  stop(): Promise<void>;
}

export async function startPaymentParty(
  name: PaymentPartyName,
  options: PaymentPartyOptions = {},
): Promise<PaymentParty> {
  if (name === 'stripe') {
    return startStripe(options.stripe);
  }
  const gateway = await startGateway(name, options.autoPay);
  return {
    provider: gateway.provider,
    currency: 'CNY',
    token: 'buyer-pays-at-gateway',
    env: gateway.env(),
    pointAt: (paymentUrl) => gateway.setNotifyTarget(paymentUrl),
    summary: () => `${gateway.provider} gateway`,
    stop: () => gateway.stop(),
  };
}

async function startStripe(credentials: PaymentPartyOptions['stripe']): Promise<PaymentParty> {
  const stripe = await FakeStripe.start(credentials?.apiKey);
  const webhookSecret = credentials?.webhookSecret ?? `whsec_${randomBytes(24).toString('base64')}`;
  let delivered = (): string => 'no webhook endpoint';
  return {
    provider: 'stripe',
    currency: 'EUR',
    token: APPROVED_CARD,
    env: {
      PAYMENT_STRIPE_API_BASE: stripe.baseUrl,
      PAYMENT_STRIPE_API_KEY: stripe.apiKey,
      PAYMENT_STRIPE_WEBHOOK_SECRET: webhookSecret,
    },
    pointAt: (paymentUrl) => {
      const endpoint = stripe.sendWebhooksTo(`${paymentUrl}/v1/webhooks/payments/stripe`, webhookSecret);
      delivered = () => `webhooks ${endpoint.delivered} delivered, ${endpoint.failed} failed`;
    },
    summary: () => `${stripe.intents.size} payment intents, ${delivered()}`,
    stop: () => stripe.stop(),
  };
}

function startGateway(
  name: Exclude<PaymentPartyName, 'stripe'>,
  autoPay: PaymentPartyOptions['autoPay'],
): Promise<FakePaymentGateway> {
  switch (name) {
    case 'wechatpay':
      return FakeWechatPay.start({ autoPay });
    case 'alipay-direct':
      return FakeAlipay.start({ autoPay, mode: 'direct' });
    case 'alipay-preauth':
      return FakeAlipay.start({ autoPay, mode: 'preauth' });
    case 'unionpay-direct':
      return FakeUnionPay.start({ autoPay, mode: 'direct' });
    case 'unionpay-preauth':
      return FakeUnionPay.start({ autoPay, mode: 'preauth' });
  }
}
