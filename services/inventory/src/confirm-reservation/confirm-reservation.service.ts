import { Injectable, Logger } from '@nestjs/common';
import { OrderConfirmedV1 } from '@waybill/contracts';
import { EventContext } from '@waybill/eventing';
import { decideTransition, statusesMovedBy } from '../domain/reservation-status';
import { ReservationRepository } from '../persistence/reservation.repository';

export type ConfirmOutcome = 'confirmed' | 'ignored';

/** The payment came (order.confirmed): the reservation stops expiring. No event of its own. */
@Injectable()
export class ConfirmReservationService {
  private readonly logger = new Logger(ConfirmReservationService.name);

  constructor(private readonly reservations: ReservationRepository) {}

  async onOrderConfirmed(
    confirmed: OrderConfirmedV1,
    ctx: Pick<EventContext, 'manager' | 'event'>,
  ): Promise<ConfirmOutcome> {
    // The usual case in one statement; only when nothing moved is the reservation read, to say why.
    const moved = await this.reservations.moveByOrder(
      ctx.manager,
      confirmed.orderId,
      statusesMovedBy('confirm'),
      'CONFIRMED',
    );
    if (moved) {
      return 'confirmed';
    }
    const reservation = await this.reservations.findByOrder(ctx.manager, confirmed.orderId);
    if (!reservation) {
      this.logger.warn(
        `order.confirmed ${ctx.event.id}: order ${confirmed.orderId} has no reservation, ignored`,
      );
      return 'ignored';
    }
    const transition = decideTransition(reservation.status, 'confirm');
    // Released first (expired or cancelled): the order service learns it from stock-released.
    const log = reservation.status === 'RELEASED' ? 'warn' : 'log';
    this.logger[log](
      `order.confirmed ${ctx.event.id}: reservation ${reservation.id} of order ${confirmed.orderId} is ` +
        `${reservation.status}, not confirmed (${transition.outcome === 'ignore' ? transition.reason : 'raced'})`,
    );
    return 'ignored';
  }
}
