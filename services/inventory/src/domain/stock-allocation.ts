import { MAX_QUANTITY, StockRejectionReason } from '@waybill/contracts';

export interface Quantity {
  readonly sku: string;
  readonly quantity: number;
}

/** What the stock table holds for one SKU. */
export interface StockLevel {
  readonly sku: string;
  readonly onHand: number;
  readonly reserved: number;
}

export interface ShortQuantity {
  readonly sku: string;
  readonly requested: number;
  readonly available: number;
}

export type AllocationDecision =
  | { readonly outcome: 'reserve'; readonly lines: readonly Quantity[] }
  | {
      readonly outcome: 'reject';
      readonly reason: StockRejectionReason;
      readonly shortLines: readonly ShortQuantity[];
    };

export function available(level: StockLevel): number {
  return level.onHand - level.reserved;
}

/**
 * One quantity per SKU (an order may name a SKU on several lines), sorted by SKU in code-unit
 * order: the order every transaction locks stock rows in (the column is `COLLATE "C"`), so two
 * transactions never wait on each other's rows crosswise.
 */
export function totalPerSku(lines: readonly Quantity[]): Quantity[] {
  const totals = new Map<string, number>();
  for (const { sku, quantity } of lines) {
    totals.set(sku, (totals.get(sku) ?? 0) + quantity);
  }
  return [...totals.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([sku, quantity]) => ({ sku, quantity }));
}

/**
 * All or nothing: reserve when every SKU is known and has enough available, otherwise reject naming
 * every short line (an unknown SKU is short with 0 available). Any unknown SKU makes the reason
 * UNKNOWN_SKU, because no amount of restocking makes that order reservable.
 */
export function decideAllocation(
  requested: readonly Quantity[],
  levels: ReadonlyMap<string, StockLevel>,
): AllocationDecision {
  const lines = totalPerSku(requested);
  const shortLines: ShortQuantity[] = [];
  let unknown = false;
  for (const { sku, quantity } of lines) {
    const level = levels.get(sku);
    if (!level) {
      unknown = true;
    }
    const free = level ? Math.max(0, available(level)) : 0;
    if (free < quantity) {
      shortLines.push({ sku, requested: quantity, available: free });
    }
  }
  if (shortLines.length === 0) {
    return { outcome: 'reserve', lines };
  }
  return {
    outcome: 'reject',
    reason: unknown ? 'INVENTORY.UNKNOWN_SKU' : 'INVENTORY.INSUFFICIENT_STOCK',
    shortLines,
  };
}

/**
 * Contract lines carry at most MAX_QUANTITY units; a per-SKU total above that (several order lines
 * of one SKU) is published as several lines of that SKU, which consumers sum as they do for orders.
 */
export function toContractLines<T extends { readonly sku: string }>(
  lines: readonly T[],
  quantityOf: (line: T) => number,
  withQuantity: (line: T, quantity: number) => T,
): T[] {
  return lines.flatMap((line) => {
    const chunks: T[] = [];
    for (let left = quantityOf(line); left > 0; left -= MAX_QUANTITY) {
      chunks.push(withQuantity(line, Math.min(left, MAX_QUANTITY)));
    }
    return chunks;
  });
}

export type OnHandDecision =
  | { readonly outcome: 'set'; readonly level: StockLevel }
  | { readonly outcome: 'below-reserved'; readonly reserved: number };

/** An operator may set any on-hand count that still covers what is reserved. */
export function decideOnHand(current: StockLevel | undefined, sku: string, onHand: number): OnHandDecision {
  const reserved = current?.reserved ?? 0;
  if (onHand < reserved) {
    return { outcome: 'below-reserved', reserved };
  }
  return { outcome: 'set', level: { sku, onHand, reserved } };
}
