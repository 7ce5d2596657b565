import { IsUUID } from 'class-validator';
import { EventContract } from '../../registry/event-contract';
import { TOPICS } from '../../topics';
import { Describe, IsExternalId, IsSlug, IsTimestamp, OptionalProperty } from '../common/field-rules';

@EventContract({
  type: 'waybill.shipment.created.v1',
  topic: TOPICS.logistics,
  description: 'A shipment was booked with a carrier and has a tracking number. Key: orderId.',
})
export class ShipmentCreatedV1 {
  @IsUUID()
  orderId!: string;

  @IsUUID()
  shipmentId!: string;

  @Describe('Carrier id; the name used in /v1/webhooks/carriers/:carrier.')
  @IsSlug()
  carrier!: string;

  @IsExternalId(64)
  trackingNumber!: string;

  @OptionalProperty()
  @Describe('Where logistics stored the shipping label (a reference, never the label itself).')
  @IsExternalId(512)
  labelRef?: string;

  @IsTimestamp()
  createdAt!: string;
}
