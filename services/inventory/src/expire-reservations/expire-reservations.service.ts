import { Injectable } from '@nestjs/common';
import type { UnitOfWork } from '@waybill/eventing';
import { decideTransition } from '../domain/reservation-status';
import { ReservationRepository } from '../persistence/reservation.repository';
import { ReservationReleaser } from '../policies/reservation-releaser';

export interface ExpireReservationsCommand {
  /** Most reservations one unit of work releases (INVENTORY_EXPIRY_BATCH_SIZE). */
  readonly batchSize: number;
}

/**
 * Compensation of reserve-stock when the payment never comes: RESERVED (never CONFIRMED)
 * reservations past their expiry are released with INVENTORY.RESERVATION_EXPIRED. One batch per
 * unit of work; answers how many it released (fewer than `batchSize`: none are left due).
 */
@Injectable()
export class ExpireReservations {
  constructor(
    private readonly reservations: ReservationRepository,
    private readonly releaser: ReservationReleaser,
  ) {}

  async execute(uow: UnitOfWork, { batchSize }: ExpireReservationsCommand): Promise<number> {
    const due = await this.reservations.lockExpired(uow.manager, batchSize);
    const expiring = due.filter(
      (reservation) => decideTransition(reservation.status, 'expire').outcome === 'apply',
    );
    await this.releaser.release(uow, expiring, 'INVENTORY.RESERVATION_EXPIRED');
    return expiring.length;
  }
}
