import { IsIn, IsString, IsUUID } from 'class-validator';
import { EventContract } from '../../registry/event-contract';
import { TOPICS } from '../../topics';
import { IsNestedArray, IsTimestamp, MAX_LINES } from '../common/field-rules';
import { StockLine } from '../common/stock-line';

export const STOCK_RELEASE_REASONS = ['INVENTORY.ORDER_CANCELLED', 'INVENTORY.RESERVATION_EXPIRED'] as const;
export type StockReleaseReason = (typeof STOCK_RELEASE_REASONS)[number];

@EventContract({
  type: 'waybill.inventory.stock-released.v1',
  topic: TOPICS.inventory,
  description: 'A reservation was given back to available stock. Key: orderId.',
})
export class StockReleasedV1 {
  @IsUUID()
  orderId!: string;

  @IsUUID()
  reservationId!: string;

  @IsIn(STOCK_RELEASE_REASONS)
  @IsString()
  reason!: StockReleaseReason;

  @IsNestedArray(() => StockLine, 1, MAX_LINES)
  lines!: StockLine[];

  @IsTimestamp()
  releasedAt!: string;
}
