import { createHash } from 'node:crypto';
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

/**
 * The shipment id of an order's one parcel, the same on every attempt (a name-based UUID, RFC 9562
 * version 5, under Waybill's own namespace). Carriers that dedupe by our reference (SF's `orderId`,
 * ZTO's `partnerOrderCode`) therefore see a booking retried after a lost commit as the same one.
 */
export function shipmentIdFor(orderId: string): string {
  const hash = createHash('sha1').update(SHIPMENT_ID_NAMESPACE).update(orderId, 'utf8').digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Bytes of the namespace UUID 5b0c6a8e-3f1d-4a57-9c2e-7d4b8a1f6e30, chosen once for Waybill shipments. */
const SHIPMENT_ID_NAMESPACE = Buffer.from('5b0c6a8e3f1d4a579c2e7d4b8a1f6e30', 'hex');
