/**
 * The canonical order a channel produces: exactly `waybill.storefront.order-submitted.v1`, which
 * the channels service publishes so that the order service stays channel-agnostic. The shape is
 * the contract's own type; the checks below are its rules restated without class-validator, so a
 * mapping (or an overlay) that would be refused downstream is held here with a reason instead.
 */
import type { StorefrontOrderSubmittedV1 } from '@waybill/contracts';
import { MAX_LINES, MAX_MONEY, MAX_QUANTITY } from '@waybill/contracts';
import { exponentOf } from './money';
import { ISO_3166_ALPHA2 } from './countries';
import type { TotalsInput } from './order-totals';

export type Channel = 'shopify' | 'woocommerce' | 'youzan';

/** Plain data with the contract's fields; the contract's classes only add validation decorators. */
export type CanonicalOrder = {
  -readonly [K in keyof StorefrontOrderSubmittedV1]: StorefrontOrderSubmittedV1[K];
};
export type CanonicalAddress = CanonicalOrder['shippingAddress'];

/** What the connection contributes to every order it maps. */
export interface MappingContext {
  /** The connection's storefront slug (ce_source /storefronts/<id>). */
  readonly storefrontId: string;
  readonly channel: Channel;
  /** `defaults.timezone`: for platforms that send wall-clock times without a zone. */
  readonly timezone?: string;
  /** `defaults.currency`: used only when a payload names no currency. */
  readonly currency?: string;
}

export interface HoldReason {
  /** Which stage could not map it: the payload fields, a SKU, the totals, or the overlay. */
  readonly stage: 'payload' | 'sku' | 'totals' | 'overlay' | 'contract';
  /** The field, line or part concerned, e.g. `shipping_address.country` or `line_items[1]`. */
  readonly part: string;
  readonly message: string;
}

/** The outcome of mapping one platform order. Nothing in the mapping throws on platform data. */
export type MappingOutcome =
  | {
      readonly status: 'mapped';
      readonly externalOrderId: string;
      readonly mappingVersion: string;
      readonly order: CanonicalOrder;
      /** The connection's notes for the order (gift messages, overlay output); not in the contract. */
      readonly notes?: string;
      /** What the totals check was given, kept with the order so support can see the arithmetic. */
      readonly totals: TotalsInput;
      /** Things dropped rather than held for: e.g. a phone that could not be made E.164. */
      readonly warnings: readonly string[];
    }
  | {
      readonly status: 'held';
      /** Absent only when the payload has no readable order id at all. */
      readonly externalOrderId?: string;
      readonly mappingVersion: string;
      readonly reasons: readonly HoldReason[];
    };

const SKU = /^[A-Za-z0-9][A-Za-z0-9._/-]*$/;
const SLUG = /^[a-z0-9][a-z0-9_-]*$/;
const E164 = /^\+[1-9]\d{1,14}$/;
// class-validator's IsEmail is stricter still; this catches what a platform really sends wrong
// (blank, a name, a phone number) without pretending to be a full RFC 5322 parser.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

// C0 controls and DEL; tab, line feed and carriage return are the ones text may carry. Matching
// control characters is the point of this expression.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/** The paths (`shippingAddress.name`, `lines[0].sku`) of every string in `value` with a control character. */
export function fieldsWithControlCharacters(value: unknown, path = ''): string[] {
  if (typeof value === 'string') {
    return CONTROL.test(value) ? [path] : [];
  }
  if (Array.isArray(value)) {
    return value.flatMap((item, index) => fieldsWithControlCharacters(item, `${path}[${index}]`));
  }
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) =>
      fieldsWithControlCharacters(item, path === '' ? key : `${path}.${key}`),
    );
  }
  return [];
}

