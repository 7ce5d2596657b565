/** The largest amount any Waybill contract carries (IsMoney): Number.MAX_SAFE_INTEGER minor units. */
export const MAX_ORDER_AMOUNT = Number.MAX_SAFE_INTEGER;

export interface PricedLine {
  readonly quantity: number;
  readonly unitPrice: number;
}

export interface OrderTotals {
  /** Sum of quantity × unit price, in minor units. */
  readonly subtotal: number;
  /** What the customer pays: the storefront's total (shipping, tax, discounts) or the subtotal. */
  readonly total: number;
}

export type TotalsResult =
  | { readonly ok: true; readonly totals: OrderTotals }
  | {
      readonly ok: false;
      readonly code: 'ORDER.AMOUNT_OVERFLOW' | 'ORDER.INVALID_AMOUNT';
      readonly field: string;
      readonly message: string;
    };

/**
 * Sums in BigInt: a line of 1 000 000 × 2^52 already loses precision as a double, and a rounded
 * total would be charged without anyone noticing. Any amount past MAX_ORDER_AMOUNT is refused.
 */
export function computeTotals(lines: readonly PricedLine[], totalAmount?: number): TotalsResult {
  const max = BigInt(MAX_ORDER_AMOUNT);
  let subtotal = 0n;
  for (const [index, line] of lines.entries()) {
    // Validation at the edge already demands integers; BigInt() would throw on anything else.
    if (!Number.isSafeInteger(line.quantity) || !Number.isSafeInteger(line.unitPrice)) {
      return invalid(`lines[${index}]`, `lines[${index}]: quantity and unitPrice must be whole numbers`);
    }
    const lineTotal = BigInt(line.quantity) * BigInt(line.unitPrice);
    if (lineTotal > max) {
      return overflow(`lines[${index}]`, `lines[${index}]: quantity × unitPrice exceeds ${MAX_ORDER_AMOUNT}`);
    }
    subtotal += lineTotal;
    if (subtotal > max) {
      return overflow('lines', `lines: the sum of the lines exceeds ${MAX_ORDER_AMOUNT}`);
    }
  }
  if (totalAmount !== undefined) {
    if (!Number.isInteger(totalAmount) || totalAmount < 0) {
      return invalid('totalAmount', 'totalAmount must be a whole, non-negative number of minor units');
    }
    if (BigInt(totalAmount) > max) {
      return overflow('totalAmount', `totalAmount exceeds ${MAX_ORDER_AMOUNT}`);
    }
  }
  const sub = Number(subtotal);
  return { ok: true, totals: { subtotal: sub, total: totalAmount ?? sub } };
}

function overflow(field: string, message: string): TotalsResult {
  return { ok: false, code: 'ORDER.AMOUNT_OVERFLOW', field, message };
}

function invalid(field: string, message: string): TotalsResult {
  return { ok: false, code: 'ORDER.INVALID_AMOUNT', field, message };
}
