import { Injectable, Logger } from '@nestjs/common';
import { ShipmentCreatedV1 } from '@waybill/contracts';
import { EventContext } from '@waybill/eventing';
import { decideTransition } from '../domain/reservation-status';
import { ReservationRepository } from '../persistence/reservation.repository';
import { StockRepository } from '../persistence/stock.repository';
import { ReplenishmentPlanner } from '../replenishment/replenishment-planner';
import { stockCommitted } from '../reservation-events';

export type CommitOutcome = 'committed' | 'ignored';

/**
 * The goods left with the carrier (shipment.created): the reservation becomes a stock decrement.
 * Final: once committed, nothing in the saga gives the units back.
 */
@Injectable()
export class CommitReservationService {
  private readonly logger = new Logger(CommitReservationService.name);

  constructor(
    private readonly stock: StockRepository,
    private readonly reservations: ReservationRepository,
    private readonly replenishment: ReplenishmentPlanner,
  ) {}

  async onShipmentCreated(
    shipment: ShipmentCreatedV1,
    ctx: Pick<EventContext, 'manager' | 'publish' | 'event'>,
  ): Promise<CommitOutcome> {
    const reservation = await this.reservations.findByOrder(ctx.manager, shipment.orderId, { lock: true });
    if (!reservation) {
      this.logger.warn(
        `shipment.created ${ctx.event.id}: shipment ${shipment.shipmentId} of order ${shipment.orderId} ` +
          `has no reservation, nothing committed`,
      );
      return 'ignored';
    }
    const transition = decideTransition(reservation.status, 'commit');
    if (transition.outcome === 'ignore') {
      const log = transition.reason === 'ALREADY_APPLIED' ? 'log' : 'warn';
      this.logger[log](
        `shipment.created ${ctx.event.id}: shipment ${shipment.shipmentId} of order ${shipment.orderId}: ` +
          `reservation ${reservation.id} is ${reservation.status}, nothing committed (${transition.reason})`,
      );
      return 'ignored';
    }
    await this.stock.commit(ctx.manager, reservation.lines);
    const committedAt = await this.reservations.setStatus(ctx.manager, [reservation.id], transition.to);
    await ctx.publish(stockCommitted(reservation, committedAt));
    const { events } = await this.replenishment.evaluate(
      ctx.manager,
      reservation.lines.map((line) => line.sku),
      'reorder_point',
      { lockedAlready: true, correlationId: reservation.correlationId ?? undefined },
    );
    await ctx.publish(events);
    return 'committed';
  }
}
