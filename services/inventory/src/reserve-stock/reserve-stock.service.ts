import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { OrderPlacedV1 } from '@waybill/contracts';
import type { EventCause, UnitOfWork } from '@waybill/eventing';
import { decideAllocation, totalPerSku } from '../domain/stock-allocation';
import { InventoryConfig } from '../inventory.config';
import { ReplenishmentPlanner } from '../policies/replenishment-planner';
import { ReservationRepository } from '../persistence/reservation.repository';
import { StockRepository } from '../persistence/stock.repository';
import { stockRejected, stockReserved } from '../policies/reservation-events';

export type ReserveOutcome = 'reserved' | 'rejected' | 'already-decided';

export interface ReserveStockCommand {
  readonly order: OrderPlacedV1;
  /** The order.placed it answers; its correlation id goes on the reservation. */
  readonly cause?: EventCause;
}

/**
 * Saga step "reserve stock" for order.placed: every line or none.
 * Compensation: release-reservation (order.cancelled) and expire-reservations (no payment in time).
 *
 * No oversell under any concurrency: the order's stock rows are locked in SKU order, the decision
 * is taken on the locked values, and the UPDATE repeats the availability condition; the table's
 * CHECK (reserved <= on_hand) backs all of it.
 */
@Injectable()
export class ReserveStock {
  private readonly logger = new Logger(ReserveStock.name);

  constructor(
    private readonly config: InventoryConfig,
    private readonly stock: StockRepository,
    private readonly reservations: ReservationRepository,
    private readonly replenishment: ReplenishmentPlanner,
  ) {}

  async execute(uow: UnitOfWork, { order, cause }: ReserveStockCommand): Promise<ReserveOutcome> {
    const { manager } = uow;
    // The inbox only knows event ids; a redelivery with a new event id is caught by the order id.
    const existing = await this.reservations.findByOrder(manager, order.orderId);
    if (existing) {
      this.logger.log(
        `order.placed ${cause?.eventId ?? '(direct)'} for order ${order.orderId}: already decided (${existing.status}), ignored`,
      );
      return 'already-decided';
    }

    const requested = totalPerSku(order.lines);
    const levels = await this.stock.lock(
      manager,
      requested.map((line) => line.sku),
    );
    const decision = decideAllocation(requested, levels);
    const correlationId = cause?.correlationId;

    if (decision.outcome === 'reject') {
      // Recorded, so a redelivered order.placed is not tried again once stock arrives.
      const rejection = await this.reservations.insert(manager, {
        id: randomUUID(),
        orderId: order.orderId,
        status: 'REJECTED',
        lines: requested,
        ttlSeconds: 0,
        correlationId,
      });
      await uow.publish(stockRejected(order.orderId, decision, rejection.createdAt));
      return 'rejected';
    }

    await this.stock.reserve(manager, decision.lines);
    const reservation = await this.reservations.insert(manager, {
      id: randomUUID(),
      orderId: order.orderId,
      status: 'RESERVED',
      lines: decision.lines,
      ttlSeconds: this.config.INVENTORY_RESERVATION_TTL_SECONDS,
      correlationId,
    });
    await uow.publish(stockReserved(reservation));
    // Decided on the rows this transaction still holds locked, so it sees exactly the stock it left.
    await this.replenishment.evaluate(
      uow,
      decision.lines.map((line) => line.sku),
      'reorder_point',
      { lockedAlready: true, correlationId },
    );
    return 'reserved';
  }
}
