import { isIP } from 'node:net';
import { IsOptional, IsString, IsUrl, Matches, MinLength } from 'class-validator';
import { EventDrivenServiceConfig } from '@waybill/eventing';
import {
  EnvBoolean,
  EnvInt,
  EnvList,
  EnvValue,
  InvalidEnvValue,
  isStandardWebhookSecret,
  parseCommaList,
  Secret,
  SetTogether,
} from '@waybill/platform';
import type { PostalAddress } from '@waybill/contracts';
import type { CarrierRule } from './domain/carrier-rule';

const SLUG = /^[a-z0-9][a-z0-9_-]*$/;
const HTTP_URL = { require_tld: false, protocols: ['http', 'https'], require_protocol: true };
const SF = [
  'LOGISTICS_SF_PARTNER_ID',
  'LOGISTICS_SF_CHECK_WORD',
  'LOGISTICS_SF_MONTHLY_CARD',
  'LOGISTICS_SF_PUSH_TOKEN',
];
const ZTO = ['LOGISTICS_ZTO_APP_KEY', 'LOGISTICS_ZTO_APP_SECRET'];
const KUAIDI100 = [
  'LOGISTICS_KUAIDI100_KEY',
  'LOGISTICS_KUAIDI100_CUSTOMER',
  'LOGISTICS_KUAIDI100_SALT',
  'LOGISTICS_KUAIDI100_TRACK',
];
/** Kuaidi100's company codes for the carriers Waybill names by slug; others are given as `slug:code`. */
export const KUAIDI100_COMPANY_CODES: Readonly<Record<string, string>> = {
  sf: 'shunfeng',
  zto: 'zhongtong',
  yto: 'yuantong',
  sto: 'shentong',
  yunda: 'yunda',
  ems: 'ems',
  jd: 'jd',
};
const COUNTRY = /^[A-Z]{2}$/;
const MAX_GRAMS = 1_000_000;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseJson(raw: string, expected: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return new InvalidEnvValue(`is not valid JSON (expected ${expected})`);
  }
}

function isGrams(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value <= MAX_GRAMS;
}

/** `[{"carrier":"easypost","countries":["US","CA"],"maxWeightGrams":30000}, …]`, first match wins. */
export function parseCarrierRules(raw: string): CarrierRule[] | InvalidEnvValue {
  const parsed = parseJson(raw, 'an array of {"carrier","countries"?,"minWeightGrams"?,"maxWeightGrams"?}');
  if (parsed instanceof InvalidEnvValue) {
    return parsed;
  }
  if (!Array.isArray(parsed)) {
    return new InvalidEnvValue('must be a JSON array of rules');
  }
  const rules: CarrierRule[] = [];
  for (const [index, rule] of parsed.entries()) {
    const where = `rule ${index}`;
    if (!isRecord(rule)) {
      return new InvalidEnvValue(`${where} must be an object`);
    }
    const unknownKeys = Object.keys(rule).filter(
      (key) => !['carrier', 'countries', 'minWeightGrams', 'maxWeightGrams'].includes(key),
    );
    if (unknownKeys.length > 0) {
      return new InvalidEnvValue(`${where}: unknown key(s) ${unknownKeys.join(', ')}`);
    }
    const { carrier, countries, minWeightGrams, maxWeightGrams } = rule;
    if (typeof carrier !== 'string' || !SLUG.test(carrier)) {
      return new InvalidEnvValue(`${where}: carrier must be a carrier name`);
    }
    if (
      countries !== undefined &&
      !(
        Array.isArray(countries) &&
        countries.length > 0 &&
        countries.every((c) => typeof c === 'string' && COUNTRY.test(c))
      )
    ) {
      return new InvalidEnvValue(
        `${where}: countries must be a non-empty array of ISO 3166-1 alpha-2 codes like "DE"`,
      );
    }
    for (const [name, grams] of [
      ['minWeightGrams', minWeightGrams],
      ['maxWeightGrams', maxWeightGrams],
    ] as const) {
      if (grams !== undefined && !isGrams(grams)) {
        return new InvalidEnvValue(
          `${where}: ${name} must be a whole number of grams between 0 and ${MAX_GRAMS}`,
        );
      }
    }
    rules.push({
      carrier,
      ...(countries !== undefined && { countries: countries as string[] }),
      ...(minWeightGrams !== undefined && { minWeightGrams: minWeightGrams as number }),
      ...(maxWeightGrams !== undefined && { maxWeightGrams: maxWeightGrams as number }),
    });
  }
  return rules;
}

