/**
 * Does a platform order add up? lines + shipping + fees + tax − discounts = total, all in minor
 * units of one currency. When it does not, the answer names the part and shows the sum, so an
 * operator sees at once whether a discount, a fee or a line is what the mapping got wrong.
 */

export interface Amount {
  readonly minor: number;
  readonly currency: string;
}

export interface TotalsLine {
  /** How the line is named in messages, e.g. `line_items[1] (sku TEE-M)`. */
  readonly label: string;
  /** What the line costs before order-level discounts, as the platform's total was built from it. */
  readonly amount: Amount;
  /**
   * Where the platform states both a unit price and a line amount (Youzan `price` and `total_fee`),
   * quantity × unit price must be the amount: a rounded unit price shows up here.
   */
  readonly stated?: { readonly quantity: number; readonly unitPrice: Amount };
}

export interface TotalsInput {
  readonly currency: string;
  readonly lines: readonly TotalsLine[];
  readonly shipping: Amount;
  /** Surcharges outside lines and shipping (WooCommerce `fee_lines`); zero when none. */
  readonly fees?: Amount;
  readonly tax: Amount;
  readonly discounts: Amount;
  readonly total: Amount;
  /**
   * True when the line and shipping prices already contain the tax (Shopify `taxes_included`):
   * the tax is then part of the lines and must not be added a second time.
   */
  readonly taxesIncluded: boolean;
  /** Minor units of slack for platforms that round per line; 0 unless a connection says so. */
  readonly tolerance?: number;
}

export type TotalsProblem =
  | { readonly kind: 'mixed-currency'; readonly part: string; readonly message: string }
  | { readonly kind: 'line-amount'; readonly part: string; readonly message: string }
  | { readonly kind: 'total'; readonly part: 'total'; readonly difference: number; readonly message: string };

export type TotalsCheck =
  | { readonly ok: true; readonly lines: number }
  | { readonly ok: false; readonly problems: readonly TotalsProblem[]; readonly message: string };

/** Sums in BigInt so that many large lines cannot lose precision on the way to the comparison. */
export function checkOrderTotals(input: TotalsInput): TotalsCheck {
  const problems: TotalsProblem[] = [];
  const currencyOf = (part: string, amount: Amount): void => {
    if (amount.currency !== input.currency) {
      problems.push({
        kind: 'mixed-currency',
        part,
        message: `${part} is in ${amount.currency}, but the order is in ${input.currency}`,
      });
    }
  };

  let lines = 0n;
  for (const line of input.lines) {
    currencyOf(`${line.label} amount`, line.amount);
    if (line.stated) {
      currencyOf(`${line.label} unit price`, line.stated.unitPrice);
      const computed = BigInt(line.stated.quantity) * BigInt(line.stated.unitPrice.minor);
      if (BigInt(line.amount.minor) !== computed) {
        problems.push({
          kind: 'line-amount',
          part: line.label,
          message: `${line.label}: ${line.stated.quantity} × ${line.stated.unitPrice.minor} = ${computed}, but the line says ${line.amount.minor}`,
        });
      }
    }
    lines += BigInt(line.amount.minor);
  }
  const fees = input.fees ?? { minor: 0, currency: input.currency };
  currencyOf('shipping', input.shipping);
  currencyOf('fees', fees);
  currencyOf('tax', input.tax);
  currencyOf('discounts', input.discounts);
  currencyOf('total', input.total);
  if (problems.some((problem) => problem.kind === 'mixed-currency')) {
    return refuse(problems);
  }

  const shipping = BigInt(input.shipping.minor);
  const fee = BigInt(fees.minor);
  const tax = BigInt(input.tax.minor);
  const discounts = BigInt(input.discounts.minor);
  const total = BigInt(input.total.minor);
  const sum = lines + shipping + fee + (input.taxesIncluded ? 0n : tax) - discounts;
  const difference = total - sum;
  const slack = BigInt(input.tolerance ?? 0);
  if (difference > slack || -difference > slack) {
    const feePart = fee === 0n ? '' : ` + fees ${fee}`;
    const equation = input.taxesIncluded
      ? `lines ${lines} + shipping ${shipping}${feePart} − discounts ${discounts} = ${sum} (tax ${tax} included)`
      : `lines ${lines} + shipping ${shipping}${feePart} + tax ${tax} − discounts ${discounts} = ${sum}`;
    problems.push({
      kind: 'total',
      part: 'total',
      difference: Number(difference),
      message: `${equation}, but the total is ${total}`,
    });
  }
  return problems.length === 0 ? { ok: true, lines: Number(lines) } : refuse(problems);
}

function refuse(problems: readonly TotalsProblem[]): TotalsCheck {
  return { ok: false, problems, message: problems.map((problem) => problem.message).join('; ') };
}
