import { FakeAlipay, FakePaymentGateway, FakeUnionPay, FakeWechatPay } from '@waybill/testing/parties';

/** A gateway (and mode) the payment conformance suite and the saga e2e run against. */
export interface PaymentGatewayVariant {
  readonly name: string;
  readonly captureMode: 'manual' | 'immediate';
  start(): Promise<FakePaymentGateway>;
  /** The fake's trade status once an unpaid trade was closed (or, for UnionPay, given up). */
  readonly closedStatus: string;
  /** The fake's status of a hold that was released (manual modes). */
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

/** Every gateway whose buyer acts (a QR code, a redirect), in each of its modes. */
export const PAYMENT_GATEWAY_VARIANTS: readonly PaymentGatewayVariant[] = [
  {
    name: 'wechatpay (immediate)',
    captureMode: 'immediate',
    start: () => FakeWechatPay.start(),
    closedStatus: 'CLOSED',
    acceptedBody: '{"code":"SUCCESS","message":"成功"}',
    refusedBody: /"code":"FAIL"/,
    inSagaE2e: true,
  },
  {
    name: 'alipay (direct)',
    captureMode: 'immediate',
    start: () => FakeAlipay.start({ mode: 'direct' }),
    closedStatus: 'TRADE_CLOSED',
    acceptedBody: 'success',
    refusedBody: /^fail$/,
  },
  {
    name: 'alipay (preauth)',
    captureMode: 'manual',
    start: () => FakeAlipay.start({ mode: 'preauth' }),
    closedStatus: 'CLOSED',
    releasedStatus: 'CLOSED',
    acceptedBody: 'success',
    refusedBody: /^fail$/,
    inSagaE2e: true,
  },
  {
    name: 'unionpay (direct)',
    captureMode: 'immediate',
    start: () => FakeUnionPay.start({ mode: 'direct' }),
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
    start: () => FakeUnionPay.start({ mode: 'preauth' }),
    closedStatus: 'WAITING',
    releasedStatus: 'UNDONE',
    acceptedBody: 'ok',
    refusedBody: /^refused: WEBHOOK\./,
  },
];
