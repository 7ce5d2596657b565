import type { ShipmentStatus } from '@waybill/contracts';
import { decideTracking, planCancellation, ShipmentState } from './shipment';
import type { TrackingUpdate } from './tracking-update';

const at = (minute: number) => new Date(Date.UTC(2026, 2, 2, 9, minute)).toISOString();

function update(status: ShipmentStatus, minute: number, mapped = true): TrackingUpdate {
  return { trackingNumber: 'T1', carrierStatus: status, status, mapped, occurredAt: at(minute) };
}

/** Feeds updates in arrival order and returns the final state and every decision. */
function replay(
  updates: TrackingUpdate[],
  start: ShipmentState = { status: 'label_created', statusOccurredAt: at(0) },
) {
  let state = start;
  const decisions = updates.map((next) => {
    const decision = decideTracking(state, next);
    if (decision.kind === 'applied') {
      state = { status: decision.status, statusOccurredAt: next.occurredAt };
    }
    return decision;
  });
  return { state, decisions };
}

describe('decideTracking (the monotonic shipment state machine)', () => {
  it("only records an update about another waybill of the booking (SF's return or forward number)", () => {
    const booked: ShipmentState = { status: 'exception', statusOccurredAt: at(0), trackingNumber: 'T1' };
    expect(decideTracking(booked, { ...update('delivered', 5), trackingNumber: 'T2' })).toEqual({
      kind: 'recorded',
      reason: 'OTHER_WAYBILL',
    });
    expect(decideTracking(booked, update('delivered', 5))).toMatchObject({ kind: 'applied' });
  });

  it('follows a parcel from label to door, announcing delivery', () => {
    const { state, decisions } = replay([
      update('in_transit', 1),
      update('out_for_delivery', 2),
      update('delivered', 3),
    ]);
    expect(state.status).toBe('delivered');
    expect(decisions.map((d) => d.kind)).toEqual(['applied', 'applied', 'applied']);
    expect(decisions[2]).toEqual({
      kind: 'applied',
      previous: 'out_for_delivery',
      status: 'delivered',
      announce: ['delivered'],
    });
  });

  it('ends in delivered when delivered arrives before in_transit; the late one is recorded, not applied', () => {
    const { state, decisions } = replay([update('delivered', 5), update('in_transit', 2)]);
    expect(state.status).toBe('delivered');
    expect(decisions[1]).toEqual({ kind: 'recorded', reason: 'AFTER_FINAL_STATUS' });
  });

  it('lets moving statuses follow each other by the carrier clock, and ignores an older one arriving late', () => {
    const { state, decisions } = replay([
      update('out_for_delivery', 3),
      update('delivery_attempt_failed', 4),
      update('in_transit', 6),
      update('out_for_delivery', 5),
    ]);
    expect(state.status).toBe('in_transit');
    expect(decisions.map((d) => d.kind)).toEqual(['applied', 'applied', 'applied', 'recorded']);
    expect(decisions[3]).toEqual({ kind: 'recorded', reason: 'OLDER_THAN_CURRENT' });
  });

  it('never moves back to label_created once the parcel moves', () => {
    const { state, decisions } = replay([update('in_transit', 1), update('label_created', 9)]);
    expect(state.status).toBe('in_transit');
    expect(decisions[1]).toEqual({ kind: 'recorded', reason: 'BACKWARDS' });
  });

  it('records a repeated status without a change', () => {
    expect(replay([update('in_transit', 1), update('in_transit', 2)]).decisions[1]).toEqual({
      kind: 'recorded',
      reason: 'SAME_STATUS',
    });
  });

  it('announces an exception and lets the parcel recover from it', () => {
    const { state, decisions } = replay([update('exception', 1), update('in_transit', 2)]);
    expect(decisions[0]).toMatchObject({ kind: 'applied', announce: ['exception'] });
    expect(state.status).toBe('in_transit');
  });

  it('never applies unknown, telling an unmapped code from a carrier that says it does not know', () => {
    expect(replay([update('unknown', 1, false)]).decisions[0]).toEqual({
      kind: 'recorded',
      reason: 'UNMAPPED_STATUS',
    });
    expect(replay([update('unknown', 1, true)]).decisions[0]).toEqual({
      kind: 'recorded',
      reason: 'UNKNOWN_STATUS',
    });
  });

  it('keeps returned and cancelled final too', () => {
    for (const final of ['returned', 'cancelled'] as const) {
      const { state } = replay([update(final, 1), update('delivered', 2)]);
      expect(state.status).toBe(final);
    }
  });
});

describe('planCancellation', () => {
  it('cancels with the carrier only before pickup', () => {
    expect(planCancellation({ status: 'label_created' })).toBe('cancel-with-carrier');
    expect(planCancellation({ status: 'in_transit' })).toBe('too-late');
    expect(planCancellation({ status: 'delivered' })).toBe('too-late');
    expect(planCancellation({ status: 'cancelled' })).toBe('already-cancelled');
  });
});
