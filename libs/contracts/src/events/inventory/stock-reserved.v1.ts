import { IsUUID } from 'class-validator';
import { EventContract } from '../../registry/event-contract';
import { TOPICS } from '../../topics';
import { Describe, IsNestedArray, IsTimestamp, MAX_LINES } from '../common/field-rules';
import { StockLine } from '../common/stock-line';

@EventContract({
  type: 'waybill.inventory.stock-reserved.v1',
  topic: TOPICS.inventory,
  description: 'Every line of the order is reserved (all or nothing). Key: orderId.',
})
export class StockReservedV1 {
  @IsUUID()
  orderId!: string;

  @IsUUID()
  reservationId!: string;

  @IsNestedArray(() => StockLine, 1, MAX_LINES)
  lines!: StockLine[];

  @Describe('When inventory releases the reservation unless it was committed.')
  @IsTimestamp()
  expiresAt!: string;

  @IsTimestamp()
  reservedAt!: string;
}
