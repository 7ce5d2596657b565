import { Injectable } from '@nestjs/common';
import { StockReleaseReason } from '@waybill/contracts';
import { OutgoingEvent } from '@waybill/eventing';
import { EntityManager } from 'typeorm';
import { totalPerSku } from '../domain/stock-allocation';
import { Reservation, ReservationRepository } from '../persistence/reservation.repository';
import { StockRepository } from '../persistence/stock.repository';
import { ReplenishmentPlanner } from '../replenishment/replenishment-planner';
import { stockReleased } from '../reservation-events';

/**
 * Gives locked reservations' units back to available and marks them RELEASED, in the caller's
 * transaction; returns the stock-released events for the caller to enqueue. The callers have
 * already decided (domain/reservation-status) that each reservation may be released.
 */
@Injectable()
export class ReservationReleaser {
  constructor(
    private readonly stock: StockRepository,
    private readonly reservations: ReservationRepository,
    private readonly replenishment: ReplenishmentPlanner,
  ) {}

  async release(
    manager: EntityManager,
    reservations: readonly Reservation[],
    reason: StockReleaseReason,
  ): Promise<OutgoingEvent[]> {
    if (reservations.length === 0) {
      return [];
    }
    // One UPDATE for the whole batch, one line per SKU, rows locked in SKU order.
    const lines = totalPerSku(reservations.flatMap((reservation) => reservation.lines));
    await this.stock.release(manager, lines);
    const releasedAt = await this.reservations.setStatus(
      manager,
      reservations.map((reservation) => reservation.id),
      'RELEASED',
      reason,
    );
    // Released units raise the position, so this rarely orders; it is checked as on every stock change.
    const { events } = await this.replenishment.evaluate(
      manager,
      lines.map((line) => line.sku),
      'reorder_point',
      { lockedAlready: true },
    );
    // The stock-released events first, one per reservation in order: callers pair them by index.
    return [...reservations.map((reservation) => stockReleased(reservation, reason, releasedAt)), ...events];
  }
}
