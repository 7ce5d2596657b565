import { IsIn, IsString, IsUUID } from 'class-validator';
import { EventContract } from '../../registry/event-contract';
import { TOPICS } from '../../topics';
import { Describe, IsText, IsTimestamp, OptionalProperty } from '../common/field-rules';

export const ORDER_CANCELLATION_REASONS = [
  'ORDER.PAYMENT_FAILED',
  /** The buyer never paid (a QR code never scanned) before the payment's deadline. */
  'ORDER.PAYMENT_EXPIRED',
  'ORDER.RESERVATION_EXPIRED',
  'ORDER.CUSTOMER_REQUEST',
  'ORDER.OPERATOR_REQUEST',
] as const;
export type OrderCancellationReason = (typeof ORDER_CANCELLATION_REASONS)[number];

/** Inventory releases the reservation and payment voids the authorization when they see this. */
@EventContract({
  type: 'waybill.order.cancelled.v1',
  topic: TOPICS.order,
  description:
    'The order was cancelled before shipping; its reservation and authorization are to be undone. Key: orderId.',
})
export class OrderCancelledV1 {
  @IsUUID()
  orderId!: string;

  @IsIn(ORDER_CANCELLATION_REASONS)
  @IsString()
  reason!: OrderCancellationReason;

  @OptionalProperty()
  @Describe('The reservation to release, if one was made.')
  @IsUUID()
  reservationId?: string;

  @OptionalProperty()
  @Describe('The payment to void, if one was authorized.')
  @IsUUID()
  paymentId?: string;

  @OptionalProperty()
  @Describe('Explanation for people; not for branching on.')
  @IsText(500)
  message?: string;

  @IsTimestamp()
  cancelledAt!: string;
}
