import { IsUUID } from 'class-validator';
import { EventContract } from '../../registry/event-contract';
import { TOPICS } from '../../topics';
import { IsNestedArray, IsTimestamp, MAX_LINES } from '../common/field-rules';
import { StockLine } from '../common/stock-line';

@EventContract({
  type: 'waybill.inventory.stock-committed.v1',
  topic: TOPICS.inventory,
  description: 'Reserved stock left the warehouse: the reservation became a stock decrement. Key: orderId.',
})
export class StockCommittedV1 {
  @IsUUID()
  orderId!: string;

  @IsUUID()
  reservationId!: string;

  @IsNestedArray(() => StockLine, 1, MAX_LINES)
  lines!: StockLine[];

  @IsTimestamp()
  committedAt!: string;
}
