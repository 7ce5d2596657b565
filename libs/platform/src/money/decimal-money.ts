/*
 * Partners speak money as decimal strings in major units ("12.34" yuan); Waybill keeps integer
 * minor units. These convert both ways by the currency's ISO 4217 exponent on the digits alone —
 * never through a floating-point number, which cannot hold 0.1 exactly.
 */

import { exponentOf } from './iso-4217';

/**
 * The number of digits after the decimal point in `currency`'s minor unit (ISO 4217), or
 * undefined for a code the table does not hold: an amount in it is refused, never guessed at 2.
 */
export function currencyExponent(currency: string): number | undefined {
  return exponentOf(currency.toUpperCase());
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
  if (exponent === undefined) {
    return { ok: false, message: `${currency.slice(0, 8)} is not an ISO 4217 currency with a minor unit` };
  }
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
  if (exponent === undefined) {
    throw new Error(`${currency} is not an ISO 4217 currency with a minor unit`);
  }
  const digits = String(Math.abs(minor)).padStart(exponent + 1, '0');
  const sign = minor < 0 ? '-' : '';
  if (exponent === 0) {
    return `${sign}${digits}`;
  }
  return `${sign}${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}
