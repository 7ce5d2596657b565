import { IsUUID } from 'class-validator';
import { EventContract } from '../../registry/event-contract';
import { TOPICS } from '../../topics';
import { IsExternalId, IsSlug, IsTimestamp } from '../common/field-rules';

@EventContract({
  type: 'waybill.shipment.delivered.v1',
  topic: TOPICS.logistics,
  description: 'The carrier delivered the shipment; the order completes. Key: orderId.',
})
export class ShipmentDeliveredV1 {
  @IsUUID()
  orderId!: string;

  @IsUUID()
  shipmentId!: string;

  @IsSlug()
  carrier!: string;

  @IsExternalId(64)
  trackingNumber!: string;

  @IsTimestamp()
  deliveredAt!: string;
}
