import { IsUUID } from 'class-validator';
import { EventContract } from '../../registry/event-contract';
import { TOPICS } from '../../topics';
import { IsExternalId, IsSlug, IsTimestamp } from '../common/field-rules';

@EventContract({
  type: 'waybill.order.shipped.v1',
  topic: TOPICS.order,
  description: 'The parcel was handed to the carrier. Key: orderId.',
})
export class OrderShippedV1 {
  @IsUUID()
  orderId!: string;

  @IsUUID()
  shipmentId!: string;

  @IsSlug()
  carrier!: string;

  @IsExternalId(64)
  trackingNumber!: string;

  @IsTimestamp()
  shippedAt!: string;
}
