import { MAX_QUANTITY } from '@waybill/contracts';

/**
 * A SKU's replenishment policy. Exactly one of `orderUpTo` and `reorderQuantity` is set: order up
 * to a level, or order a fixed quantity each time.
 */
export interface ReplenishmentPolicy {
  readonly sku: string;
  readonly reorderPoint: number;
  readonly orderUpTo?: number;
  readonly reorderQuantity?: number;
  readonly minOrderQuantity: number;
  readonly packSize: number;
  readonly leadTimeDays: number;
  readonly supplier: string;
}

/** Where a SKU stands: on hand minus reserved, and ordered but not yet received. */
export interface StockPosition {
  readonly available: number;
  readonly incoming: number;
}

export type ReplenishmentDecision =
  | { readonly outcome: 'order'; readonly quantity: number }
  | { readonly outcome: 'none'; readonly reason: 'ABOVE_REORDER_POINT' };

/** The trigger condition of the issue: available + incoming ≤ reorder point. */
export function needsReplenishment(
  policy: Pick<ReplenishmentPolicy, 'reorderPoint'>,
  position: StockPosition,
): boolean {
  return position.available + position.incoming <= policy.reorderPoint;
}

/**
 * How much to order: up to the order-up-to level (or the fixed quantity), at least the minimum
 * order quantity, rounded up to whole packs. Never more than a contract line can carry: the
 * largest whole number of packs within MAX_QUANTITY.
 */
export function decideReplenishment(
  policy: ReplenishmentPolicy,
  position: StockPosition,
): ReplenishmentDecision {
  if (!needsReplenishment(policy, position)) {
    return { outcome: 'none', reason: 'ABOVE_REORDER_POINT' };
  }
  const wanted =
    policy.orderUpTo !== undefined
      ? policy.orderUpTo - (position.available + position.incoming)
      : (policy.reorderQuantity ?? 0);
  const atLeast = Math.max(wanted, policy.minOrderQuantity, 1);
  const packs = Math.ceil(atLeast / policy.packSize);
  const cap = Math.floor(MAX_QUANTITY / policy.packSize) * policy.packSize;
  return { outcome: 'order', quantity: Math.min(packs * policy.packSize, cap) };
}

export type PolicyProblem =
  | 'NEEDS_ORDER_UP_TO_OR_REORDER_QUANTITY'
  | 'ORDER_UP_TO_NOT_ABOVE_REORDER_POINT'
  | 'PACK_SIZE_ABOVE_MAX_QUANTITY';

/** What is wrong with a policy an operator submits, beyond the per-field rules; undefined if nothing. */
export function policyProblem(policy: ReplenishmentPolicy): PolicyProblem | undefined {
  if ((policy.orderUpTo === undefined) === (policy.reorderQuantity === undefined)) {
    return 'NEEDS_ORDER_UP_TO_OR_REORDER_QUANTITY';
  }
  // Otherwise a SKU at its reorder point would order nothing but the minimum, every cycle.
  if (policy.orderUpTo !== undefined && policy.orderUpTo <= policy.reorderPoint) {
    return 'ORDER_UP_TO_NOT_ABOVE_REORDER_POINT';
  }
  if (policy.packSize > MAX_QUANTITY) {
    return 'PACK_SIZE_ABOVE_MAX_QUANTITY';
  }
  return undefined;
}
