import { Injectable, Logger } from '@nestjs/common';
import { OrderConfirmedV1 } from '@waybill/contracts';
import { EventContext } from '@waybill/eventing';
import { decideTransition } from '../domain/reservation-status';
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
    const reservation = await this.reservations.findByOrder(ctx.manager, confirmed.orderId, { lock: true });
    if (!reservation) {
      this.logger.warn(
        `order.confirmed ${ctx.event.id}: order ${confirmed.orderId} has no reservation, ignored`,
      );
      return 'ignored';
    }
    const transition = decideTransition(reservation.status, 'confirm');
    if (transition.outcome === 'ignore') {
      // Released first (expired or cancelled): the order service learns it from stock-released.
      const log = reservation.status === 'RELEASED' ? 'warn' : 'log';
      this.logger[log](
        `order.confirmed ${ctx.event.id}: reservation ${reservation.id} of order ${confirmed.orderId} is ` +
          `${reservation.status}, not confirmed (${transition.reason})`,
      );
      return 'ignored';
    }
    await this.reservations.setStatus(ctx.manager, [reservation.id], transition.to);
    return 'confirmed';
  }
}