/** `{"SKU-1": 250, …}`: grams per unit. */
export function parseSkuWeights(raw: string): Record<string, number> | InvalidEnvValue {
  const parsed = parseJson(raw, 'an object of SKU → grams');
  if (parsed instanceof InvalidEnvValue) {
    return parsed;
  }
  if (!isRecord(parsed)) {
    return new InvalidEnvValue('must be a JSON object of SKU → grams');
  }
  const bad = Object.entries(parsed).find(([, grams]) => !isGrams(grams));
  if (bad) {
    return new InvalidEnvValue(`the weight of ${bad[0].slice(0, 64)} must be a whole number of grams`);
  }
  return parsed as Record<string, number>;
}

/** The sender address carriers print on labels. */
export function parseShipFrom(raw: string): PostalAddress | InvalidEnvValue {
  const parsed = parseJson(raw, 'an address object');
  if (parsed instanceof InvalidEnvValue) {
    return parsed;
  }
  if (!isRecord(parsed)) {
    return new InvalidEnvValue('must be a JSON address object');
  }
  for (const key of ['line1', 'city', 'postalCode', 'country']) {
    if (typeof parsed[key] !== 'string' || parsed[key] === '') {
      return new InvalidEnvValue(`needs a non-empty "${key}"`);
    }
  }
  if (!COUNTRY.test(parsed.country as string)) {
    return new InvalidEnvValue('"country" must be an ISO 3166-1 alpha-2 code');
  }
  return parsed as unknown as PostalAddress;
}

/** A comma list of `whsec_<base64>` secrets; the reason never repeats a secret. */
function parseStandardWebhookSecrets(raw: string): string[] | InvalidEnvValue {
  const secrets = parseCommaList(raw);
  if (secrets instanceof InvalidEnvValue) {
    return secrets;
  }
  const bad = secrets.findIndex((secret) => !isStandardWebhookSecret(secret));
  return bad >= 0
    ? new InvalidEnvValue(`secret ${bad + 1} of the list must look like whsec_<base64>`)
    : secrets;
}

/** `10.0.0.0/8,2001:db8::/32,203.0.113.7`: where SF's pushes may come from (a bare address is /32 or /128). */
export function parseCidrList(raw: string): string[] | InvalidEnvValue {
  const entries = parseCommaList(raw);
  if (entries instanceof InvalidEnvValue) {
    return entries;
  }
  for (const entry of entries) {
    const [address, prefix, extra] = entry.split('/');
    const family = isIP(address ?? '');
    const bits = family === 6 ? 128 : 32;
    if (
      family === 0 ||
      extra !== undefined ||
      (prefix !== undefined && (!/^\d{1,3}$/.test(prefix) || Number(prefix) > bits))
    ) {
      return new InvalidEnvValue(`has ${JSON.stringify(entry)}, which is not an IP address or CIDR block`);
    }
  }
  return entries;
}

/** One carrier Kuaidi100 tracks for us: our slug and Kuaidi100's company code for it. */
export interface Kuaidi100TrackedCarrier {
  readonly carrier: string;
  readonly company: string;
}

/** `sf,zto,yto,best:huitongkuaidi`: our carrier slugs, with Kuaidi100's code where it is not known here. */
export function parseKuaidi100Track(raw: string): Kuaidi100TrackedCarrier[] | InvalidEnvValue {
  const entries = parseCommaList(raw);
  if (entries instanceof InvalidEnvValue) {
    return entries;
  }
  const tracked: Kuaidi100TrackedCarrier[] = [];
  for (const entry of entries) {
    const [carrier, given, extra] = entry.split(':');
    const company = given ?? KUAIDI100_COMPANY_CODES[carrier ?? ''];
    if (!carrier || !SLUG.test(carrier) || extra !== undefined) {
      return new InvalidEnvValue(
        `has ${JSON.stringify(entry)}: expected a carrier slug or slug:kuaidi100code`,
      );
    }
    if (!company || !/^[a-z0-9]+$/.test(company)) {
      return new InvalidEnvValue(
        `has ${carrier}, whose Kuaidi100 company code is not known here: write it as ${carrier}:<code> (known: ${Object.keys(KUAIDI100_COMPANY_CODES).join(', ')})`,
      );
    }
    if (tracked.some((entry) => entry.carrier === carrier)) {
      return new InvalidEnvValue(`names ${carrier} twice`);
    }
    tracked.push({ carrier, company });
  }
  return tracked;
}

export class LogisticsConfig extends EventDrivenServiceConfig {
  override PORT = 3004;

  /** The built-in `sandbox` carrier books for free: on outside production unless set. */
  @IsOptional()
  @EnvBoolean()
  LOGISTICS_SANDBOX_ENABLED?: boolean;