/** Every rule of the contract that a mapping can break, as hold reasons naming the field. */
export function checkCanonicalOrder(order: CanonicalOrder): HoldReason[] {
  const problems: HoldReason[] = [];
  const refuse = (part: string, message: string): void => {
    problems.push({ stage: 'contract', part, message: `${part} ${message}` });
  };
  const text = (part: string, value: unknown, max: number, optional = false): void => {
    if (value === undefined && optional) {
      return;
    }
    if (typeof value !== 'string' || value.trim() === '' || value.length > max) {
      refuse(part, `must be text of 1 to ${max} characters, not ${JSON.stringify(value)}`);
    }
  };
  if (
    typeof order.storefrontId !== 'string' ||
    !SLUG.test(order.storefrontId) ||
    order.storefrontId.length > 64
  ) {
    refuse('storefrontId', `must be a slug, not ${JSON.stringify(order.storefrontId)}`);
  }
  // PostgreSQL text and jsonb cannot hold U+0000, and no field of an order means a control
  // character: refused by name here, rather than failing the transaction that would store it.
  for (const part of fieldsWithControlCharacters(order)) {
    refuse(part, 'must not contain control characters');
  }
  text('storefrontOrderId', order.storefrontOrderId, 128);
  text('customer.id', order.customer?.id, 128);
  if (
    typeof order.customer?.email !== 'string' ||
    !EMAIL.test(order.customer.email) ||
    order.customer.email.length > 254
  ) {
    refuse('customer.email', `must be an email address, not ${JSON.stringify(order.customer?.email)}`);
  }
  if (typeof order.currency !== 'string' || exponentOf(order.currency) === undefined) {
    refuse('currency', `must be an ISO 4217 code with a minor unit, not ${JSON.stringify(order.currency)}`);
  }
  const lines: unknown = order.lines;
  if (!Array.isArray(lines) || lines.length < 1 || lines.length > MAX_LINES) {
    refuse('lines', `must hold 1 to ${MAX_LINES} lines`);
  } else {
    order.lines.forEach((line, index) => {
      if (typeof line.sku !== 'string' || !SKU.test(line.sku) || line.sku.length > 64) {
        refuse(`lines[${index}].sku`, `must be a Waybill SKU, not ${JSON.stringify(line.sku)}`);
      }
      if (!Number.isInteger(line.quantity) || line.quantity < 1 || line.quantity > MAX_QUANTITY) {
        refuse(`lines[${index}].quantity`, `must be a whole number from 1 to ${MAX_QUANTITY}`);
      }
      if (!isMoney(line.unitPrice)) {
        refuse(`lines[${index}].unitPrice`, 'must be whole, non-negative minor units');
      }
    });
  }
  if (order.totalAmount !== undefined && !isMoney(order.totalAmount)) {
    refuse('totalAmount', 'must be whole, non-negative minor units');
  }
  const address = order.shippingAddress;
  text('shippingAddress.name', address?.name, 200, true);
  text('shippingAddress.line1', address?.line1, 200);
  text('shippingAddress.line2', address?.line2, 200, true);
  text('shippingAddress.city', address?.city, 100);
  text('shippingAddress.region', address?.region, 100, true);
  text('shippingAddress.postalCode', address?.postalCode, 20);
  if (typeof address?.country !== 'string' || !ISO_3166_ALPHA2.has(address.country)) {
    refuse(
      'shippingAddress.country',
      `must be an ISO 3166-1 alpha-2 code, not ${JSON.stringify(address?.country)}`,
    );
  }
  if (address?.phone !== undefined && (typeof address.phone !== 'string' || !E164.test(address.phone))) {
    refuse('shippingAddress.phone', `must be E.164 (+4930123456), not ${JSON.stringify(address.phone)}`);
  }
  text('payment.provider', order.payment?.provider, 64);
  text('payment.token', order.payment?.token, 512);
  if (
    order.submittedAt !== undefined &&
    (typeof order.submittedAt !== 'string' || !/Z$/.test(order.submittedAt))
  ) {
    refuse('submittedAt', `must be a UTC timestamp, not ${JSON.stringify(order.submittedAt)}`);
  }
  return problems;
}

function isMoney(value: unknown): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_MONEY;
}

/**
 * Country calling codes for the markets the channels serve first, to make a national number
 * E.164. A number in any other country without a "+" is dropped with a warning, never guessed.
 */
const CALLING_CODES: Readonly<Record<string, string>> = {
  US: '1',
  CA: '1',
  GB: '44',
  DE: '49',
  FR: '33',
  NL: '31',
  BE: '32',
  AT: '43',
  CH: '41',
  ES: '34',
  IT: '39',
  PL: '48',
  SE: '46',
  DK: '45',
  IE: '353',
  AU: '61',
  NZ: '64',
  JP: '81',
  KR: '82',
  CN: '86',
  HK: '852',
  MO: '853',
  TW: '886',
  SG: '65',
};

/** Italy keeps its leading 0 after the country code; elsewhere in the table it is a trunk prefix. */
const KEEPS_LEADING_ZERO = new Set(['IT']);

export type PhoneResult =
  { readonly ok: true; readonly phone: string } | { readonly ok: false; readonly message: string };

/** `+1 (555) 555-0100`, `0049 30 123456`, `030 123456` with country DE, `13800138000` in CN → E.164. */
export function toE164(raw: string, country: string): PhoneResult {
  const compact = raw.trim().replace(/[\s().\-/]/g, '');
  let phone: string | undefined;
  if (/^\+\d+$/.test(compact)) {
    phone = compact;
  } else if (/^00\d+$/.test(compact)) {
    phone = `+${compact.slice(2)}`;
  } else if (/^\d+$/.test(compact) && CALLING_CODES[country]) {
    const code = CALLING_CODES[country];
    const national = KEEPS_LEADING_ZERO.has(country) ? compact : compact.replace(/^0/, '');
    // A North American number written with its country code but no "+" (1 555 555 0100).
    phone =
      code === '1' && national.length === 11 && national.startsWith('1')
        ? `+${national}`
        : `+${code}${national}`;
  }
  if (phone && E164.test(phone)) {
    return { ok: true, phone };
  }
  return {
    ok: false,
    message: `phone ${JSON.stringify(raw)} could not be written as E.164 for ${country}; left out`,
  };
}
