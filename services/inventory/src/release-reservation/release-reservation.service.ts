import { Injectable, Logger } from '@nestjs/common';
import { OrderCancelledV1 } from '@waybill/contracts';
import type { EventCause, UnitOfWork } from '@waybill/eventing';
import { decideTransition } from '../domain/reservation-status';
import { ReservationRepository } from '../persistence/reservation.repository';
import { ReservationReleaser } from '../policies/reservation-releaser';

export type ReleaseOutcome = 'released' | 'ignored';

export interface ReleaseReservationCommand {
  readonly cancelled: OrderCancelledV1;
  readonly cause?: EventCause;
}

/** Compensation of reserve-stock when the order is cancelled (payment failed, customer, operator…). */
@Injectable()
export class ReleaseReservation {
  private readonly logger = new Logger(ReleaseReservation.name);

  constructor(
    private readonly reservations: ReservationRepository,
    private readonly releaser: ReservationReleaser,
  ) {}

  async execute(uow: UnitOfWork, { cancelled, cause }: ReleaseReservationCommand): Promise<ReleaseOutcome> {
    const eventId = cause?.eventId ?? '(direct)';
    const reservation = await this.reservations.findByOrder(uow.manager, cancelled.orderId, { lock: true });
    if (!reservation) {
      this.logger.log(
        `order.cancelled ${eventId}: order ${cancelled.orderId} has no reservation, nothing to release`,
      );
      return 'ignored';
    }
    const transition = decideTransition(reservation.status, 'release');
    if (transition.outcome === 'ignore') {
      this.logger.log(
        `order.cancelled ${eventId}: reservation ${reservation.id} of order ${cancelled.orderId} is ` +
          `${reservation.status}, nothing to release (${transition.reason})`,
      );
      return 'ignored';
    }
    await this.releaser.release(uow, [reservation], 'INVENTORY.ORDER_CANCELLED');
    return 'released';
  }
}
