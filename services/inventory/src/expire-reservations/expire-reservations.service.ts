import { Injectable } from '@nestjs/common';
import { Outbox } from '@waybill/eventing';
import { DataSource } from 'typeorm';
import { decideTransition } from '../domain/reservation-status';
import { InventoryConfig } from '../inventory.config';
import { ReservationRepository } from '../persistence/reservation.repository';
import { ReservationReleaser } from '../release-reservation/reservation-releaser';

/**
 * Compensation of reserve-stock when the payment never comes: RESERVED (never CONFIRMED)
 * reservations past their expiry are released with INVENTORY.RESERVATION_EXPIRED.
 */
@Injectable()
export class ExpireReservationsService {
  constructor(
    private readonly config: InventoryConfig,
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    private readonly reservations: ReservationRepository,
    private readonly releaser: ReservationReleaser,
  ) {}

  /** Releases one batch in one transaction; returns how many it released. */
  async expireBatch(): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const due = await this.reservations.lockExpired(manager, this.config.INVENTORY_EXPIRY_BATCH_SIZE);
      const expiring = due.filter(
        (reservation) => decideTransition(reservation.status, 'expire').outcome === 'apply',
      );
      const events = await this.releaser.release(manager, expiring, 'INVENTORY.RESERVATION_EXPIRED');
      // The order's flow goes on: keep its correlation id (there is no causing event).
      await this.outbox.enqueue(
        manager,
        events.map((event, index) => ({
          ...event,
          correlationId: expiring[index]?.correlationId ?? undefined,
        })),
      );
      return expiring.length;
    });
  }

  /** Releases every reservation that is due now, batch after batch; returns how many. */
  async expireDue(shouldContinue: () => boolean = () => true): Promise<number> {
    let total = 0;
    for (;;) {
      const released = await this.expireBatch();
      total += released;
      if (released < this.config.INVENTORY_EXPIRY_BATCH_SIZE || !shouldContinue()) {
        return total;
      }
    }
  }
}
