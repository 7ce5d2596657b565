import { IsIn, IsString, IsUUID } from 'class-validator';
import { EventContract } from '../../registry/event-contract';
import { TOPICS } from '../../topics';
import { Describe, IsExternalId, IsSlug, IsText, IsTimestamp, OptionalProperty } from '../common/field-rules';
import { SHIPMENT_STATUSES, ShipmentStatus } from '../common/shipment-status';

@EventContract({
  type: 'waybill.shipment.status-changed.v1',
  topic: TOPICS.logistics,
  description: 'The carrier reported a shipment moving to another canonical status. Key: orderId.',
})
export class ShipmentStatusChangedV1 {
  @IsUUID()
  orderId!: string;

  @IsUUID()
  shipmentId!: string;

  @IsSlug()
  carrier!: string;

  @IsExternalId(64)
  trackingNumber!: string;

  @IsIn(SHIPMENT_STATUSES)
  @IsString()
  status!: ShipmentStatus;

  @IsIn(SHIPMENT_STATUSES)
  @IsString()
  previousStatus!: ShipmentStatus;

  @Describe("The carrier's own status code, as received; kept for support and for remapping.")
  @IsText(200)
  carrierStatus!: string;

  @OptionalProperty()
  @Describe('Where the parcel was, as the carrier reports it (free text).')
  @IsText(200)
  location?: string;

  @Describe('When it happened at the carrier (not when Waybill heard of it).')
  @IsTimestamp()
  occurredAt!: string;
}
