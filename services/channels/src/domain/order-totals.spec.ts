import { Amount, checkOrderTotals, TotalsInput } from './order-totals';

const eur = (minor: number): Amount => ({ minor, currency: 'EUR' });

function order(overrides: Partial<TotalsInput> = {}): TotalsInput {
  return {
    currency: 'EUR',
    lines: [
      { label: 'line_items[0]', amount: eur(3980) },
      { label: 'line_items[1]', amount: eur(0) },
    ],
    shipping: eur(500),
    tax: eur(0),
    discounts: eur(200),
    total: eur(4280),
    taxesIncluded: false,
    ...overrides,
  };
}

describe('checkOrderTotals', () => {
  it('accepts lines + shipping + tax − discounts = total', () => {
    expect(checkOrderTotals(order())).toEqual({ ok: true, lines: 3980 });
    expect(checkOrderTotals(order({ tax: eur(300), total: eur(4580) }))).toMatchObject({ ok: true });
  });

  it('says which sum does not reach the total', () => {
    const check = checkOrderTotals(order({ total: eur(4300) }));
    expect(check).toMatchObject({ ok: false, problems: [{ kind: 'total', difference: 20 }] });
    expect(!check.ok && check.message).toBe(
      'lines 3980 + shipping 500 + tax 0 − discounts 200 = 4280, but the total is 4300',
    );
  });

  it('does not add a tax that the prices already include', () => {
    // Shopify, taxes_included: 19 % VAT inside 39.80 + 5.00 shipping; the total does not grow.
    const inclusive = order({ tax: eur(715), taxesIncluded: true });
    expect(checkOrderTotals(inclusive)).toMatchObject({ ok: true });
    const added = checkOrderTotals({ ...inclusive, total: eur(4995) });
    expect(!added.ok && added.message).toBe(
      'lines 3980 + shipping 500 − discounts 200 = 4280 (tax 715 included), but the total is 4995',
    );
    // The same order read as tax-exclusive does not add up: the flag matters.
    expect(checkOrderTotals({ ...inclusive, taxesIncluded: false })).toMatchObject({ ok: false });
  });

  it('counts fees and names them only when there are any', () => {
    expect(checkOrderTotals(order({ fees: eur(150), total: eur(4430) }))).toMatchObject({ ok: true });
    const check = checkOrderTotals(order({ fees: eur(150) }));
    expect(!check.ok && check.message).toContain('+ fees 150');
  });

  it('names a line whose amount is not quantity × unit price', () => {
    const check = checkOrderTotals(
      order({
        lines: [
          {
            label: 'line_items[0] (sku TEE)',
            amount: eur(1000),
            stated: { quantity: 3, unitPrice: eur(333) },
          },
        ],
        total: eur(1300),
      }),
    );
    expect(check).toMatchObject({
      ok: false,
      problems: [{ kind: 'line-amount', part: 'line_items[0] (sku TEE)' }],
    });
    expect(!check.ok && check.message).toBe('line_items[0] (sku TEE): 3 × 333 = 999, but the line says 1000');
  });

  it('refuses mixed currencies before doing any arithmetic, naming each odd part', () => {
    const check = checkOrderTotals(order({ shipping: { minor: 500, currency: 'USD' } }));
    expect(check).toMatchObject({ ok: false, problems: [{ kind: 'mixed-currency', part: 'shipping' }] });
    expect(!check.ok && check.message).toBe('shipping is in USD, but the order is in EUR');
    const line = checkOrderTotals(
      order({ lines: [{ label: 'line_items[0]', amount: { minor: 1, currency: 'JPY' } }] }),
    );
    expect(line).toMatchObject({ ok: false, problems: [{ part: 'line_items[0] amount' }] });
  });

  it('allows the configured rounding slack and no more', () => {
    expect(checkOrderTotals(order({ total: eur(4281), tolerance: 1 }))).toMatchObject({ ok: true });
    expect(checkOrderTotals(order({ total: eur(4278), tolerance: 1 }))).toMatchObject({ ok: false });
  });

  it('sums past the safe-integer range without losing the cent that does not add up', () => {
    const big = Number.MAX_SAFE_INTEGER;
    const check = checkOrderTotals(
      order({
        lines: [
          { label: 'a', amount: eur(big) },
          { label: 'b', amount: eur(big) },
        ],
        shipping: eur(0),
        discounts: eur(big),
        total: eur(big - 1),
      }),
    );
    expect(check).toMatchObject({ ok: false, problems: [{ kind: 'total', difference: -1 }] });
  });
});
