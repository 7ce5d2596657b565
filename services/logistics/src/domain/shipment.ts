import type { ShipmentStatus } from '@waybill/contracts';
import type { TrackingUpdate } from './tracking-update';

/**
 * The shipment state machine. It is monotonic: a parcel goes from its label to moving to an end,
 * never back. While it moves, the carrier's statuses follow each other in any order (out for
 * delivery, a failed attempt, back in transit), so among them the newest by the carrier's own
 * clock wins; an older one arriving late is recorded, not applied. `unknown` is never a state.
 */
const PHASE: Readonly<Record<ShipmentStatus, number>> = {
  label_created: 0,
  in_transit: 1,
  out_for_delivery: 1,
  delivery_attempt_failed: 1,
  available_for_pickup: 1,
  exception: 1,
  delivered: 2,
  returned: 2,
  cancelled: 2,
  unknown: -1,
};

export const TERMINAL_STATUSES: readonly ShipmentStatus[] = ['delivered', 'returned', 'cancelled'];

export interface ShipmentState {
  readonly status: ShipmentStatus;
  /** The carrier's time of the event that set `status` (RFC 3339). */
  readonly statusOccurredAt: string;
  /** The waybill it was booked under, where known: updates about another waybill are only recorded. */
  readonly trackingNumber?: string;
}

/** Why an update was kept in the history without changing the status. */
export type NotAppliedReason =
  | 'UNMAPPED_STATUS'
  | 'UNKNOWN_STATUS'
  | 'SAME_STATUS'
  | 'AFTER_FINAL_STATUS'
  | 'BACKWARDS'
  | 'OLDER_THAN_CURRENT'
  /**
   * About another waybill of the booking, matched by our shipment id (SF: a return or forward
   * under a new number): kept for people, never applied, since its `delivered` may be the return
   * reaching the sender.
   */
  | 'OTHER_WAYBILL';

export type TrackingDecision =
  | {
      readonly kind: 'applied';
      readonly previous: ShipmentStatus;
      readonly status: ShipmentStatus;
      /** Extra announcements besides `shipment.status-changed`. */
      readonly announce: readonly ('delivered' | 'exception')[];
    }
  | { readonly kind: 'recorded'; readonly reason: NotAppliedReason };

export function decideTracking(state: ShipmentState, update: TrackingUpdate): TrackingDecision {
  if (update.status === 'unknown') {
    return { kind: 'recorded', reason: update.mapped ? 'UNKNOWN_STATUS' : 'UNMAPPED_STATUS' };
  }
  if (state.trackingNumber !== undefined && update.trackingNumber !== state.trackingNumber) {
    return { kind: 'recorded', reason: 'OTHER_WAYBILL' };
  }
  const current = PHASE[state.status];
  const next = PHASE[update.status];
  if (TERMINAL_STATUSES.includes(state.status)) {
    return { kind: 'recorded', reason: 'AFTER_FINAL_STATUS' };
  }
  if (next < current) {
    return { kind: 'recorded', reason: 'BACKWARDS' };
  }
  if (update.status === state.status) {
    return { kind: 'recorded', reason: 'SAME_STATUS' };
  }
  if (next === current && Date.parse(update.occurredAt) < Date.parse(state.statusOccurredAt)) {
    return { kind: 'recorded', reason: 'OLDER_THAN_CURRENT' };
  }
  const announce: ('delivered' | 'exception')[] = [];
  if (update.status === 'delivered') {
    announce.push('delivered');
  }
  if (update.status === 'exception') {
    announce.push('exception');
  }
  return { kind: 'applied', previous: state.status, status: update.status, announce };
}

/**
 * What an order cancellation means for its shipment. Only a parcel the carrier has not picked up
 * (label created) can be cancelled with the carrier; after that it is on its way.
 */
export type CancellationPlan = 'cancel-with-carrier' | 'already-cancelled' | 'too-late';

export function planCancellation(state: Pick<ShipmentState, 'status'>): CancellationPlan {
  if (state.status === 'cancelled') {
    return 'already-cancelled';
  }
  return state.status === 'label_created' ? 'cancel-with-carrier' : 'too-late';
}
