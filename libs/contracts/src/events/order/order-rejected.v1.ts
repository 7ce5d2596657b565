import { IsIn, IsString, IsUUID } from 'class-validator';
import { EventContract } from '../../registry/event-contract';
import { TOPICS } from '../../topics';
import {
  Describe,
  IsNestedArray,
  IsText,
  IsTimestamp,
  MAX_LINES,
  OptionalProperty,
} from '../common/field-rules';
import { ShortLine } from '../common/short-line';

export const ORDER_REJECTION_REASONS = ['ORDER.INSUFFICIENT_STOCK', 'ORDER.UNKNOWN_SKU'] as const;
export type OrderRejectionReason = (typeof ORDER_REJECTION_REASONS)[number];

@EventContract({
  type: 'waybill.order.rejected.v1',
  topic: TOPICS.order,
  description: 'The order cannot be fulfilled (nothing was reserved or charged). Key: orderId.',
})
export class OrderRejectedV1 {
  @IsUUID()
  orderId!: string;

  @IsIn(ORDER_REJECTION_REASONS)
  @IsString()
  reason!: OrderRejectionReason;

  @Describe('The lines that could not be reserved.')
  @IsNestedArray(() => ShortLine, 0, MAX_LINES)
  shortLines!: ShortLine[];

  @OptionalProperty()
  @Describe('Explanation for people; not for branching on.')
  @IsText(500)
  message?: string;

  @IsTimestamp()
  rejectedAt!: string;
}
