import {
  decideTransition,
  holdsStock,
  RESERVATION_STATUSES,
  ReservationAction,
  ReservationStatus,
} from './reservation-status';

describe('reservation state machine', () => {
  it.each<[ReservationStatus, ReservationAction, ReservationStatus]>([
    ['RESERVED', 'confirm', 'CONFIRMED'],
    ['RESERVED', 'commit', 'COMMITTED'],
    ['CONFIRMED', 'commit', 'COMMITTED'],
    ['RESERVED', 'release', 'RELEASED'],
    ['CONFIRMED', 'release', 'RELEASED'],
    ['RESERVED', 'expire', 'RELEASED'],
  ])('%s --%s--> %s', (from, action, to) => {
    expect(decideTransition(from, action)).toEqual({ outcome: 'apply', from, to });
  });

  it.each<[ReservationStatus, ReservationAction, string]>([
    // duplicates
    ['CONFIRMED', 'confirm', 'ALREADY_APPLIED'],
    ['COMMITTED', 'commit', 'ALREADY_APPLIED'],
    ['RELEASED', 'release', 'ALREADY_APPLIED'],
    ['RELEASED', 'expire', 'ALREADY_APPLIED'],
    // late events never move the state backwards
    ['COMMITTED', 'confirm', 'SUPERSEDED'],
    ['RELEASED', 'confirm', 'SUPERSEDED'],
    ['RELEASED', 'commit', 'SUPERSEDED'],
    ['COMMITTED', 'release', 'SUPERSEDED'],
    ['COMMITTED', 'expire', 'SUPERSEDED'],
    ['REJECTED', 'confirm', 'SUPERSEDED'],
    ['REJECTED', 'commit', 'SUPERSEDED'],
    ['REJECTED', 'release', 'SUPERSEDED'],
    ['REJECTED', 'expire', 'SUPERSEDED'],
    // the payment came
    ['CONFIRMED', 'expire', 'NOT_EXPIRABLE'],
  ])('%s --%s--> ignored (%s)', (from, action, reason) => {
    expect(decideTransition(from, action)).toEqual({ outcome: 'ignore', from, reason });
  });

  it('is monotonic: no action ever leads from a final state, or from CONFIRMED back to RESERVED', () => {
    const actions: ReservationAction[] = ['confirm', 'commit', 'release', 'expire'];
    const rank: Record<ReservationStatus, number> = {
      RESERVED: 0,
      CONFIRMED: 1,
      COMMITTED: 2,
      RELEASED: 2,
      REJECTED: 2,
    };
    for (const from of RESERVATION_STATUSES) {
      for (const action of actions) {
        const transition = decideTransition(from, action);
        if (transition.outcome === 'apply') {
          expect(rank[transition.to]).toBeGreaterThan(rank[from]);
        }
        if (rank[from] === 2) {
          expect(transition.outcome).toBe('ignore');
        }
      }
    }
  });

  it('only RESERVED and CONFIRMED reservations hold stock', () => {
    expect(RESERVATION_STATUSES.filter(holdsStock)).toEqual(['RESERVED', 'CONFIRMED']);
  });
});
