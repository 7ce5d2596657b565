import { Injectable } from '@nestjs/common';
import { StockReleaseReason } from '@waybill/contracts';
import type { UnitOfWork } from '@waybill/eventing';
import { totalPerSku } from '../domain/stock-allocation';
import { Reservation, ReservationRepository } from '../persistence/reservation.repository';
import { StockRepository } from '../persistence/stock.repository';
import { ReplenishmentPlanner } from './replenishment-planner';
import { stockReleased } from './reservation-events';

/**
 * Gives locked reservations' units back to available and marks them RELEASED in the caller's unit
 * of work, and publishes a stock-released for each, in the flow (correlation id) of the order that
 * reserved it. The callers have already decided (domain/reservation-status) that each reservation
 * may be released.
 */
@Injectable()
export class ReservationReleaser {
  constructor(
    private readonly stock: StockRepository,
    private readonly reservations: ReservationRepository,
    private readonly replenishment: ReplenishmentPlanner,
  ) {}

  async release(
    uow: UnitOfWork,
    reservations: readonly Reservation[],
    reason: StockReleaseReason,
  ): Promise<void> {
    if (reservations.length === 0) {
      return;
    }
    const { manager } = uow;
    // One UPDATE for the whole batch, one line per SKU, rows locked in SKU order.
    const lines = totalPerSku(reservations.flatMap((reservation) => reservation.lines));
    await this.stock.release(manager, lines);
    const releasedAt = await this.reservations.setStatus(
      manager,
      reservations.map((reservation) => reservation.id),
      'RELEASED',
      reason,
    );
    await uow.publish(
      reservations.map((reservation) => ({
        ...stockReleased(reservation, reason, releasedAt),
        // An expiry has no causing event: the reservation keeps the order's flow going.
        ...(reservation.correlationId ? { correlationId: reservation.correlationId } : {}),
      })),
    );
    // Released units raise the position, so this rarely orders; it is checked as on every stock change.
    await this.replenishment.evaluate(
      uow,
      lines.map((line) => line.sku),
      'reorder_point',
      { lockedAlready: true },
    );
  }
}
