/**
 * Platform amounts arrive as decimal strings ("243.00", "1500", "12.345"). They become integer minor
 * units by the currency's ISO 4217 exponent, with string and BigInt arithmetic only: a double cannot
 * hold 0.1 exactly, and zero- and three-decimal currencies are where connectors round wrongly.
 */

import { CURRENCY_EXPONENTS, exponentOf, type MinorUnitExponent } from '@waybill/platform/money/iso-4217';

export { CURRENCY_EXPONENTS, exponentOf, type MinorUnitExponent };

export type MoneyErrorKind =
  'unknown-currency' | 'not-a-decimal' | 'too-many-fraction-digits' | 'negative' | 'too-large';

export interface MoneyError {
  readonly ok: false;
  readonly kind: MoneyErrorKind;
  readonly input: string;
  readonly currency: string;
  readonly message: string;
}

export type MinorUnits = { readonly ok: true; readonly minor: number } | MoneyError;

export interface ToMinorOptions {
  /** Refunds ("-10.00" in WooCommerce) may be negative; an order amount may not. Default false. */
  readonly allowNegative?: boolean;
  /** Names the amount in the error, e.g. "line_items[2].price". */
  readonly field?: string;
}

// Digits, an optional point with at least one digit after it, an optional leading minus. No plus
// sign, exponent, grouping separator, blank or bare ".5": each of those is a different convention
// that a platform might mean differently, so it is refused rather than interpreted.
const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

export function toMinorUnits(decimal: string, currency: string, options: ToMinorOptions = {}): MinorUnits {
  const what = options.field ? `${options.field} ${JSON.stringify(decimal)}` : JSON.stringify(decimal);
  const fail = (kind: MoneyErrorKind, message: string): MoneyError => ({
    ok: false,
    kind,
    input: decimal,
    currency,
    message,
  });
  const exponent = exponentOf(currency);
  if (exponent === undefined) {
    return fail(
      'unknown-currency',
      `${what}: ${JSON.stringify(currency)} is not an ISO 4217 currency with a minor unit`,
    );
  }
  const match = DECIMAL.exec(decimal);
  if (!match) {
    return fail('not-a-decimal', `${what} is not a plain decimal amount (digits with an optional "." part)`);
  }
  const [, sign, whole, fraction = ''] = match;
  const kept = fraction.slice(0, exponent);
  const dropped = fraction.slice(exponent);
  if (/[^0]/.test(dropped)) {
    return fail(
      'too-many-fraction-digits',
      `${what} has ${fraction.length} decimal places; ${currency} has ${exponent}`,
    );
  }
  const magnitude = BigInt(whole + kept.padEnd(exponent, '0'));
  if (sign === '-' && magnitude !== 0n && !options.allowNegative) {
    return fail('negative', `${what} is negative`);
  }
  if (magnitude > BigInt(Number.MAX_SAFE_INTEGER)) {
    return fail('too-large', `${what} exceeds ${Number.MAX_SAFE_INTEGER} minor units of ${currency}`);
  }
  const minor = Number(magnitude);
  // `-0` would compare equal but print as "0"; normalise so round trips are exact.
  return { ok: true, minor: sign === '-' && minor !== 0 ? -minor : minor };
}

/** The inverse: 4280 EUR → "42.80", 1500 JPY → "1500", 5 KWD → "0.005". */
export function fromMinorUnits(minor: number, currency: string): string {
  const exponent = exponentOf(currency);
  if (exponent === undefined) {
    throw new RangeError(`${currency} is not an ISO 4217 currency with a minor unit`);
  }
  if (!Number.isSafeInteger(minor)) {
    throw new RangeError(`${minor} is not a safe whole number of minor units`);
  }
  const digits = Math.abs(minor)
    .toString()
    .padStart(exponent + 1, '0');
  const sign = minor < 0 ? '-' : '';
  if (exponent === 0) {
    return sign + digits;
  }
  return `${sign}${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}
