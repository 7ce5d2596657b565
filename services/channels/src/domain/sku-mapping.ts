/**
 * A connection's SKU table turns platform lines into Waybill lines. What it cannot map does not
 * fail the order: the order is held with a reason per line, an operator fixes the table and
 * releases it. That is the top complaint about channel connectors (custom items without a SKU,
 * deleted products), so nothing here throws on platform data.
 */

export type SkuRule =
  | { readonly kind: 'sku'; readonly sku: string; readonly multiplier: number }
  | { readonly kind: 'kit'; readonly lines: readonly { readonly sku: string; readonly quantity: number }[] }
  /** Marker lines (tips, gift wrap, notes): no goods to ship. */
  | { readonly kind: 'ignore' };

/** The table of one connection, keyed by the platform's SKU exactly as the platform sends it. */
export type SkuTable = ReadonlyMap<string, SkuRule>;

export interface PlatformLine {
  /** How messages name the line, e.g. `line_items[2]`. */
  readonly label: string;
  readonly channelSku: string | null | undefined;
  readonly quantity: number;
  /** What the line costs before order-level discounts, in minor units (quantity × unit price). */
  readonly amount: number;
}

export interface MappedLine {
  readonly sku: string;
  readonly quantity: number;
  readonly unitPrice: number;
}

export interface HoldReason {
  readonly line: string;
  readonly channelSku: string | null;
  readonly kind: 'empty-sku' | 'unmapped-sku' | 'invalid-rule' | 'invalid-line' | 'no-goods';
  readonly message: string;
}

export type SkuMapping =
  | {
      readonly status: 'mapped';
      readonly lines: readonly MappedLine[];
      /** Lines the table says to ignore; their money stays in the platform's total. */
      readonly ignored: readonly {
        readonly line: string;
        readonly channelSku: string;
        readonly amount: number;
      }[];
    }
  | { readonly status: 'held'; readonly reasons: readonly HoldReason[] };

/** The contracts' IsSku and IsQuantity bounds, so a mapped order is never refused downstream. */
const SKU = /^[A-Za-z0-9][A-Za-z0-9._/-]*$/;
const MAX_QUANTITY = 1_000_000;

export function applySkuTable(lines: readonly PlatformLine[], table: SkuTable): SkuMapping {
  const reasons: HoldReason[] = [];
  const mapped: MappedLine[] = [];
  const ignored: { line: string; channelSku: string; amount: number }[] = [];

  for (const line of lines) {
    const channelSku = line.channelSku?.trim() ?? '';
    const hold = (kind: HoldReason['kind'], message: string): void => {
      reasons.push({
        line: line.label,
        channelSku: line.channelSku ?? null,
        kind,
        message: `${line.label}: ${message}`,
      });
    };
    if (
      !Number.isSafeInteger(line.quantity) ||
      line.quantity < 1 ||
      !Number.isSafeInteger(line.amount) ||
      line.amount < 0
    ) {
      hold(
        'invalid-line',
        `quantity ${line.quantity} and amount ${line.amount} must be whole numbers, the quantity at least 1`,
      );
      continue;
    }
    if (channelSku === '') {
      hold('empty-sku', 'has no SKU; map the line in the SKU table or give the product a SKU');
      continue;
    }
    const rule = table.get(channelSku);
    if (!rule) {
      hold('unmapped-sku', `SKU ${JSON.stringify(channelSku)} is not in the connection's SKU table`);
      continue;
    }
    switch (rule.kind) {
      case 'ignore':
        ignored.push({ line: line.label, channelSku, amount: line.amount });
        break;
      case 'sku': {
        const problem = ruleProblem([{ sku: rule.sku, quantity: rule.multiplier }], line.quantity);
        if (problem) {
          hold('invalid-rule', `SKU ${JSON.stringify(channelSku)} maps to ${problem}`);
          break;
        }
        mapped.push(...splitEvenly(rule.sku, line.quantity * rule.multiplier, line.amount));
        break;
      }
      case 'kit': {
        const problem = rule.lines.length === 0 ? 'an empty kit' : ruleProblem(rule.lines, line.quantity);
        if (problem) {
          hold('invalid-rule', `SKU ${JSON.stringify(channelSku)} maps to ${problem}`);
          break;
        }
        const units = rule.lines.map((component) => component.quantity * line.quantity);
        const shares = largestRemainder(line.amount, units);
        rule.lines.forEach((component, index) => {
          mapped.push(...splitEvenly(component.sku, units[index] ?? 0, shares[index] ?? 0));
        });
        break;
      }
    }
  }
  if (reasons.length === 0 && mapped.length === 0) {
    reasons.push({
      line: 'lines',
      channelSku: null,
      kind: 'no-goods',
      message: 'lines: no line maps to goods to ship',
    });
  }
  return reasons.length > 0 ? { status: 'held', reasons } : { status: 'mapped', lines: mapped, ignored };
}

function ruleProblem(
  targets: readonly { sku: string; quantity: number }[],
  lineQuantity: number,
): string | undefined {
  for (const target of targets) {
    if (!SKU.test(target.sku) || target.sku.length > 64) {
      return `${JSON.stringify(target.sku)}, which is not a Waybill SKU`;
    }
    if (!Number.isSafeInteger(target.quantity) || target.quantity < 1) {
      return `${target.sku} × ${target.quantity}; the quantity must be a whole number of at least 1`;
    }
    if (target.quantity * lineQuantity > MAX_QUANTITY) {
      return `${target.quantity * lineQuantity} × ${target.sku}, more than ${MAX_QUANTITY} units on one line`;
    }
  }
  return undefined;
}

/**
 * `units` of one SKU costing `amount` in all. Unit prices are whole minor units, so 1000 over 3
 * units becomes 1 × 334 + 2 × 333: the cheaper units last, the sum exactly the amount.
 */
function splitEvenly(sku: string, units: number, amount: number): MappedLine[] {
  const base = Math.floor(amount / units);
  const dearer = amount - base * units;
  const lines: MappedLine[] = [];
  if (dearer > 0) {
    lines.push({ sku, quantity: dearer, unitPrice: base + 1 });
  }
  if (units - dearer > 0) {
    lines.push({ sku, quantity: units - dearer, unitPrice: base });
  }
  return lines;
}

/**
 * Splits `amount` in proportion to `weights` (here the units of each kit component: the table has
 * no component prices) by the largest-remainder method: everyone gets the floor of their exact
 * share, and the minor units left over go to the largest fractional remainders, ties to the
 * earlier component. Deterministic, and the shares always sum to the amount. BigInt because
 * amount × weight can pass 2^53.
 */
export function largestRemainder(amount: number, weights: readonly number[]): number[] {
  const total = weights.reduce((sum, weight) => sum + BigInt(weight), 0n);
  const exact = weights.map((weight) => BigInt(amount) * BigInt(weight));
  const shares = exact.map((numerator) => numerator / total);
  let left = BigInt(amount) - shares.reduce((sum, share) => sum + share, 0n);
  const order = exact
    .map((numerator, index) => ({ index, remainder: numerator % total }))
    .sort((a, b) => (a.remainder === b.remainder ? a.index - b.index : a.remainder > b.remainder ? -1 : 1));
  for (const { index } of order) {
    if (left === 0n) {
      break;
    }
    shares[index] = (shares[index] ?? 0n) + 1n;
    left -= 1n;
  }
  return shares.map(Number);
}
