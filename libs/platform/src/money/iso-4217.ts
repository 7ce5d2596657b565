/**
 * ISO 4217 minor-unit exponents: the one table every amount conversion in Waybill reads (partner
 * decimals in the payment adapters, platform decimals in the channels mapping). No imports, so
 * the channels service's pure domain/ may use it too.
 */

/**
 * ISO 4217 minor-unit exponents of the active currencies (list one, 2025 amendments: XCG replaced
 * ANG, ZWG replaced ZWL, SLE replaced SLL). Excluded on purpose: CLF and UYW (exponent 4) are units
 * of account that no storefront checks out in; XAU, XDR, XSU and the other "N.A." codes have no
 * minor unit at all. A currency missing here is refused, never guessed to be 2.
 */
const EXPONENT_0 = 'BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF';
const EXPONENT_3 = 'BHD IQD JOD KWD LYD OMR TND';
const EXPONENT_2 =
  'AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP BYN BZD ' +
  'CAD CDF CHE CHF CHW CNY COP COU CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL ' +
  'GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR ' +
  'LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD ' +
  'PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC ' +
  'SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU UZS VED VES WST XCD XCG YER ZAR ZMW ZWG';

export type MinorUnitExponent = 0 | 2 | 3;

export const CURRENCY_EXPONENTS: ReadonlyMap<string, MinorUnitExponent> = new Map([
  ...EXPONENT_0.split(' ').map((code) => [code, 0] as const),
  ...EXPONENT_2.split(' ').map((code) => [code, 2] as const),
  ...EXPONENT_3.split(' ').map((code) => [code, 3] as const),
]);

export function exponentOf(currency: string): MinorUnitExponent | undefined {
  return CURRENCY_EXPONENTS.get(currency);
}
