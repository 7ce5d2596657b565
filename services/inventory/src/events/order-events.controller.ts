import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { OrderCancelledV1, OrderConfirmedV1, OrderPlacedV1 } from '@waybill/contracts';
import { EventContext, OWN_TRANSACTION } from '@waybill/eventing';
import { ConfirmReservationService } from '../confirm-reservation/confirm-reservation.service';
import { ReleaseReservationService } from '../release-reservation/release-reservation.service';
import { ReserveStockService } from '../reserve-stock/reserve-stock.service';

@Controller()
export class OrderEventsController {
  constructor(
    private readonly reserveStock: ReserveStockService,
    private readonly confirmReservation: ConfirmReservationService,
    private readonly releaseReservation: ReleaseReservationService,
  ) {}

  // Locks stock rows that many orders share: never in a run with other messages.
  @EventPattern('waybill.order.placed.v1', OWN_TRANSACTION)
  async onOrderPlaced(@Payload() event: OrderPlacedV1, @Ctx() ctx: EventContext): Promise<void> {
    await this.reserveStock.reserve(event, ctx);
  }

  @EventPattern('waybill.order.confirmed.v1')
  async onOrderConfirmed(@Payload() event: OrderConfirmedV1, @Ctx() ctx: EventContext): Promise<void> {
    await this.confirmReservation.onOrderConfirmed(event, ctx);
  }

  // Locks stock rows that many orders share: never in a run with other messages.
  @EventPattern('waybill.order.cancelled.v1', OWN_TRANSACTION)
  async onOrderCancelled(@Payload() event: OrderCancelledV1, @Ctx() ctx: EventContext): Promise<void> {
    await this.releaseReservation.onOrderCancelled(event, ctx);
  }
}