  /** `whsec_…`; a comma list during a rotation. Whoever holds it drives sandbox parcels. */
  @Secret()
  @IsOptional()
  @EnvValue(parseStandardWebhookSecrets)
  LOGISTICS_SANDBOX_WEBHOOK_SECRET?: string[];

  /** AfterShip tracking webhooks are accepted when this is set; comma list during a rotation. */
  @Secret()
  @IsOptional()
  @EnvList()
  LOGISTICS_AFTERSHIP_WEBHOOK_SECRET?: string[];

  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  LOGISTICS_EASYPOST_API_BASE = 'https://api.easypost.com';

  /** EasyPost is enabled when this is set. */
  @Secret()
  @IsOptional()
  @IsString()
  LOGISTICS_EASYPOST_API_KEY?: string;

  @Secret()
  @IsOptional()
  @EnvList()
  LOGISTICS_EASYPOST_WEBHOOK_SECRET?: string[];

  /** `ca_…` ids for one-call buy. */
  @IsOptional()
  @EnvList()
  LOGISTICS_EASYPOST_CARRIER_ACCOUNTS?: string[];

  /** The service to buy, e.g. `Priority` or `Express`. */
  @IsOptional()
  @IsString()
  LOGISTICS_EASYPOST_SERVICE?: string;

  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  LOGISTICS_DIRECT_API_BASE?: string;

  /** The `direct` carrier is enabled when this and LOGISTICS_DIRECT_API_BASE are set. */
  @Secret()
  @IsOptional()
  @IsString()
  LOGISTICS_DIRECT_API_KEY?: string;

  @Secret()
  @IsOptional()
  @EnvValue(parseStandardWebhookSecrets)
  LOGISTICS_DIRECT_WEBHOOK_SECRET?: string[];

  /**
   * Where carriers and Kuaidi100 reach this service: Kuaidi100's `callbackurl` is this plus
   * `/v1/webhooks/carriers/kuaidi100`.
   */
  @IsUrl(HTTP_URL)
  LOGISTICS_PUBLIC_BASE_URL = 'http://localhost:3004';

  /** SF Express (丰桥) is enabled when its partner id, check word, monthly card and push token are set. */
  @SetTogether(SF)
  @Matches(/^[A-Za-z0-9_-]{1,64}$/, { message: 'must be the 丰桥 partner id (顾客编码)' })
  LOGISTICS_SF_PARTNER_ID?: string;

  @Secret()
  @SetTogether(SF)
  @IsString()
  @MinLength(8)
  LOGISTICS_SF_CHECK_WORD?: string;

  /** The form POST goes to this plus `/std/service` (sandbox: https://sfapi-sbox.sf-express.com). */
  @IsUrl(HTTP_URL)
  LOGISTICS_SF_API_BASE = 'https://sfapi.sf-express.com';

  /** The monthly settlement card (月结卡号) bookings are charged to. */
  @SetTogether(SF)
  @Matches(/^\d{10}$/, { message: 'must be the 10-digit SF monthly card number' })
  LOGISTICS_SF_MONTHLY_CARD?: string;

  /**
   * SF's route pushes carry no signature: they are accepted only at
   * `/v1/webhooks/carriers/sf/<this token>`, compared in constant time. At least 32 characters.
   */
  @Secret()
  @SetTogether(SF)
  @Matches(/^[A-Za-z0-9_-]{32,256}$/, {
    message: 'must be a random URL-safe token of 32 to 256 characters (A-Z a-z 0-9 _ -)',
  })
  LOGISTICS_SF_PUSH_TOKEN?: string;

  /** When set, SF route pushes from any other address are refused. */
  @IsOptional()
  @EnvValue(parseCidrList)
  LOGISTICS_SF_PUSH_ALLOWED_CIDRS?: string[];

  /** ZTO is enabled when its app key and app secret are set. */
  @SetTogether(ZTO)
  @Matches(/^[A-Za-z0-9_-]{1,64}$/, { message: 'must be the ZTO open platform app key' })
  LOGISTICS_ZTO_APP_KEY?: string;

  @Secret()
  @SetTogether(ZTO)
  @IsString()
  @MinLength(8)
  LOGISTICS_ZTO_APP_SECRET?: string;

  /** ZOP's gateway; the API name is appended (`/zto.open.createOrder`). */
  @IsUrl(HTTP_URL)
  LOGISTICS_ZTO_API_BASE = 'https://japi.zto.com';

