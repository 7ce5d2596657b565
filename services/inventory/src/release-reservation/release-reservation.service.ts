import { Injectable, Logger } from '@nestjs/common';
import { OrderCancelledV1 } from '@waybill/contracts';
import { EventContext } from '@waybill/eventing';
import { decideTransition } from '../domain/reservation-status';
import { ReservationRepository } from '../persistence/reservation.repository';
import { ReservationReleaser } from './reservation-releaser';

export type ReleaseOutcome = 'released' | 'ignored';

/** Compensation of reserve-stock when the order is cancelled (payment failed, customer, operator…). */
@Injectable()
export class ReleaseReservationService {
  private readonly logger = new Logger(ReleaseReservationService.name);

  constructor(
    private readonly reservations: ReservationRepository,
    private readonly releaser: ReservationReleaser,
  ) {}

  async onOrderCancelled(
    cancelled: OrderCancelledV1,
    ctx: Pick<EventContext, 'manager' | 'publish' | 'event'>,
  ): Promise<ReleaseOutcome> {
    const reservation = await this.reservations.findByOrder(ctx.manager, cancelled.orderId, { lock: true });
    if (!reservation) {
      this.logger.log(
        `order.cancelled ${ctx.event.id}: order ${cancelled.orderId} has no reservation, nothing to release`,
      );
      return 'ignored';
    }
    const transition = decideTransition(reservation.status, 'release');
    if (transition.outcome === 'ignore') {
      this.logger.log(
        `order.cancelled ${ctx.event.id}: reservation ${reservation.id} of order ${cancelled.orderId} is ` +
          `${reservation.status}, nothing to release (${transition.reason})`,
      );
      return 'ignored';
    }
    await ctx.publish(await this.releaser.release(ctx.manager, [reservation], 'INVENTORY.ORDER_CANCELLED'));
    return 'released';
  }
}
