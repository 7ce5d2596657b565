import { IsUUID } from 'class-validator';
import { EventContract } from '../../registry/event-contract';
import { TOPICS } from '../../topics';
import { Describe, IsExternalId, IsSlug, IsText, IsTimestamp, OptionalProperty } from '../common/field-rules';

@EventContract({
  type: 'waybill.shipment.exception.v1',
  topic: TOPICS.logistics,
  description:
    'The carrier reported a problem (damage, lost, address issue) that needs an operator. Key: orderId.',
})
export class ShipmentExceptionV1 {
  @IsUUID()
  orderId!: string;

  @IsUUID()
  shipmentId!: string;

  @IsSlug()
  carrier!: string;

  @IsExternalId(64)
  trackingNumber!: string;

  @Describe("The carrier's own status or exception code, as received.")
  @IsText(200)
  carrierStatus!: string;

  @OptionalProperty()
  @Describe("The carrier's explanation (free text).")
  @IsText(500)
  message?: string;

  @IsTimestamp()
  occurredAt!: string;
}
