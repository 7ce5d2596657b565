import { FakeAlipay, FakePaymentGateway, FakeUnionPay, FakeWechatPay } from '@waybill/testing/parties';
import {
  fakeGatewayDriver,
  PaymentGatewayDriver,
  SandboxDriver,
  StripeDriver,
} from './payment-gateway-drivers';

/** Scenarios of the payment conformance suite that some providers have no equivalent of. */
export type ConformanceScenario =
  /** A payment method that asks nothing of the buyer is authorized at once. */
  | 'approved-at-once'
  /** The buyer never acts: past its deadline the payment is closed at the provider and fails EXPIRED. */
  | 'buyer-never-pays'
  /** The notify of the buyer's payment is lost: Waybill asks the provider and authorizes anyway. */
  | 'lost-notify'
  /** A refund is carried out but its answer is lost: retried under the same request number, one refund. */
  | 'lost-refund-answer'
  /** The buyer pays a moment after the close: the money is given back. */
  | 'paid-after-close';

/** A provider (and mode) the payment conformance suite and the saga e2e run against. */
export interface PaymentGatewayVariant {
  readonly name: string;
  readonly captureMode: 'manual' | 'immediate';
  start(): Promise<PaymentGatewayDriver>;
  /**
   * Where the buyer acts. `gateway`: at the gateway's QR code or payment page, which Waybill
   * announces (payment.action-required with a deadline) and asks the gateway about until it is
   * paid or closed. `card`: 3-D Secure, in the storefront (Stripe.js and the like), with no
   * deadline and nothing for Waybill to announce; the provider's signed webhook resolves it.
   */
  readonly buyerActs: 'gateway' | 'card';
  /** The scenarios with no equivalent at this provider, each with why: the suite has no test of them for it. */
  readonly notApplicable?: Readonly<Partial<Record<ConformanceScenario, string>>>;
  /** The provider's status of a payment it closed unpaid (or, for UnionPay, gave up), where there is a close. */
  readonly closedStatus?: string;
  /** The provider's status of a hold that was released (manual modes). */
  readonly releasedStatus?: string;
  /** What Waybill answers a notify it took (the body the gateway insists on). */
  readonly acceptedBody: string;
  /** What Waybill answers a notify it refused, in the gateway's own words. */
  readonly refusedBody: RegExp;
  /**
   * The variant the whole-saga e2e runs for its provider (one per provider: the e2e enables
   * every gateway at once, so one mode each).
   */
  readonly inSagaE2e?: boolean;
}

/** What every gateway whose buyer acts there (a QR code, a redirect) shares. */
const BUYER_AT_GATEWAY = {
  buyerActs: 'gateway',
  notApplicable: { 'approved-at-once': 'every payment waits for the buyer to scan or follow the redirect' },
} as const;

const fakeGateway = (start: () => Promise<FakePaymentGateway>) => async () =>
  fakeGatewayDriver(await start());

/**
 * Card providers: Waybill sets no deadline on a payment waiting for 3-D Secure (the provider gives
 * none) and so never asks about it nor closes it; an abandoned authentication ends in the
 * provider's own failure webhook (payment-stripe.e2e-spec.ts, "a failed authentication").
 */
const NO_DEADLINE =
  'a card payment waiting for 3-D Secure has no deadline, so Waybill never closes it: nothing expires';

/** Every provider, in each of its modes. */
export const PAYMENT_GATEWAY_VARIANTS: readonly PaymentGatewayVariant[] = [
  {
    name: 'wechatpay (immediate)',
    captureMode: 'immediate',
    ...BUYER_AT_GATEWAY,
    start: fakeGateway(() => FakeWechatPay.start()),
    closedStatus: 'CLOSED',
    acceptedBody: '{"code":"SUCCESS","message":"成功"}',
    refusedBody: /"code":"FAIL"/,
    inSagaE2e: true,
  },
  {
    name: 'alipay (direct)',
    captureMode: 'immediate',
    ...BUYER_AT_GATEWAY,
    start: fakeGateway(() => FakeAlipay.start({ mode: 'direct' })),
    closedStatus: 'TRADE_CLOSED',
    acceptedBody: 'success',
    refusedBody: /^fail$/,
  },
  {
    name: 'alipay (preauth)',
    captureMode: 'manual',
    ...BUYER_AT_GATEWAY,
    start: fakeGateway(() => FakeAlipay.start({ mode: 'preauth' })),
    closedStatus: 'CLOSED',
    releasedStatus: 'CLOSED',
    acceptedBody: 'success',
    refusedBody: /^fail$/,
    inSagaE2e: true,
  },
  {
    name: 'unionpay (direct)',
    captureMode: 'immediate',
    ...BUYER_AT_GATEWAY,
    start: fakeGateway(() => FakeUnionPay.start({ mode: 'direct' })),
    // UnionPay has no close: an unpaid consumption lapses at its own payTimeout (the payment's
    // deadline), and one paid before that arrives as a late payment and is refunded.
    closedStatus: 'WAITING',
    acceptedBody: 'ok',
    refusedBody: /^refused: WEBHOOK\./,
    inSagaE2e: true,
  },
  {
    name: 'unionpay (preauth)',
    captureMode: 'manual',
    ...BUYER_AT_GATEWAY,
    start: fakeGateway(() => FakeUnionPay.start({ mode: 'preauth' })),
    closedStatus: 'WAITING',
    releasedStatus: 'UNDONE',
    acceptedBody: 'ok',
    refusedBody: /^refused: WEBHOOK\./,
  },
  {
    name: 'stripe (manual capture)',
    captureMode: 'manual',
    start: () => StripeDriver.start(),
    buyerActs: 'card',
    notApplicable: {
      'buyer-never-pays': NO_DEADLINE,
      'lost-notify':
        'Waybill asks only about payments with a deadline (a card has none); a lost webhook comes again, as Stripe resends one not answered 2xx for up to three days (docs.stripe.com/webhooks/process-undelivered-events)',
      'paid-after-close':
        'there is no close to come after (see buyer-never-pays), and a canceled PaymentIntent is final: Stripe authenticates and confirms it no more',
    },
    releasedStatus: 'canceled',
    acceptedBody: '{"received":true,"duplicate":false,"ignored":false}',
    refusedBody: /"code":"WEBHOOK\.(SIGNATURE_MISMATCH|TIMESTAMP_OUT_OF_TOLERANCE)"/,
  },
  {
    name: 'sandbox (manual capture)',
    captureMode: 'manual',
    start: () => SandboxDriver.start(),
    buyerActs: 'card',
    notApplicable: {
      'buyer-never-pays': NO_DEADLINE,
      'lost-notify':
        'Waybill asks only about payments with a deadline (a card has none), and the sandbox keeps no state: asked, it would answer "still waiting"; only its webhook resolves a payment',
      'lost-refund-answer':
        'the sandbox answers in-process: there is no network between Waybill and it, so no answer can be lost (and nothing is retried)',
      'paid-after-close': 'there is no close to come after (see buyer-never-pays); the sandbox models Stripe',
    },
    releasedStatus: 'canceled',
    acceptedBody: '{"received":true,"duplicate":false,"ignored":false}',
    refusedBody: /"code":"WEBHOOK\.(SIGNATURE_MISMATCH|TIMESTAMP_OUT_OF_TOLERANCE)"/,
  },
];
