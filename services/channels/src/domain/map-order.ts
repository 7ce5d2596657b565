/**
 * The steps every platform mapper shares once it has read its payload into an OrderDraft: SKU
 * table, totals check, overlay, country and phone normalisation, contract check. Each step that
 * cannot go on adds hold reasons; the order is held with all of them, so one round of fixes is
 * enough, and nothing throws on platform data.
 */
import {
  CanonicalAddress,
  CanonicalOrder,
  checkCanonicalOrder,
  HoldReason,
  MappingContext,
  MappingOutcome,
  toE164,
} from './canonical-order';
import { toCountryCode } from './countries';
import { externalIdAt, parseRawJson, RawJson } from './external-id';
import { MinorUnits, toMinorUnits } from './money';
import { Amount, checkOrderTotals, TotalsInput, TotalsLine } from './order-totals';
import { applyOverlay, Overlay } from './overlay';
import { applySkuTable, SkuTable } from './sku-mapping';

export interface DraftLine extends TotalsLine {
  readonly channelSku: string | null | undefined;
  readonly quantity: number;
}

export interface OrderDraft {
  readonly externalOrderId: string;
  readonly currency: string;
  readonly customer: { readonly id: string; readonly email: string };
  /** As the platform gives it: the country may be a name, the phone national. */
  readonly address: Readonly<CanonicalAddress>;
  readonly lines: readonly DraftLine[];
  readonly totals: Omit<TotalsInput, 'currency' | 'lines'>;
  readonly submittedAt?: string;
  readonly notes?: string;
  /** What the mapper filled in or left out on its own, reported with the mapped order. */
  readonly warnings?: readonly string[];
}

export interface MapOptions {
  readonly context: MappingContext;
  readonly skuTable: SkuTable;
  readonly overlay?: Overlay;
  /** The platform payload as parsed, for the overlay to read. */
  readonly payload: unknown;
}

/** The payment provider of orders the platform has already collected the money for. */
export const PREPAID_PROVIDER = 'prepaid';

/** The version of the code mappers; with the overlay's version it says how an order was mapped. */
export const MAPPER_VERSION = '1';

export function mappingVersion(options: MapOptions): string {
  const code = `${options.context.channel}-order@${MAPPER_VERSION}`;
  return options.overlay ? `${code}+overlay@${options.overlay.version}` : code;
}

/**
 * Collects what a mapper could not read: each reader returns a value to go on with and records
 * the reason, so one pass over the payload reports every bad field at once.
 */
export class PayloadReasons {
  readonly reasons: HoldReason[] = [];

  add(part: string, message: string): void {
    this.reasons.push({ stage: 'payload', part, message });
  }

  money(part: string, value: unknown, currency: string): Amount {
    const text = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value;
    const result: MinorUnits =
      typeof text === 'string'
        ? toMinorUnits(text, currency, { field: part })
        : {
            ok: false,
            kind: 'not-a-decimal',
            input: String(value),
            currency,
            message: `${part} is ${JSON.stringify(value) ?? 'missing'}, not an amount`,
          };
    if (!result.ok) {
      this.add(part, result.message);
      return { minor: 0, currency };
    }
    return { minor: result.minor, currency };
  }

  text(part: string, value: unknown): string {
    if (typeof value === 'string' && value.trim() !== '') {
      return value.trim();
    }
    if (typeof value === 'number' && Number.isSafeInteger(value)) {
      return String(value);
    }
    this.add(part, `${part} is ${value === undefined ? 'missing' : JSON.stringify(value)}`);
    return '';
  }

  quantity(part: string, value: unknown): number {
    if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 1) {
      return value;
    }
    this.add(part, `${part} is ${JSON.stringify(value) ?? 'missing'}, not a whole quantity of at least 1`);
    return 1;
  }
}

