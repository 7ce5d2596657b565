import { randomBytes } from 'node:crypto';
import {
  InvalidEnvValue,
  isStandardWebhookSecret,
  parseIntInRange,
  parseSecretList,
} from '@waybill/platform';

export const SUPPLIER_ADAPTERS = ['http-json', 'sandbox'] as const;
export type SupplierAdapterKind = (typeof SUPPLIER_ADAPTERS)[number];

/** One supplier as configured by `INVENTORY_SUPPLIER_<NAME>_*`. */
export interface SupplierSettings {
  /** `<name>` in lower case: the id in events, policies and `/v1/webhooks/suppliers/:supplier`. */
  readonly id: string;
  /** `INVENTORY_SUPPLIER_<NAME>`, for messages. */
  readonly variablePrefix: string;
  readonly adapter: SupplierAdapterKind;
  readonly displayName?: string;
  /** http-json: where purchase orders are POSTed. */
  readonly url?: string;
  /** Verify what the supplier posts to us (`whsec_…`, several while rotating). */
  readonly webhookSecrets: readonly string[];
  /** Sign what we post to the supplier (`whsec_…`, several while rotating). */
  readonly signingSecrets: readonly string[];
  readonly timeoutMs?: number;
  readonly sandboxAckDelayMs: number;
  readonly sandboxShipDelayMs: number;
}

export const SUPPLIER_PREFIX = 'INVENTORY_SUPPLIER_';

const SETTINGS = [
  'ADAPTER',
  'URL',
  'NAME',
  'WEBHOOK_SECRET',
  'SIGNING_SECRET',
  'TIMEOUT_MS',
  'SANDBOX_ACK_DELAY_MS',
  'SANDBOX_SHIP_DELAY_MS',
] as const;
type Setting = (typeof SETTINGS)[number];

// Lazy name, then a known setting at the end: `INVENTORY_SUPPLIER_ACME_EU_WEBHOOK_SECRET` is ACME_EU.
const VARIABLE = new RegExp(`^${SUPPLIER_PREFIX}([A-Z0-9]+(?:_[A-Z0-9]+)*?)_(${SETTINGS.join('|')})$`);

function secrets(variable: string, raw: string | undefined): string[] | InvalidEnvValue {
  const list = parseSecretList(raw);
  // Never echo a secret: the reason names the variable and the expected form only.
  if (!list.every(isStandardWebhookSecret)) {
    return new InvalidEnvValue(`${variable} must be a comma list of whsec_<base64> secrets`);
  }
  return list;
}

/**
 * Parses the `INVENTORY_SUPPLIER_<NAME>_<SETTING>` variables (as collected by `@EnvGroup`) into
 * suppliers. A supplier exists when its `_ADAPTER` is set. Reasons name variables, never values.
 */
export function parseSupplierSettings(raw: string): SupplierSettings[] | InvalidEnvValue {
  const byName = new Map<string, Partial<Record<Setting, string>>>();
  for (const [variable, value] of Object.entries(JSON.parse(raw) as Record<string, string>)) {
    const match = VARIABLE.exec(variable);
    if (!match) {
      return new InvalidEnvValue(
        `${variable} is not a supplier setting (INVENTORY_SUPPLIER_<NAME>_{${SETTINGS.join(',')}})`,
      );
    }
    const [, name, setting] = match;
    byName.set(name, { ...byName.get(name), [setting as Setting]: value.trim() });
  }
  const suppliers: SupplierSettings[] = [];
  for (const [name, settings] of byName) {
    const prefix = `${SUPPLIER_PREFIX}${name}`;
    const adapter = settings.ADAPTER as SupplierAdapterKind | undefined;
    if (!adapter || !SUPPLIER_ADAPTERS.includes(adapter)) {
      return new InvalidEnvValue(`${prefix}_ADAPTER must be one of ${SUPPLIER_ADAPTERS.join(', ')}`);
    }
    const webhookSecrets = secrets(`${prefix}_WEBHOOK_SECRET`, settings.WEBHOOK_SECRET);
    if (webhookSecrets instanceof InvalidEnvValue) {
      return webhookSecrets;
    }
    const signingSecrets = secrets(`${prefix}_SIGNING_SECRET`, settings.SIGNING_SECRET);
    if (signingSecrets instanceof InvalidEnvValue) {
      return signingSecrets;
    }
    const delay = (setting: Setting, fallback: number): number | InvalidEnvValue => {
      const value = settings[setting];
      if (value === undefined) {
        return fallback;
      }
      const parsed = parseIntInRange(value, { min: 0, max: 86_400_000 });
      return parsed instanceof InvalidEnvValue
        ? new InvalidEnvValue(`${prefix}_${setting} ${parsed.reason}`)
        : parsed;
    };
    const ackDelay = delay('SANDBOX_ACK_DELAY_MS', 1000);
    const shipDelay = delay('SANDBOX_SHIP_DELAY_MS', 3000);
    const timeout = settings.TIMEOUT_MS === undefined ? undefined : delay('TIMEOUT_MS', 0);
    for (const value of [ackDelay, shipDelay, timeout]) {
      if (value instanceof InvalidEnvValue) {
        return value;
      }
    }

    if (adapter === 'http-json') {
      if (!settings.URL) {
        return new InvalidEnvValue(`${prefix}_URL is required for the http-json adapter`);
      }
      try {
        new URL(settings.URL);
      } catch {
        return new InvalidEnvValue(`${prefix}_URL must be an absolute http(s) URL`);
      }
      if (signingSecrets.length === 0) {
        return new InvalidEnvValue(`${prefix}_SIGNING_SECRET is required for the http-json adapter`);
      }
      if (webhookSecrets.length === 0) {
        return new InvalidEnvValue(
          `${prefix}_WEBHOOK_SECRET is required: the supplier's receipts are verified with it`,
        );
      }
    }
    suppliers.push({
      id: name.toLowerCase(),
      variablePrefix: prefix,
      adapter,
      displayName: settings.NAME,
      url: settings.URL,
      // The sandbox signs its own notifications; without a configured secret it uses a fresh one.
      webhookSecrets:
        webhookSecrets.length > 0 ? webhookSecrets : [`whsec_${randomBytes(24).toString('base64')}`],
      signingSecrets,
      timeoutMs: timeout as number | undefined,
      sandboxAckDelayMs: ackDelay as number,
      sandboxShipDelayMs: shipDelay as number,
    });
  }
  return suppliers.sort((a, b) => (a.id < b.id ? -1 : 1));
}
