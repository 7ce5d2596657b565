/**
 * Which carrier books an order. Rules are tried in order and the first that matches wins; the
 * default carrier takes the rest. Weight is what carriers price and limit by; the destination
 * country decides who delivers there at all. Both are known when the order is confirmed.
 */
export interface CarrierRule {
  readonly carrier: string;
  /** ISO 3166-1 alpha-2 destinations; absent = any. */
  readonly countries?: readonly string[];
  /** Inclusive bounds on the parcel weight in grams; absent = no bound. */
  readonly minWeightGrams?: number;
  readonly maxWeightGrams?: number;
}

export interface ParcelFacts {
  readonly country: string;
  readonly weightGrams: number;
}

export function chooseCarrier(
  rules: readonly CarrierRule[],
  defaultCarrier: string,
  parcel: ParcelFacts,
): string {
  const rule = rules.find(
    (candidate) =>
      (candidate.countries === undefined || candidate.countries.includes(parcel.country)) &&
      (candidate.minWeightGrams === undefined || parcel.weightGrams >= candidate.minWeightGrams) &&
      (candidate.maxWeightGrams === undefined || parcel.weightGrams <= candidate.maxWeightGrams),
  );
  return rule?.carrier ?? defaultCarrier;
}

/**
 * The parcel weight: each unit weighs its SKU's configured weight, or the default unit weight.
 * Orders carry no weights (storefronts do not send them), so logistics owns this catalogue fact.
 */
export function parcelWeightGrams(
  lines: readonly { readonly sku: string; readonly quantity: number }[],
  skuWeightsGrams: Readonly<Record<string, number>>,
  defaultUnitWeightGrams: number,
): number {
  return lines.reduce(
    (total, line) =>
      total +
      line.quantity *
        (Object.hasOwn(skuWeightsGrams, line.sku) ? skuWeightsGrams[line.sku] : defaultUnitWeightGrams),
    0,
  );
}

/** The one key per order and step that every carrier call carries. */
export function carrierIdempotencyKey(orderId: string, step: 'book' | 'cancel'): string {
  return `logistics:${orderId}:${step}`;
}
