import { MAX_QUANTITY } from '@waybill/contracts';
import {
  decideReplenishment,
  needsReplenishment,
  policyProblem,
  ReplenishmentPolicy,
} from './replenishment-policy';

const base: ReplenishmentPolicy = {
  sku: 'MUG',
  reorderPoint: 10,
  orderUpTo: 50,
  minOrderQuantity: 1,
  packSize: 1,
  leadTimeDays: 3,
  supplier: 'acme',
};

describe('replenishment quantity', () => {
  it('triggers at the reorder point, counting what is already incoming', () => {
    expect(needsReplenishment(base, { available: 10, incoming: 0 })).toBe(true);
    expect(needsReplenishment(base, { available: 11, incoming: 0 })).toBe(false);
    expect(needsReplenishment(base, { available: 2, incoming: 9 })).toBe(false);
    expect(decideReplenishment(base, { available: 11, incoming: 0 })).toEqual({
      outcome: 'none',
      reason: 'ABOVE_REORDER_POINT',
    });
  });

  it('orders up to the order-up-to level minus available and incoming', () => {
    expect(decideReplenishment(base, { available: 4, incoming: 3 })).toEqual({
      outcome: 'order',
      quantity: 43,
    });
  });

  it('orders the fixed reorder quantity when that is the policy', () => {
    const fixed = { ...base, orderUpTo: undefined, reorderQuantity: 24 };
    expect(decideReplenishment(fixed, { available: 0, incoming: 0 })).toEqual({
      outcome: 'order',
      quantity: 24,
    });
    expect(decideReplenishment(fixed, { available: 9, incoming: 0 })).toEqual({
      outcome: 'order',
      quantity: 24,
    });
  });

  it('orders at least the minimum order quantity', () => {
    const policy = { ...base, orderUpTo: 12, minOrderQuantity: 20 };
    expect(decideReplenishment(policy, { available: 9, incoming: 0 })).toEqual({
      outcome: 'order',
      quantity: 20,
    });
  });

  it('rounds up to whole packs, after the minimum', () => {
    const policy = { ...base, minOrderQuantity: 5, packSize: 6 };
    expect(decideReplenishment(policy, { available: 4, incoming: 0 })).toEqual({
      outcome: 'order',
      quantity: 48,
    });
    expect(decideReplenishment({ ...policy, orderUpTo: 11 }, { available: 10, incoming: 0 })).toEqual({
      outcome: 'order',
      quantity: 6,
    });
  });

  it('never orders more than a contract line carries, in whole packs', () => {
    const policy = { ...base, orderUpTo: 5 * MAX_QUANTITY, packSize: 7 };
    const decision = decideReplenishment(policy, { available: 0, incoming: 0 });
    expect(decision).toEqual({ outcome: 'order', quantity: Math.floor(MAX_QUANTITY / 7) * 7 });
  });
});

describe('policyProblem', () => {
  it('wants exactly one of order-up-to and reorder quantity', () => {
    expect(policyProblem(base)).toBeUndefined();
    expect(policyProblem({ ...base, reorderQuantity: 5 })).toBe('NEEDS_ORDER_UP_TO_OR_REORDER_QUANTITY');
    expect(policyProblem({ ...base, orderUpTo: undefined })).toBe('NEEDS_ORDER_UP_TO_OR_REORDER_QUANTITY');
  });

  it('wants the order-up-to level above the reorder point', () => {
    expect(policyProblem({ ...base, orderUpTo: 10 })).toBe('ORDER_UP_TO_NOT_ABOVE_REORDER_POINT');
  });
});
