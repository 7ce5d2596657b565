import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { OrderCancelledV1, OrderConfirmedV1, OrderPlacedV1 } from '@waybill/contracts';
import { EventContext, OWN_TRANSACTION } from '@waybill/eventing';
import { ConfirmReservation } from '../confirm-reservation/confirm-reservation.service';
import { ReleaseReservation } from '../release-reservation/release-reservation.service';
import { ReserveStock } from '../reserve-stock/reserve-stock.service';

/** The order saga's steps in inventory: reserve on placed, keep on confirmed, release on cancelled. */
@Controller()
export class OrderEventHandlers {
  constructor(
    private readonly reserveStock: ReserveStock,
    private readonly confirmReservation: ConfirmReservation,
    private readonly releaseReservation: ReleaseReservation,
  ) {}

  // Locks stock rows that many orders share: never in a run with other messages.
  @EventPattern('waybill.order.placed.v1', OWN_TRANSACTION)
  async onOrderPlaced(@Payload() order: OrderPlacedV1, @Ctx() ctx: EventContext): Promise<void> {
    await this.reserveStock.execute(ctx, { order, cause: ctx.cause });
  }

  @EventPattern('waybill.order.confirmed.v1')
  async onOrderConfirmed(@Payload() confirmed: OrderConfirmedV1, @Ctx() ctx: EventContext): Promise<void> {
    await this.confirmReservation.execute(ctx, { confirmed, cause: ctx.cause });
  }

  // Locks stock rows that many orders share: never in a run with other messages.
  @EventPattern('waybill.order.cancelled.v1', OWN_TRANSACTION)
  async onOrderCancelled(@Payload() cancelled: OrderCancelledV1, @Ctx() ctx: EventContext): Promise<void> {
    await this.releaseReservation.execute(ctx, { cancelled, cause: ctx.cause });
  }
}