  /** Kuaidi100 (tracking only) is enabled when its key, customer, salt and tracked carriers are set. */
  @Secret()
  @SetTogether(KUAIDI100)
  @IsString()
  @MinLength(8)
  LOGISTICS_KUAIDI100_KEY?: string;

  @SetTogether(KUAIDI100)
  @Matches(/^[A-Za-z0-9]{8,64}$/, { message: 'must be the Kuaidi100 customer id' })
  LOGISTICS_KUAIDI100_CUSTOMER?: string;

  /** Signs Kuaidi100's pushes (`sign` = UPPER(MD5(param + salt))); up to 32 characters. */
  @Secret()
  @SetTogether(KUAIDI100)
  @Matches(/^[\x21-\x7e]{8,32}$/, { message: 'must be 8 to 32 printable ASCII characters' })
  LOGISTICS_KUAIDI100_SALT?: string;

  @IsUrl(HTTP_URL)
  LOGISTICS_KUAIDI100_API_BASE = 'https://poll.kuaidi100.com';

  /** Shipments of these carriers are subscribed with Kuaidi100 when booked: `sf,zto,yto` or `slug:code`. */
  @SetTogether(KUAIDI100)
  @EnvValue(parseKuaidi100Track)
  LOGISTICS_KUAIDI100_TRACK?: Kuaidi100TrackedCarrier[];

  /** The tracking subscription worker also sweeps for due retries this often (a booking wakes it). */
  @EnvInt({ min: 50, max: 3_600_000 })
  LOGISTICS_TRACKING_SUBSCRIBE_POLL_INTERVAL_MS = 30_000;

  /** The first retry of a subscribe that met an outage; it doubles (with jitter) up to the cap. */
  @EnvInt({ min: 0, max: 3_600_000 })
  LOGISTICS_TRACKING_SUBSCRIBE_INITIAL_BACKOFF_MS = 30_000;

  /** The longest wait between subscribe attempts: an outage is retried for as long as it lasts. */
  @EnvInt({ min: 1000, max: 24 * 3_600_000 })
  LOGISTICS_TRACKING_SUBSCRIBE_MAX_BACKOFF_MS = 3_600_000;

  /** First matching rule picks the carrier; see README. */
  @EnvValue(parseCarrierRules)
  LOGISTICS_CARRIER_RULES: CarrierRule[] = [];

  @Matches(SLUG)
  @IsString()
  LOGISTICS_DEFAULT_CARRIER = 'sandbox';

  @IsOptional()
  @EnvValue(parseSkuWeights)
  LOGISTICS_SKU_WEIGHTS_GRAMS?: Record<string, number>;

  /** Weight of one unit of a SKU without a configured weight. */
  @EnvInt({ min: 1, max: MAX_GRAMS })
  LOGISTICS_DEFAULT_UNIT_WEIGHT_GRAMS = 500;

  @IsOptional()
  @EnvValue(parseShipFrom)
  LOGISTICS_SHIP_FROM?: PostalAddress;

  /** Per attempt of an outbound carrier call. */
  @EnvInt({ min: 100, max: 120_000 })
  LOGISTICS_CARRIER_TIMEOUT_MS = 10_000;

  @EnvInt({ min: 1, max: 10 })
  LOGISTICS_CARRIER_MAX_ATTEMPTS = 3;

  @EnvInt({ min: 0, max: 60_000 })
  LOGISTICS_CARRIER_RETRY_BACKOFF_MS = 200;

  /** Standard Webhooks timestamp tolerance (direct carriers, sandbox). */
  @EnvInt({ min: 1, max: 3600 })
  LOGISTICS_WEBHOOK_TOLERANCE_SECONDS = 300;

  /**
   * AfterShip and EasyPost sign no timestamp: an event whose own time is further than this from
   * now is refused (they retry failed deliveries for days, hence the generous default).
   */
  @EnvInt({ min: 60, max: 30 * 24 * 3600 })
  LOGISTICS_WEBHOOK_MAX_EVENT_AGE_SECONDS = 7 * 24 * 3600;

  /** Larger webhook bodies are refused with 413 before anything is verified or stored. */
  @EnvInt({ min: 1024, max: 16 * 1024 * 1024 })
  LOGISTICS_WEBHOOK_MAX_BYTES = 256 * 1024;

  /** The webhook worker also sweeps for unprocessed webhooks this often (it is woken on receipt). */
  @EnvInt({ min: 50, max: 600_000 })
  LOGISTICS_WEBHOOK_POLL_INTERVAL_MS = 5000;

  get sandboxEnabled(): boolean {
    return this.LOGISTICS_SANDBOX_ENABLED ?? this.NODE_ENV !== 'production';
  }
}
