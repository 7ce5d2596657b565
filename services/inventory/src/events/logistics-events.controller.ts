import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { ShipmentCreatedV1 } from '@waybill/contracts';
import { EventContext, OWN_TRANSACTION } from '@waybill/eventing';
import { CommitReservationService } from '../commit-reservation/commit-reservation.service';

@Controller()
export class LogisticsEventsController {
  constructor(private readonly commitReservation: CommitReservationService) {}

  // Locks stock rows that many orders share: never in a run with other messages.
  @EventPattern('waybill.shipment.created.v1', OWN_TRANSACTION)
  async onShipmentCreated(@Payload() event: ShipmentCreatedV1, @Ctx() ctx: EventContext): Promise<void> {
    await this.commitReservation.onShipmentCreated(event, ctx);
  }
}
