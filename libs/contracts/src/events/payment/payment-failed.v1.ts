import { IsIn, IsString, IsUUID } from 'class-validator';
import { EventContract } from '../../registry/event-contract';
import { TOPICS } from '../../topics';
import {
  Describe,
  IsCurrencyCode,
  IsExternalId,
  IsMoney,
  IsSlug,
  IsText,
  IsTimestamp,
  OptionalProperty,
} from '../common/field-rules';

export const PAYMENT_FAILURE_REASONS = [
  'PAYMENT.DECLINED',
  'PAYMENT.INVALID_PAYMENT_METHOD',
  'PAYMENT.AUTHENTICATION_FAILED',
  'PAYMENT.PROVIDER_ERROR',
  'PAYMENT.TIMED_OUT',
  /** The buyer never paid (a QR code never scanned) before the trade's pay timeout: it was closed. */
  'PAYMENT.EXPIRED',
] as const;
export type PaymentFailureReason = (typeof PAYMENT_FAILURE_REASONS)[number];

@EventContract({
  type: 'waybill.payment.failed.v1',
  topic: TOPICS.payment,
  description: 'The order amount could not be authorized; the order is cancelled. Key: orderId.',
})
export class PaymentFailedV1 {
  @IsUUID()
  orderId!: string;

  @IsUUID()
  paymentId!: string;

  @IsSlug()
  provider!: string;

  @IsIn(PAYMENT_FAILURE_REASONS)
  @IsString()
  reason!: PaymentFailureReason;

  @OptionalProperty()
  @Describe("The provider's decline code as it sent it, e.g. insufficient_funds.")
  @IsExternalId(64)
  declineCode?: string;

  @IsMoney()
  amount!: number;

  @IsCurrencyCode()
  currency!: string;

  @OptionalProperty()
  @Describe('Explanation for people; not for branching on.')
  @IsText(500)
  message?: string;

  @IsTimestamp()
  failedAt!: string;
}
