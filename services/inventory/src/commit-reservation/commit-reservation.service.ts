import { Injectable, Logger } from '@nestjs/common';
import { ShipmentCreatedV1 } from '@waybill/contracts';
import type { EventCause, UnitOfWork } from '@waybill/eventing';
import { decideTransition } from '../domain/reservation-status';
import { ReservationRepository } from '../persistence/reservation.repository';
import { StockRepository } from '../persistence/stock.repository';
import { ReplenishmentPlanner } from '../policies/replenishment-planner';
import { stockCommitted } from '../policies/reservation-events';

export type CommitOutcome = 'committed' | 'ignored';

export interface CommitReservationCommand {
  readonly shipment: ShipmentCreatedV1;
  readonly cause?: EventCause;
}

/**
 * The goods left with the carrier (shipment.created): the reservation becomes a stock decrement.
 * Final: once committed, nothing in the saga gives the units back.
 */
@Injectable()
export class CommitReservation {
  private readonly logger = new Logger(CommitReservation.name);

  constructor(
    private readonly stock: StockRepository,
    private readonly reservations: ReservationRepository,
    private readonly replenishment: ReplenishmentPlanner,
  ) {}

  async execute(uow: UnitOfWork, { shipment, cause }: CommitReservationCommand): Promise<CommitOutcome> {
    const eventId = cause?.eventId ?? '(direct)';
    const reservation = await this.reservations.findByOrder(uow.manager, shipment.orderId, { lock: true });
    if (!reservation) {
      this.logger.warn(
        `shipment.created ${eventId}: shipment ${shipment.shipmentId} of order ${shipment.orderId} ` +
          `has no reservation, nothing committed`,
      );
      return 'ignored';
    }
    const transition = decideTransition(reservation.status, 'commit');
    if (transition.outcome === 'ignore') {
      const log = transition.reason === 'ALREADY_APPLIED' ? 'log' : 'warn';
      this.logger[log](
        `shipment.created ${eventId}: shipment ${shipment.shipmentId} of order ${shipment.orderId}: ` +
          `reservation ${reservation.id} is ${reservation.status}, nothing committed (${transition.reason})`,
      );
      return 'ignored';
    }
    await this.stock.commit(uow.manager, reservation.lines);
    const committedAt = await this.reservations.setStatus(uow.manager, [reservation.id], transition.to);
    await uow.publish(stockCommitted(reservation, committedAt));
    await this.replenishment.evaluate(
      uow,
      reservation.lines.map((line) => line.sku),
      'reorder_point',
      { lockedAlready: true, correlationId: reservation.correlationId ?? undefined },
    );
    return 'committed';
  }
}
