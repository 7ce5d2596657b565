/**
 * The purchase order state machine. It only moves forward:
 *
 *   DRAFT ──dispatched──▶ SENT ──acknowledged──▶ ACKNOWLEDGED ──received──▶ PARTIALLY_RECEIVED ──▶ RECEIVED
 *     │                    │                        │
 *     └────────────────────┴──rejected / cancelled──┴──▶ REJECTED / CANCELLED
 *
 * A supplier may answer before our send returns (its acknowledgement can overtake our "sent"),
 * so acknowledgements and receipts are accepted from DRAFT and SENT as well, and a late
 * "dispatched" after them is ignored. RECEIVED, REJECTED and CANCELLED close the replenishment
 * cycle: the SKU may get a new purchase order.
 */
export const PURCHASE_ORDER_STATES = [
  'DRAFT',
  'SENT',
  'ACKNOWLEDGED',
  'PARTIALLY_RECEIVED',
  'RECEIVED',
  'REJECTED',
  'CANCELLED',
] as const;
export type PurchaseOrderState = (typeof PURCHASE_ORDER_STATES)[number];

/** States of a cycle still in progress; the database allows one per SKU. */
export const OPEN_STATES: readonly PurchaseOrderState[] = [
  'DRAFT',
  'SENT',
  'ACKNOWLEDGED',
  'PARTIALLY_RECEIVED',
];

export function isOpen(state: PurchaseOrderState): boolean {
  return OPEN_STATES.includes(state);
}

export type PurchaseOrderAction = 'dispatched' | 'acknowledged' | 'rejected' | 'cancelled';

const RANK: Readonly<Record<PurchaseOrderState, number>> = {
  DRAFT: 0,
  SENT: 1,
  ACKNOWLEDGED: 2,
  PARTIALLY_RECEIVED: 3,
  RECEIVED: 4,
  REJECTED: 4,
  CANCELLED: 4,
};

const TARGET: Readonly<Record<PurchaseOrderAction, PurchaseOrderState>> = {
  dispatched: 'SENT',
  acknowledged: 'ACKNOWLEDGED',
  rejected: 'REJECTED',
  cancelled: 'CANCELLED',
};

/** Once goods arrived, the order can no longer be refused or called off as a whole. */
const ALLOWED_FROM: Readonly<Record<PurchaseOrderAction, readonly PurchaseOrderState[]>> = {
  dispatched: ['DRAFT'],
  acknowledged: ['DRAFT', 'SENT'],
  rejected: ['DRAFT', 'SENT', 'ACKNOWLEDGED'],
  cancelled: ['DRAFT', 'SENT', 'ACKNOWLEDGED'],
};

export type PurchaseOrderTransition =
  | { readonly outcome: 'apply'; readonly from: PurchaseOrderState; readonly to: PurchaseOrderState }
  | {
      readonly outcome: 'ignore';
      readonly from: PurchaseOrderState;
      readonly reason: 'ALREADY_APPLIED' | 'SUPERSEDED';
    };

export function decidePurchaseOrderTransition(
  from: PurchaseOrderState,
  action: PurchaseOrderAction,
): PurchaseOrderTransition {
  const to = TARGET[action];
  if (ALLOWED_FROM[action].includes(from)) {
    return { outcome: 'apply', from, to };
  }
  return { outcome: 'ignore', from, reason: from === to ? 'ALREADY_APPLIED' : 'SUPERSEDED' };
}

export function stateRank(state: PurchaseOrderState): number {
  return RANK[state];
}

export interface ReceivedLine {
  readonly sku: string;
  readonly quantity: number;
}

export interface OrderedLine {
  readonly sku: string;
  readonly ordered: number;
  readonly received: number;
}

export type ReceiptDecision =
  | {
      readonly outcome: 'book';
      /** Units booked per ordered line, in the order's line order. */
      readonly lines: readonly { readonly sku: string; readonly quantity: number }[];
      readonly to: 'PARTIALLY_RECEIVED' | 'RECEIVED';
    }
  | { readonly outcome: 'refuse'; readonly code: 'PO_CLOSED'; readonly state: PurchaseOrderState }
  | { readonly outcome: 'refuse'; readonly code: 'UNKNOWN_LINE'; readonly skus: readonly string[] }
  | {
      readonly outcome: 'refuse';
      readonly code: 'OVER_RECEIPT';
      readonly lines: readonly {
        readonly sku: string;
        readonly ordered: number;
        readonly received: number;
        readonly delivered: number;
      }[];
    };

/**
 * A goods-received note against an order: booked in full, or refused in full with the reason —
 * never a silent partial booking. Lines naming the same SKU are summed; an over-receipt is any
 * line that would take received above ordered.
 */
export function decideReceipt(
  state: PurchaseOrderState,
  ordered: readonly OrderedLine[],
  delivered: readonly ReceivedLine[],
): ReceiptDecision {
  if (!isOpen(state)) {
    return { outcome: 'refuse', code: 'PO_CLOSED', state };
  }
  const totals = new Map<string, number>();
  for (const { sku, quantity } of delivered) {
    totals.set(sku, (totals.get(sku) ?? 0) + quantity);
  }
  const known = new Set(ordered.map((line) => line.sku));
  const unknown = [...totals.keys()].filter((sku) => !known.has(sku));
  if (unknown.length > 0) {
    return { outcome: 'refuse', code: 'UNKNOWN_LINE', skus: unknown };
  }
  const over = ordered
    .map((line) => ({ ...line, delivered: totals.get(line.sku) ?? 0 }))
    .filter((line) => line.received + line.delivered > line.ordered);
  if (over.length > 0) {
    return { outcome: 'refuse', code: 'OVER_RECEIPT', lines: over };
  }
  const complete = ordered.every((line) => line.received + (totals.get(line.sku) ?? 0) === line.ordered);
  return {
    outcome: 'book',
    lines: ordered.map((line) => ({ sku: line.sku, quantity: totals.get(line.sku) ?? 0 })),
    to: complete ? 'RECEIVED' : 'PARTIALLY_RECEIVED',
  };
}

/** `PO-000123`: the number the supplier sees, from the database sequence. */
export function formatPoNumber(sequence: number): string {
  return `PO-${String(sequence).padStart(6, '0')}`;
}
