import { IsIn, IsString, IsUUID } from 'class-validator';
import { EventContract } from '../../registry/event-contract';
import { TOPICS } from '../../topics';
import { IsCurrencyCode, IsMoney, IsSlug, IsTimestamp } from '../common/field-rules';

export const PAYMENT_VOID_REASONS = ['PAYMENT.ORDER_CANCELLED', 'PAYMENT.AUTHORIZATION_EXPIRED'] as const;
export type PaymentVoidReason = (typeof PAYMENT_VOID_REASONS)[number];

@EventContract({
  type: 'waybill.payment.voided.v1',
  topic: TOPICS.payment,
  description: 'An authorization was released without capturing. Key: orderId.',
})
export class PaymentVoidedV1 {
  @IsUUID()
  orderId!: string;

  @IsUUID()
  paymentId!: string;

  @IsSlug()
  provider!: string;

  @IsIn(PAYMENT_VOID_REASONS)
  @IsString()
  reason!: PaymentVoidReason;

  @IsMoney()
  amount!: number;

  @IsCurrencyCode()
  currency!: string;

  @IsTimestamp()
  voidedAt!: string;
}
