import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { OrderPlacedV1, ShipmentCreatedV1 } from '@waybill/contracts';
import { EventContext } from '@waybill/eventing';
import { LinkShipments } from '../report-tracking/link-shipments.service';

/** What the channel learns from the saga: which Waybill order a channel order became, and its parcels. */
@Controller()
export class SagaEventHandlers {
  constructor(private readonly shipments: LinkShipments) {}

  @EventPattern('waybill.order.placed.v1')
  orderPlaced(@Payload() placed: OrderPlacedV1, @Ctx() ctx: EventContext): Promise<void> {
    return this.shipments.orderPlaced(ctx, placed);
  }

  @EventPattern('waybill.shipment.created.v1')
  shipmentCreated(@Payload() created: ShipmentCreatedV1, @Ctx() ctx: EventContext): Promise<void> {
    return this.shipments.shipmentCreated(ctx, created);
  }
}
