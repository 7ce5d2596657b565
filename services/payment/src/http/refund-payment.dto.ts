import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { PAYMENT_REFUND_REASONS, PaymentRefundReason } from '@waybill/contracts';

export class RefundPaymentDto {
  /** Minor units; default: everything captured and not yet refunded. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER)
  amount?: number;

  @IsOptional()
  @IsIn(PAYMENT_REFUND_REASONS)
  reason?: PaymentRefundReason;
}