/** Blank becomes absent: the contract's optional text fields may not be empty strings. */
export function optionalText(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

export function sumAmounts(amounts: readonly Amount[], currency: string): Amount {
  let minor = 0;
  for (const amount of amounts) {
    if (amount.currency !== currency) {
      // The totals check names the part; here the odd currency is simply carried through.
      return amount;
    }
    minor += amount.minor;
  }
  return { minor, currency };
}

export async function finishMapping(
  draft: OrderDraft,
  reasons: PayloadReasons,
  options: MapOptions,
): Promise<MappingOutcome> {
  const version = mappingVersion(options);
  const held = (more: readonly HoldReason[]): MappingOutcome => ({
    status: 'held',
    externalOrderId: draft.externalOrderId === '' ? undefined : draft.externalOrderId,
    mappingVersion: version,
    reasons: [...reasons.reasons, ...more],
  });
  if (reasons.reasons.length > 0) {
    return held([]);
  }

  const totals: TotalsInput = { ...draft.totals, currency: draft.currency, lines: draft.lines };
  const check = checkOrderTotals(totals);
  const totalsReasons: HoldReason[] = check.ok
    ? []
    : check.problems.map((problem) => ({ stage: 'totals', part: problem.part, message: problem.message }));

  const skus = applySkuTable(
    draft.lines.map((line) => ({
      label: line.label,
      channelSku: line.channelSku,
      quantity: line.quantity,
      amount: line.amount.minor,
    })),
    options.skuTable,
  );
  const skuReasons: HoldReason[] =
    skus.status === 'held'
      ? skus.reasons.map((reason) => ({ stage: 'sku', part: reason.line, message: reason.message }))
      : [];
  if (skus.status === 'held' || totalsReasons.length > 0) {
    return held([...totalsReasons, ...skuReasons]);
  }

  const mapped: CanonicalOrder = {
    storefrontId: options.context.storefrontId,
    storefrontOrderId: draft.externalOrderId,
    customer: { ...draft.customer },
    lines: [...skus.lines],
    currency: draft.currency,
    totalAmount: draft.totals.total.minor,
    shippingAddress: withoutUndefined({ ...draft.address }),
    // Paid on the platform already: Waybill's `prepaid` provider takes nothing and the token names
    // the platform order the money was collected for (the order service allows `prepaid` only to
    // the storefronts listed in ORDER_PREPAID_STOREFRONTS).
    payment: { provider: PREPAID_PROVIDER, token: `${options.context.channel}:${draft.externalOrderId}` },
    ...(draft.submittedAt ? { submittedAt: draft.submittedAt } : {}),
  };

  let order = mapped;
  let notes = draft.notes;
  if (options.overlay) {
    const result = await applyOverlay(options.overlay, { order, notes }, options.payload);
    if (!result.ok) {
      return held([{ stage: 'overlay', part: 'overlay', message: result.message }]);
    }
    ({ order, notes } = result);
  }

  // Country and phone come last, so that an overlay may set them in any form the platforms use.
  const warnings: string[] = [...(draft.warnings ?? [])];
  const address = { ...order.shippingAddress };
  const country = toCountryCode(address.country);
  if (!country.ok) {
    return held([{ stage: 'payload', part: 'shippingAddress.country', message: country.message }]);
  }
  address.country = country.alpha2;
  if (address.phone !== undefined) {
    const phone = toE164(address.phone, address.country);
    if (phone.ok) {
      address.phone = phone.phone;
    } else {
      delete address.phone;
      warnings.push(phone.message);
    }
  }
  order = { ...order, shippingAddress: address };

  const contract = checkCanonicalOrder(order);
  if (contract.length > 0) {
    return held(contract);
  }
  return {
    status: 'mapped',
    externalOrderId: draft.externalOrderId,
    mappingVersion: version,
    order,
    ...(notes !== undefined ? { notes } : {}),
    totals,
    warnings,
  };
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, part]) => part !== undefined)) as T;
}

/** A body that is not a JSON object: held as it is, with no order id to dedupe on. */
export function unreadablePayload(options: Omit<MapOptions, 'payload'>, message: string): MappingOutcome {
  return {
    status: 'held',
    mappingVersion: mappingVersion({ ...options, payload: undefined }),
    reasons: [{ stage: 'payload', part: 'body', message }],
  };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The objects of a JSON array; anything else is no elements (the mapper then says what is missing). */
export function records(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.filter(isRecord) : [];
}

export interface PayloadStart {
  readonly order: Record<string, unknown>;
  readonly json: RawJson;
  readonly reasons: PayloadReasons;
  /** Empty when unreadable; the reason is then already recorded. */
  readonly externalOrderId: string;
  readonly currency: string;
}

/** What every mapper does first: parse the raw body, read the order id from its digits, the currency. */
export function beginMapping(
  rawBody: string,
  options: Omit<MapOptions, 'payload'>,
  idPointer: string,
  /** Where the payload names its currency (Shopify's GraphQL: `currencyCode`). */
  currencyField = 'currency',
):
  | { readonly ok: true; readonly start: PayloadStart }
  | { readonly ok: false; readonly outcome: MappingOutcome } {
  const parsed = parseRawJson(rawBody);
  if (!parsed.ok || !isRecord(parsed.json.value)) {
    return {
      ok: false,
      outcome: unreadablePayload(options, parsed.ok ? 'the body is not a JSON object' : parsed.message),
    };
  }
  const order = parsed.json.value;
  const reasons = new PayloadReasons();
  const id = externalIdAt(parsed.json, idPointer);
  if (!id.ok) {
    reasons.add(idPointer.slice(1).replace(/\//g, '.'), id.message);
  }
  const currency = reasons.text(currencyField, order[currencyField] ?? options.context.currency);
  return {
    ok: true,
    start: { order, json: parsed.json, reasons, externalOrderId: id.ok ? id.id : '', currency },
  };
}

/** A platform line's label names its SKU when it has one, so hold reasons say which product. */
export function lineLabel(label: string, sku: unknown): string {
  return typeof sku === 'string' && sku !== '' ? `${label} (sku ${sku})` : label;
}

/** "Steve" + "Shipper" → "Steve Shipper"; nothing → absent. */
export function personName(...parts: unknown[]): string | undefined {
  return optionalText(parts.filter((part) => typeof part === 'string' && part.trim() !== '').join(' '));
}
