import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { OrderPlacedV1 } from '@waybill/contracts';
import { EventContext } from '@waybill/eventing';
import { decideAllocation, totalPerSku } from '../domain/stock-allocation';
import { InventoryConfig } from '../inventory.config';
import { ReplenishmentPlanner } from '../replenishment/replenishment-planner';
import { ReservationRepository } from '../persistence/reservation.repository';
import { StockRepository } from '../persistence/stock.repository';
import { stockRejected, stockReserved } from '../reservation-events';

export type ReserveOutcome = 'reserved' | 'rejected' | 'already-decided';

/**
 * Saga step "reserve stock" for order.placed: every line or none.
 * Compensation: release-reservation (order.cancelled) and expire-reservations (no payment in time).
 *
 * No oversell under any concurrency: the order's stock rows are locked in SKU order, the decision
 * is taken on the locked values, and the UPDATE repeats the availability condition; the table's
 * CHECK (reserved <= on_hand) backs all of it.
 */
@Injectable()
export class ReserveStockService {
  private readonly logger = new Logger(ReserveStockService.name);

  constructor(
    private readonly config: InventoryConfig,
    private readonly stock: StockRepository,
    private readonly reservations: ReservationRepository,
    private readonly replenishment: ReplenishmentPlanner,
  ) {}

  async reserve(
    order: OrderPlacedV1,
    ctx: Pick<EventContext, 'manager' | 'publish' | 'event'>,
  ): Promise<ReserveOutcome> {
    const { manager } = ctx;
    // The inbox only knows event ids; a redelivery with a new event id is caught by the order id.
    const existing = await this.reservations.findByOrder(manager, order.orderId);
    if (existing) {
      this.logger.log(
        `order.placed ${ctx.event.id} for order ${order.orderId}: already decided (${existing.status}), ignored`,
      );
      return 'already-decided';
    }

    const requested = totalPerSku(order.lines);
    const levels = await this.stock.lock(
      manager,
      requested.map((line) => line.sku),
    );
    const decision = decideAllocation(requested, levels);
    const correlationId = ctx.event.correlationid ?? ctx.event.id;

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
      await ctx.publish(stockRejected(order.orderId, decision, rejection.createdAt));
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
    await ctx.publish(stockReserved(reservation));
    // Decided on the rows this transaction still holds locked, so it sees exactly the stock it left.
    const { events } = await this.replenishment.evaluate(
      manager,
      decision.lines.map((line) => line.sku),
      'reorder_point',
      { lockedAlready: true, correlationId },
    );
    await ctx.publish(events);
    return 'reserved';
  }
}
