import fc from 'fast-check';
import { CURRENCY_EXPONENTS, exponentOf, fromMinorUnits, toMinorUnits } from './money';

const BY_EXPONENT = { 0: 'JPY', 2: 'EUR', 3: 'KWD' } as const;

/** The oracle: the same conversion done the obvious way, all in BigInt, for comparison. */
function oracle(whole: bigint, fraction: string, exponent: number): bigint {
  return whole * 10n ** BigInt(exponent) + (exponent === 0 ? 0n : BigInt(fraction.padEnd(exponent, '0')));
}

describe('currency exponents', () => {
  it.each([
    ['JPY', 0],
    ['KRW', 0],
    ['VND', 0],
    ['CNY', 2],
    ['EUR', 2],
    ['USD', 2],
    ['BHD', 3],
    ['JOD', 3],
    ['KWD', 3],
    ['OMR', 3],
    ['TND', 3],
    ['IQD', 3],
    ['LYD', 3],
  ])('%s has %d decimals', (code, exponent) => {
    expect(exponentOf(code)).toBe(exponent);
  });

  it('lists each code once, as three capital letters, and leaves out the four-decimal units of account', () => {
    expect(CURRENCY_EXPONENTS.size).toBeGreaterThan(150);
    for (const code of CURRENCY_EXPONENTS.keys()) {
      expect(code).toMatch(/^[A-Z]{3}$/);
    }
    expect(exponentOf('CLF')).toBeUndefined();
    expect(exponentOf('XAU')).toBeUndefined();
  });
});

describe('toMinorUnits', () => {
  it.each([
    ['243.00', 'USD', 24300],
    ['0.10', 'EUR', 10],
    ['19.9', 'CNY', 1990],
    ['1500', 'JPY', 1500],
    ['1500.00', 'JPY', 1500],
    ['12.345', 'KWD', 12345],
    ['12.3', 'KWD', 12300],
    ['0', 'EUR', 0],
    ['-0.00', 'EUR', 0],
    ['007.50', 'EUR', 750],
  ])('%s %s is %d', (input, currency, minor) => {
    expect(toMinorUnits(input, currency)).toEqual({ ok: true, minor });
  });

  it('takes a negative amount only when asked to, as for refunds', () => {
    expect(toMinorUnits('-10.00', 'EUR')).toMatchObject({ ok: false, kind: 'negative' });
    expect(toMinorUnits('-10.00', 'EUR', { allowNegative: true })).toEqual({ ok: true, minor: -1000 });
  });

  it.each([
    ['', 'not-a-decimal'],
    [' ', 'not-a-decimal'],
    [' 1.00', 'not-a-decimal'],
    ['+1.00', 'not-a-decimal'],
    ['1e3', 'not-a-decimal'],
    ['1,000.00', 'not-a-decimal'],
    ['1 000', 'not-a-decimal'],
    ['1_000', 'not-a-decimal'],
    ['.50', 'not-a-decimal'],
    ['5.', 'not-a-decimal'],
    ['NaN', 'not-a-decimal'],
    ['Infinity', 'not-a-decimal'],
    ['0x10', 'not-a-decimal'],
    ['１２', 'not-a-decimal'],
    ['1.005', 'too-many-fraction-digits'],
    ['90071992547409.92', 'too-large'],
  ])('refuses %j in EUR as %s', (input, kind) => {
    expect(toMinorUnits(input, 'EUR')).toMatchObject({ ok: false, kind, input, currency: 'EUR' });
  });

  it('refuses yen with sen and an unknown currency, naming the field and the value', () => {
    const yen = toMinorUnits('100.5', 'JPY', { field: 'line_items[0].price' });
    expect(yen).toMatchObject({ ok: false, kind: 'too-many-fraction-digits' });
    expect(!yen.ok && yen.message).toBe('line_items[0].price "100.5" has 1 decimal places; JPY has 0');
    expect(toMinorUnits('1.00', 'XYZ')).toMatchObject({ ok: false, kind: 'unknown-currency' });
    expect(toMinorUnits('1.00', 'eur')).toMatchObject({ ok: false, kind: 'unknown-currency' });
  });

  it('takes the largest safe amount and refuses one more', () => {
    expect(toMinorUnits('90071992547409.91', 'EUR')).toEqual({ ok: true, minor: Number.MAX_SAFE_INTEGER });
    expect(toMinorUnits('9007199254740992', 'JPY')).toMatchObject({ ok: false, kind: 'too-large' });
  });
});

