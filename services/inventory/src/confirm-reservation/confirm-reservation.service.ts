import { Injectable, Logger } from '@nestjs/common';
import { OrderConfirmedV1 } from '@waybill/contracts';
import type { EventCause, UnitOfWork } from '@waybill/eventing';
import { decideTransition, statusesMovedBy } from '../domain/reservation-status';
import { ReservationRepository } from '../persistence/reservation.repository';

export type ConfirmOutcome = 'confirmed' | 'ignored';

export interface ConfirmReservationCommand {
  readonly confirmed: OrderConfirmedV1;
  readonly cause?: EventCause;
}

/** The payment came (order.confirmed): the reservation stops expiring. No event of its own. */
@Injectable()
export class ConfirmReservation {
  private readonly logger = new Logger(ConfirmReservation.name);

  constructor(private readonly reservations: ReservationRepository) {}

  async execute(uow: UnitOfWork, { confirmed, cause }: ConfirmReservationCommand): Promise<ConfirmOutcome> {
    const eventId = cause?.eventId ?? '(direct)';
    // The usual case in one statement; only when nothing moved is the reservation read, to say why.
    const moved = await this.reservations.moveByOrder(
      uow.manager,
      confirmed.orderId,
      statusesMovedBy('confirm'),
      'CONFIRMED',
    );
    if (moved) {
      return 'confirmed';
    }
    const reservation = await this.reservations.findByOrder(uow.manager, confirmed.orderId);
    if (!reservation) {
      this.logger.warn(`order.confirmed ${eventId}: order ${confirmed.orderId} has no reservation, ignored`);
      return 'ignored';
    }
    const transition = decideTransition(reservation.status, 'confirm');
    // Released first (expired or cancelled): the order service learns it from stock-released.
    const log = reservation.status === 'RELEASED' ? 'warn' : 'log';
    this.logger[log](
      `order.confirmed ${eventId}: reservation ${reservation.id} of order ${confirmed.orderId} is ` +
        `${reservation.status}, not confirmed (${transition.outcome === 'ignore' ? transition.reason : 'raced'})`,
    );
    return 'ignored';
  }
}
