import { IsUUID } from 'class-validator';
import { EventContract } from '../../registry/event-contract';
import { TOPICS } from '../../topics';
import { IsCurrencyCode, IsMoney, IsSlug, IsTimestamp } from '../common/field-rules';

@EventContract({
  type: 'waybill.payment.captured.v1',
  topic: TOPICS.payment,
  description: 'The authorized amount was collected (on shipment). Key: orderId.',
})
export class PaymentCapturedV1 {
  @IsUUID()
  orderId!: string;

  @IsUUID()
  paymentId!: string;

  @IsSlug()
  provider!: string;

  @IsMoney()
  amount!: number;

  @IsCurrencyCode()
  currency!: string;

  @IsTimestamp()
  capturedAt!: string;
}
