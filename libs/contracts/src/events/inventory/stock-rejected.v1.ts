import { IsIn, IsString, IsUUID } from 'class-validator';
import { EventContract } from '../../registry/event-contract';
import { TOPICS } from '../../topics';
import { IsNestedArray, IsTimestamp, MAX_LINES } from '../common/field-rules';
import { ShortLine } from '../common/short-line';

export const STOCK_REJECTION_REASONS = ['INVENTORY.INSUFFICIENT_STOCK', 'INVENTORY.UNKNOWN_SKU'] as const;
export type StockRejectionReason = (typeof STOCK_REJECTION_REASONS)[number];

@EventContract({
  type: 'waybill.inventory.stock-rejected.v1',
  topic: TOPICS.inventory,
  description: 'The order cannot be reserved in full, so nothing was reserved. Key: orderId.',
})
export class StockRejectedV1 {
  @IsUUID()
  orderId!: string;

  @IsIn(STOCK_REJECTION_REASONS)
  @IsString()
  reason!: StockRejectionReason;

  @IsNestedArray(() => ShortLine, 1, MAX_LINES)
  shortLines!: ShortLine[];

  @IsTimestamp()
  rejectedAt!: string;
}
