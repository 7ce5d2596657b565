/*
 * Partners speak money as decimal strings in major units ("12.34" yuan); Waybill keeps integer
 * minor units. These convert both ways by the currency's ISO 4217 exponent on the digits alone —
 * never through a floating-point number, which cannot hold 0.1 exactly.
 */

/** ISO 4217 currencies whose minor unit is not 2 digits; every other code has 2. */
const EXPONENTS: Readonly<Record<string, number>> = {
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  ISK: 0,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  PYG: 0,
  RWF: 0,
  UGX: 0,
  UYI: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
  CLF: 4,
  UYW: 4,
};

/** The number of digits after the decimal point in `currency`'s minor unit (ISO 4217). */
export function currencyExponent(currency: string): number {
  return EXPONENTS[currency.toUpperCase()] ?? 2;
}

export type DecimalAmountResult =
  { readonly ok: true; readonly minor: number } | { readonly ok: false; readonly message: string };

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

/**
 * `"12.34"` CNY → 1234. Refuses anything that is not a plain decimal, that has more decimals than
 * the currency has (`"1.005"` CNY), or that does not fit a safe integer. Trailing zeros beyond the
 * exponent are refused too: a partner that sends them is not speaking the format we agreed on.
 */
export function parseDecimalAmount(text: string, currency: string): DecimalAmountResult {
  const match = DECIMAL.exec(text);
  if (!match) {
    return { ok: false, message: `"${text.slice(0, 40)}" is not a decimal amount` };
  }
  const [, sign, whole, fraction = ''] = match;
  const exponent = currencyExponent(currency);
  if (fraction.length > exponent) {
    return {
      ok: false,
      message: `"${text}" has ${fraction.length} decimals; ${currency.toUpperCase()} has ${exponent}`,
    };
  }
  const digits = `${whole}${fraction.padEnd(exponent, '0')}`.replace(/^0+(?=\d)/, '');
  const minor = Number(digits);
  if (!Number.isSafeInteger(minor)) {
    return { ok: false, message: `"${text}" is too large` };
  }
  return { ok: true, minor: sign === '-' && minor !== 0 ? -minor : minor };
}

/** 1234 CNY → `"12.34"`; 5 JPY → `"5"`; -50 CNY → `"-0.50"`. Only integers are accepted. */
export function formatDecimalAmount(minor: number, currency: string): string {
  if (!Number.isSafeInteger(minor)) {
    throw new Error(`an amount in minor units must be a safe integer, not ${minor}`);
  }
  const exponent = currencyExponent(currency);
  const digits = String(Math.abs(minor)).padStart(exponent + 1, '0');
  const sign = minor < 0 ? '-' : '';
  if (exponent === 0) {
    return `${sign}${digits}`;
  }
  return `${sign}${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}
