import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { ShipmentCreatedV1 } from '@waybill/contracts';
import { EventContext, OWN_TRANSACTION } from '@waybill/eventing';
import { CommitReservation } from '../commit-reservation/commit-reservation.service';

/** The goods left: the reservation becomes a stock decrement. */
@Controller()
export class LogisticsEventHandlers {
  constructor(private readonly commitReservation: CommitReservation) {}

  // Locks stock rows that many orders share: never in a run with other messages.
  @EventPattern('waybill.shipment.created.v1', OWN_TRANSACTION)
  async onShipmentCreated(@Payload() shipment: ShipmentCreatedV1, @Ctx() ctx: EventContext): Promise<void> {
    await this.commitReservation.execute(ctx, { shipment, cause: ctx.cause });
  }
}
