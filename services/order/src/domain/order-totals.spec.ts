import { checkOrderDraft, MAX_PAYMENT_METHOD_REF_LENGTH, PREPAID_PAYMENT_PROVIDER } from './order-draft';
import { computeTotals, MAX_ORDER_AMOUNT } from './order-totals';

describe('computeTotals', () => {
  it('sums quantity × unit price and uses it as the total when the storefront sends none', () => {
    expect(
      computeTotals([
        { quantity: 2, unitPrice: 1250 },
        { quantity: 1, unitPrice: 2400 },
      ]),
    ).toEqual({ ok: true, totals: { subtotal: 4900, total: 4900 } });
  });

  it("keeps the storefront's total, which may include shipping and tax", () => {
    expect(computeTotals([{ quantity: 2, unitPrice: 1250 }], 2990)).toEqual({
      ok: true,
      totals: { subtotal: 2500, total: 2990 },
    });
  });

  it('accepts exactly the largest safe amount', () => {
    expect(computeTotals([{ quantity: 1, unitPrice: MAX_ORDER_AMOUNT }])).toEqual({
      ok: true,
      totals: { subtotal: MAX_ORDER_AMOUNT, total: MAX_ORDER_AMOUNT },
    });
  });

  it('refuses a single line whose product overflows, naming the line', () => {
    const result = computeTotals([
      { quantity: 1, unitPrice: 5 },
      { quantity: 2, unitPrice: MAX_ORDER_AMOUNT },
    ]);
    expect(result).toMatchObject({ ok: false, code: 'ORDER.AMOUNT_OVERFLOW', field: 'lines[1]' });
  });

  it('refuses lines that only overflow together (where a double would silently round)', () => {
    const half = Math.ceil(MAX_ORDER_AMOUNT / 2);
    const result = computeTotals([
      { quantity: 1, unitPrice: half },
      { quantity: 1, unitPrice: half },
    ]);
    expect(result).toMatchObject({ ok: false, code: 'ORDER.AMOUNT_OVERFLOW', field: 'lines' });
  });

  it('refuses a total beyond the maximum and a fractional or negative one', () => {
    const lines = [{ quantity: 1, unitPrice: 1 }];
    expect(computeTotals(lines, MAX_ORDER_AMOUNT + 2)).toMatchObject({ ok: false, field: 'totalAmount' });
    expect(computeTotals(lines, 1.5)).toMatchObject({ ok: false, code: 'ORDER.INVALID_AMOUNT' });
    expect(computeTotals(lines, -1)).toMatchObject({ ok: false, code: 'ORDER.INVALID_AMOUNT' });
  });

  it('refuses fractional quantities instead of throwing', () => {
    expect(computeTotals([{ quantity: 1.5, unitPrice: 100 }])).toMatchObject({
      ok: false,
      code: 'ORDER.INVALID_AMOUNT',
      field: 'lines[0]',
    });
  });
});

describe('checkOrderDraft', () => {
  const lines = [{ quantity: 3, unitPrice: 100 }];
  const card = { paymentProvider: 'stripe', storefrontMayPrepay: false };

  it('passes a sound draft with its totals', () => {
    expect(checkOrderDraft({ ...card, lines, paymentToken: 'pm_123' })).toEqual({
      ok: true,
      totals: { subtotal: 300, total: 300 },
    });
  });

  it('refuses a token that could not travel on as a payment method reference', () => {
    expect(
      checkOrderDraft({ ...card, lines, paymentToken: 'x'.repeat(MAX_PAYMENT_METHOD_REF_LENGTH) }).ok,
    ).toBe(true);
    expect(
      checkOrderDraft({ ...card, lines, paymentToken: 'x'.repeat(MAX_PAYMENT_METHOD_REF_LENGTH + 1) }),
    ).toMatchObject({
      ok: false,
      code: 'ORDER.PAYMENT_TOKEN_TOO_LONG',
      field: 'payment.token',
    });
  });

  it('passes the overflow verdict on', () => {
    expect(
      checkOrderDraft({ ...card, lines: [{ quantity: 3, unitPrice: MAX_ORDER_AMOUNT }], paymentToken: 'pm' }),
    ).toMatchObject({
      ok: false,
      code: 'ORDER.AMOUNT_OVERFLOW',
    });
  });

  it('takes a prepaid order only from a storefront whose orders arrive paid', () => {
    const prepaid = {
      lines,
      paymentProvider: PREPAID_PAYMENT_PROVIDER,
      paymentToken: 'shopify:5512345678901',
    };

    expect(checkOrderDraft({ ...prepaid, storefrontMayPrepay: true })).toEqual({
      ok: true,
      totals: { subtotal: 300, total: 300 },
    });
    expect(checkOrderDraft({ ...prepaid, storefrontMayPrepay: false })).toMatchObject({
      ok: false,
      code: 'ORDER.PAYMENT_PROVIDER_NOT_ALLOWED',
      field: 'payment.provider',
    });
  });
});
