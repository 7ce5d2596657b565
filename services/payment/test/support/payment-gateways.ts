import { FakePaymentGateway, FakeWechatPay } from '@waybill/testing/parties';

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
];
