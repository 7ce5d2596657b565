/**
 * The payment state machine. It only moves forward: a duplicate or late event that would move a
 * payment backwards is recorded by the caller and ignored here.
 *
 *   PENDING ─▶ AUTHORIZING ─▶ REQUIRES_ACTION ─▶ AUTHORIZED ─▶ CAPTURED ─▶ REFUNDED
 *      │            │               │                 │
 *      └────────────┴───────────────┴─▶ FAILED        └─▶ VOIDED (also from PENDING…REQUIRES_ACTION
 *                                                          when the order is cancelled first)
 */
export const PAYMENT_STATUSES = [
  'PENDING',
  'AUTHORIZING',
  'REQUIRES_ACTION',
  'AUTHORIZED',
  'CAPTURED',
  'REFUNDED',
  'FAILED',
  'VOIDED',
] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

const NEXT: Readonly<Record<PaymentStatus, readonly PaymentStatus[]>> = {
  PENDING: ['AUTHORIZING', 'REQUIRES_ACTION', 'AUTHORIZED', 'FAILED', 'VOIDED'],
  AUTHORIZING: ['REQUIRES_ACTION', 'AUTHORIZED', 'FAILED', 'VOIDED'],
  REQUIRES_ACTION: ['AUTHORIZED', 'FAILED', 'VOIDED'],
  AUTHORIZED: ['CAPTURED', 'VOIDED'],
  CAPTURED: ['REFUNDED'],
  REFUNDED: [],
  FAILED: [],
  VOIDED: [],
};

export function canMove(from: PaymentStatus, to: PaymentStatus): boolean {
  return NEXT[from].includes(to);
}

/** Not yet authorized: an authorization outcome may still land. */
export function isAwaitingAuthorization(status: PaymentStatus): boolean {
  return status === 'PENDING' || status === 'AUTHORIZING' || status === 'REQUIRES_ACTION';
}

export function isPaymentStatus(value: string): value is PaymentStatus {
  return (PAYMENT_STATUSES as readonly string[]).includes(value);
}
