import { IsIn, IsString, IsUUID } from 'class-validator';
import { EventContract } from '../../registry/event-contract';
import { TOPICS } from '../../topics';
import {
  Describe,
  IsCurrencyCode,
  IsMoney,
  IsSlug,
  IsTimestamp,
  OptionalProperty,
} from '../common/field-rules';

export const PAYMENT_REFUND_REASONS = [
  'PAYMENT.RETURNED',
  'PAYMENT.CUSTOMER_REQUEST',
  'PAYMENT.OPERATOR_REQUEST',
  /** The buyer paid after the payment had expired or the order was cancelled: paid back at once. */
  'PAYMENT.LATE_PAYMENT',
] as const;
export type PaymentRefundReason = (typeof PAYMENT_REFUND_REASONS)[number];

@EventContract({
  type: 'waybill.payment.refunded.v1',
  topic: TOPICS.payment,
  description: 'Captured money (all or part) was paid back. Key: orderId.',
})
export class PaymentRefundedV1 {
  @IsUUID()
  orderId!: string;

  @IsUUID()
  paymentId!: string;

  @Describe('Unique per refund; a payment may be refunded in parts.')
  @IsUUID()
  refundId!: string;

  @IsSlug()
  provider!: string;

  @Describe('Amount refunded by this refund, in minor units.')
  @IsMoney()
  amount!: number;

  @IsCurrencyCode()
  currency!: string;

  @OptionalProperty()
  @IsIn(PAYMENT_REFUND_REASONS)
  @IsString()
  reason?: PaymentRefundReason;

  @IsTimestamp()
  refundedAt!: string;
}
