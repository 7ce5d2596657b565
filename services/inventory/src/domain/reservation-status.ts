/**
 * The reservation state machine. It only moves forward:
 *
 *   RESERVED ──confirm──▶ CONFIRMED ──commit──▶ COMMITTED
 *      │  └───────────commit──────────────────▲
 *      └──release/expire──▶ RELEASED ◀──release── CONFIRMED
 *
 * REJECTED records an order.placed that could not be reserved, so a redelivered order.placed for the
 * same order is recognised and not tried again. COMMITTED, RELEASED and REJECTED are final.
 *
 * RESERVED → COMMITTED is allowed because shipment.created (logistics topic) and order.confirmed
 * (order topic) are consumed side by side: the shipment may be seen before the confirmation.
 * A confirmed reservation never expires: the payment came.
 */
export const RESERVATION_STATUSES = ['RESERVED', 'CONFIRMED', 'COMMITTED', 'RELEASED', 'REJECTED'] as const;
export type ReservationStatus = (typeof RESERVATION_STATUSES)[number];

export type ReservationAction = 'confirm' | 'commit' | 'release' | 'expire';

export type IgnoreReason =
  /** The reservation is already where the action would take it: a duplicate or redelivery. */
  | 'ALREADY_APPLIED'
  /** The reservation went another way first (e.g. released before the shipment was created). */
  | 'SUPERSEDED'
  /** A confirmed reservation does not expire. */
  | 'NOT_EXPIRABLE';

export type Transition =
  | { readonly outcome: 'apply'; readonly from: ReservationStatus; readonly to: ReservationStatus }
  | { readonly outcome: 'ignore'; readonly from: ReservationStatus; readonly reason: IgnoreReason };

const TARGET: Readonly<Record<ReservationAction, ReservationStatus>> = {
  confirm: 'CONFIRMED',
  commit: 'COMMITTED',
  release: 'RELEASED',
  expire: 'RELEASED',
};

const ALLOWED_FROM: Readonly<Record<ReservationAction, readonly ReservationStatus[]>> = {
  confirm: ['RESERVED'],
  commit: ['RESERVED', 'CONFIRMED'],
  release: ['RESERVED', 'CONFIRMED'],
  expire: ['RESERVED'],
};

/** The statuses `action` moves a reservation out of. */
export function statusesMovedBy(action: ReservationAction): readonly ReservationStatus[] {
  return ALLOWED_FROM[action];
}

/** What `action` does to a reservation in `from`: move it forward, or nothing (and why). */
export function decideTransition(from: ReservationStatus, action: ReservationAction): Transition {
  const to = TARGET[action];
  if (ALLOWED_FROM[action].includes(from)) {
    return { outcome: 'apply', from, to };
  }
  if (from === to) {
    return { outcome: 'ignore', from, reason: 'ALREADY_APPLIED' };
  }
  if (action === 'expire' && from === 'CONFIRMED') {
    return { outcome: 'ignore', from, reason: 'NOT_EXPIRABLE' };
  }
  return { outcome: 'ignore', from, reason: 'SUPERSEDED' };
}

/** Holds stock: its lines count in `reserved` until it is committed or released. */
export function holdsStock(status: ReservationStatus): boolean {
  return status === 'RESERVED' || status === 'CONFIRMED';
}
