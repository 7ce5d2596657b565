import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ReservationStatus } from '../domain/reservation-status';
import { Quantity } from '../domain/stock-allocation';
import { queryRows } from './sql';

export interface Reservation {
  readonly id: string;
  readonly orderId: string;
  readonly status: ReservationStatus;
  /** One line per SKU, as reserved. */
  readonly lines: readonly Quantity[];
  readonly expiresAt: Date | null;
  /** The correlation id of the order's flow, so events the sweeper raises stay in it. */
  readonly correlationId: string | null;
  readonly createdAt: Date;
}

export interface NewReservation {
  readonly id: string;
  readonly orderId: string;
  readonly status: Extract<ReservationStatus, 'RESERVED' | 'REJECTED'>;
  readonly lines: readonly Quantity[];
  /** Time to live from the transaction's clock; ignored for REJECTED. */
  readonly ttlSeconds: number;
  readonly correlationId?: string;
}

interface ReservationRow {
  id: string;
  order_id: string;
  status: ReservationStatus;
  lines: Quantity[];
  expires_at: Date | null;
  correlation_id: string | null;
  created_at: Date;
}

const COLUMNS = `id, order_id, status, lines, expires_at, correlation_id, created_at`;

function toReservation(row: ReservationRow): Reservation {
  return {
    id: row.id,
    orderId: row.order_id,
    status: row.status,
    lines: row.lines,
    expiresAt: row.expires_at,
    correlationId: row.correlation_id,
    createdAt: row.created_at,
  };
}

/** Where each status change stamps its time. */
const STAMP: Partial<Record<ReservationStatus, string>> = {
  CONFIRMED: 'confirmed_at',
  COMMITTED: 'committed_at',
  RELEASED: 'released_at',
};

/** Reservations, one per order, by raw SQL on the caller's transaction. */
@Injectable()
export class ReservationRepository {
  /** The order's reservation; `lock` holds it until the transaction ends (waiting for a holder). */
  async findByOrder(
    manager: EntityManager,
    orderId: string,
    options: { lock?: boolean } = {},
  ): Promise<Reservation | undefined> {
    const rows = await queryRows<ReservationRow>(
      manager,
      `SELECT ${COLUMNS} FROM reservations WHERE order_id = $1${options.lock ? ' FOR UPDATE' : ''}`,
      [orderId],
    );
    return rows[0] && toReservation(rows[0]);
  }

  /**
   * Inserts the order's reservation (or its rejection). `order_id` is unique: a concurrent insert
   * for the same order fails this transaction, whose retry then finds the row and stops.
   */
  async insert(manager: EntityManager, reservation: NewReservation): Promise<Reservation> {
    const rows = await queryRows<ReservationRow>(
      manager,
      `INSERT INTO reservations (id, order_id, status, lines, expires_at, correlation_id)
       VALUES ($1, $2, $3, $4::jsonb,
               CASE WHEN $3 = 'REJECTED' THEN NULL ELSE now() + make_interval(secs => $5) END, $6)
       RETURNING ${COLUMNS}`,
      [
        reservation.id,
        reservation.orderId,
        reservation.status,
        JSON.stringify(reservation.lines),
        reservation.ttlSeconds,
        reservation.correlationId ?? null,
      ],
    );
    return toReservation(rows[0]);
  }

  /**
   * Moves the order's reservation to `status` if it is in one of `from`, in one statement; returns
   * its id, or undefined when there is none in those statuses (read it to learn why).
   */
  async moveByOrder(
    manager: EntityManager,
    orderId: string,
    from: readonly ReservationStatus[],
    status: ReservationStatus,
  ): Promise<string | undefined> {
    const stamp = STAMP[status];
    const rows = await queryRows<{ id: string }>(
      manager,
      `UPDATE reservations SET status = $3, updated_at = now()${stamp ? `, ${stamp} = now()` : ''}
        WHERE order_id = $1 AND status = ANY($2::text[])
        RETURNING id`,
      [orderId, from, status],
    );
    return rows[0]?.id;
  }

  /** Moves reservations to `status`, stamping its time; returns that time. */
  async setStatus(
    manager: EntityManager,
    ids: readonly string[],
    status: ReservationStatus,
    releaseReason?: string,
  ): Promise<Date> {
    const stamp = STAMP[status];
    const rows = await queryRows<{ changed_at: Date }>(
      manager,
      `UPDATE reservations
          SET status = $2, updated_at = now()${stamp ? `, ${stamp} = now()` : ''},
              release_reason = COALESCE($3, release_reason)
        WHERE id = ANY($1::uuid[])
        RETURNING updated_at AS changed_at`,
      [ids, status, releaseReason ?? null],
    );
    if (rows.length !== ids.length) {
      throw new Error(`reservation status update changed ${rows.length} of ${ids.length} rows`);
    }
    return rows[0].changed_at;
  }

  /**
   * Locks up to `limit` RESERVED reservations whose time is up. SKIP LOCKED: several instances
   * sweep side by side without waiting on each other, and a reservation a cancellation or a
   * confirmation is working on right now is left to it.
   */
  async lockExpired(manager: EntityManager, limit: number): Promise<Reservation[]> {
    const rows = await queryRows<ReservationRow>(
      manager,
      `SELECT ${COLUMNS} FROM reservations
        WHERE status = 'RESERVED' AND expires_at <= now()
        ORDER BY expires_at
        LIMIT $1
        FOR UPDATE SKIP LOCKED`,
      [limit],
    );
    return rows.map(toReservation);
  }
}
