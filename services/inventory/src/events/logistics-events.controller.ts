import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { ShipmentCreatedV1 } from '@waybill/contracts';
import { EventContext } from '@waybill/eventing';
import { CommitReservationService } from '../commit-reservation/commit-reservation.service';

@Controller()
export class LogisticsEventsController {
  constructor(private readonly commitReservation: CommitReservationService) {}

  @EventPattern('waybill.shipment.created.v1')
  async onShipmentCreated(@Payload() event: ShipmentCreatedV1, @Ctx() ctx: EventContext): Promise<void> {
    await this.commitReservation.onShipmentCreated(event, ctx);
  }
}