describe('toMinorUnits properties across exponents 0, 2 and 3', () => {
  const exponent = fc.constantFrom(0, 2, 3) as fc.Arbitrary<0 | 2 | 3>;

  it('round-trips minor → decimal string → minor', () => {
    fc.assert(
      fc.property(exponent, fc.maxSafeInteger(), (e, minor) => {
        const currency = BY_EXPONENT[e];
        expect(toMinorUnits(fromMinorUnits(minor, currency), currency, { allowNegative: true })).toEqual({
          ok: true,
          minor,
        });
      }),
    );
  });

  it('agrees with a BigInt oracle on every decimal with at most the allowed places', () => {
    fc.assert(
      fc.property(
        exponent,
        fc.bigInt({ min: 0n, max: 10n ** 13n }),
        fc.stringMatching(/^\d{0,3}$/),
        fc.nat({ max: 4 }),
        (e, whole, fraction, zeros) => {
          const currency = BY_EXPONENT[e];
          const places = fraction.slice(0, e);
          // Trailing zeros past the exponent are harmless and must be accepted.
          const text = places === '' && zeros === 0 ? `${whole}` : `${whole}.${places}${'0'.repeat(zeros)}`;
          if (text.endsWith('.')) {
            return;
          }
          const expected = oracle(whole, places, e);
          const result = toMinorUnits(text, currency);
          if (expected > BigInt(Number.MAX_SAFE_INTEGER)) {
            expect(result).toMatchObject({ ok: false, kind: 'too-large' });
          } else {
            expect(result).toEqual({ ok: true, minor: Number(expected) });
          }
        },
      ),
    );
  });

  it('refuses any non-zero digit past the exponent', () => {
    fc.assert(
      fc.property(
        exponent,
        fc.nat({ max: 10 ** 9 }),
        fc.stringMatching(/^\d{0,3}[1-9]$/),
        (e, whole, tail) => {
          const currency = BY_EXPONENT[e];
          const text = `${whole}.${'0'.repeat(e)}${tail}`;
          expect(toMinorUnits(text, currency)).toMatchObject({ ok: false, kind: 'too-many-fraction-digits' });
        },
      ),
    );
  });

  it('refuses any string that is not a plain decimal', () => {
    fc.assert(
      fc.property(exponent, fc.string(), (e, text) => {
        fc.pre(!/^-?\d+(\.\d+)?$/.test(text));
        expect(toMinorUnits(text, BY_EXPONENT[e], { allowNegative: true })).toMatchObject({
          ok: false,
          kind: 'not-a-decimal',
        });
      }),
    );
  });

  it('refuses every negative amount unless negatives are allowed', () => {
    fc.assert(
      fc.property(exponent, fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), (e, minor) => {
        const currency = BY_EXPONENT[e];
        expect(toMinorUnits(fromMinorUnits(-minor, currency), currency)).toMatchObject({
          ok: false,
          kind: 'negative',
        });
      }),
    );
  });
});

describe('fromMinorUnits', () => {
  it('writes the exponent’s places', () => {
    expect(fromMinorUnits(4280, 'EUR')).toBe('42.80');
    expect(fromMinorUnits(5, 'KWD')).toBe('0.005');
    expect(fromMinorUnits(1500, 'JPY')).toBe('1500');
    expect(fromMinorUnits(-1000, 'EUR')).toBe('-10.00');
  });
});
