import { IsIn, IsString, IsUUID } from 'class-validator';
import { EventContract } from '../../registry/event-contract';
import { TOPICS } from '../../topics';
import {
  Describe,
  IsCurrencyCode,
  IsExternalId,
  IsMoney,
  IsNestedObject,
  IsSlug,
  IsText,
  IsTimestamp,
  OptionalProperty,
} from '../common/field-rules';

export const NEXT_ACTION_TYPES = ['qr_code', 'redirect'] as const;
export type NextActionType = (typeof NEXT_ACTION_TYPES)[number];

/** What the buyer must do for the payment to go through, for the storefront to render. */
export class PaymentNextAction {
  @Describe('qr_code: show `qrCode` as a QR code to scan; redirect: send the buyer to `url`.')
  @IsIn(NEXT_ACTION_TYPES)
  @IsString()
  type!: NextActionType;

  @OptionalProperty()
  @Describe("The QR code's content (Alipay precreate's qr_code, WeChat Pay Native's code_url); with qr_code.")
  @IsText(2048)
  qrCode?: string;

  @OptionalProperty()
  @Describe("The gateway's payment page (Alipay page pay, UnionPay front consumption); with redirect.")
  @IsText(8192)
  url?: string;
}

@EventContract({
  type: 'waybill.payment.action-required.v1',
  topic: TOPICS.payment,
  description:
    'The buyer must act (scan a QR code, follow a redirect) before the payment can go through; it expires at expiresAt. Key: orderId.',
})
export class PaymentActionRequiredV1 {
  @IsUUID()
  orderId!: string;

  @IsUUID()
  paymentId!: string;

  @IsSlug()
  provider!: string;

  @Describe("The provider's id of the payment, for support and reconciliation.")
  @IsExternalId()
  providerPaymentRef!: string;

  @IsMoney()
  amount!: number;

  @IsCurrencyCode()
  currency!: string;

  @IsNestedObject(() => PaymentNextAction)
  nextAction!: PaymentNextAction;

  @Describe(
    'When the provider closes the trade unless the buyer has paid; the payment then fails PAYMENT.EXPIRED.',
  )
  @IsTimestamp()
  expiresAt!: string;

  @IsTimestamp()
  requiredAt!: string;
}
