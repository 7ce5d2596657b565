import { IsUUID } from 'class-validator';
import { EventContract } from '../../registry/event-contract';
import { TOPICS } from '../../topics';
import { IsTimestamp } from '../common/field-rules';

@EventContract({
  type: 'waybill.order.completed.v1',
  topic: TOPICS.order,
  description: 'The order was delivered; it is final. Key: orderId.',
})
export class OrderCompletedV1 {
  @IsUUID()
  orderId!: string;

  @IsUUID()
  shipmentId!: string;

  @IsTimestamp()
  deliveredAt!: string;

  @IsTimestamp()
  completedAt!: string;
}
