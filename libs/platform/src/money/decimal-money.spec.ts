import { currencyExponent, formatDecimalAmount, parseDecimalAmount } from './decimal-money';

describe('decimal money', () => {
  it.each([
    ['12.34', 'CNY', 1234],
    ['0.01', 'CNY', 1],
    ['0.1', 'CNY', 10],
    ['100000000.00', 'CNY', 10_000_000_000],
    ['5', 'JPY', 5],
    ['1.234', 'KWD', 1234],
    ['-0.50', 'EUR', -50],
    ['007.10', 'cny', 710],
  ])('reads %s %s as %d minor units', (text, currency, minor) => {
    expect(parseDecimalAmount(text, currency)).toEqual({ ok: true, minor });
  });

  it('never goes through floating point: 0.29 stays 29 (0.29 * 100 is 28.999999999999996)', () => {
    expect(parseDecimalAmount('0.29', 'CNY')).toEqual({ ok: true, minor: 29 });
    expect(parseDecimalAmount('1.15', 'CNY')).toEqual({ ok: true, minor: 115 });
  });

  it.each([
    ['1.005', 'CNY', 'has 3 decimals; CNY has 2'],
    ['1.5', 'JPY', 'has 1 decimals; JPY has 0'],
    ['1e3', 'CNY', 'is not a decimal amount'],
    ['12.', 'CNY', 'is not a decimal amount'],
    [' 12', 'CNY', 'is not a decimal amount'],
    ['', 'CNY', 'is not a decimal amount'],
    ['99999999999999999.00', 'CNY', 'is too large'],
  ])('refuses %j in %s', (text, currency, message) => {
    const result = parseDecimalAmount(text, currency);
    expect(result.ok).toBe(false);
    expect(result.ok === false && result.message).toContain(message);
  });

  it.each([
    [1234, 'CNY', '12.34'],
    [1, 'CNY', '0.01'],
    [0, 'CNY', '0.00'],
    [-50, 'EUR', '-0.50'],
    [5, 'JPY', '5'],
    [1234, 'KWD', '1.234'],
  ])('writes %d %s as %s', (minor, currency, text) => {
    expect(formatDecimalAmount(minor, currency)).toBe(text);
    expect(parseDecimalAmount(text, currency)).toEqual({ ok: true, minor });
  });

  it('refuses to format a fraction of a minor unit', () => {
    expect(() => formatDecimalAmount(1.5, 'CNY')).toThrow('safe integer');
  });

  it('knows the exponents ISO 4217 gives', () => {
    expect([currencyExponent('JPY'), currencyExponent('CNY'), currencyExponent('KWD')]).toEqual([0, 2, 3]);
  });

  it('refuses a code the ISO 4217 table does not hold, rather than guessing 2 decimals', () => {
    expect(parseDecimalAmount('1.00', 'XYZ')).toEqual({
      ok: false,
      message: 'XYZ is not an ISO 4217 currency with a minor unit',
    });
    expect(() => formatDecimalAmount(100, 'XAU')).toThrow('XAU is not an ISO 4217 currency');
    expect(currencyExponent('xyz')).toBeUndefined();
  });
});
