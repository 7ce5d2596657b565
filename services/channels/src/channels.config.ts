import { ValidateIf } from 'class-validator';
import { EventDrivenServiceConfig } from '@waybill/eventing';
import { EnvBoolean, EnvInt, EnvValue, InvalidEnvValue, parseCommaList, Secret } from '@waybill/platform';
import { SECRET_KEY_BYTES, SecretKey } from './persistence/secret-box';

/** A key as configured; kept as base64 text because a loaded config is deep-frozen, which a Buffer cannot be. */
export interface ConfiguredSecretKey {
  readonly id: string;
  readonly base64: string;
}

const KEY_ID = /^[A-Za-z0-9_.-]{1,32}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * `keyId:base64` entries, comma separated: the first seals, all open (a rotation puts the new key
 * first). Reasons never quote a key, only its position or id.
 */
export function parseSecretKeys(raw: string): ConfiguredSecretKey[] | InvalidEnvValue {
  const entries = parseCommaList(raw);
  if (entries instanceof InvalidEnvValue) {
    return entries;
  }
  if (entries.length === 0) {
    return new InvalidEnvValue('must list at least one keyId:base64 key');
  }
  const keys: ConfiguredSecretKey[] = [];
  for (const [index, entry] of entries.entries()) {
    const colon = entry.indexOf(':');
    const id = colon < 0 ? '' : entry.slice(0, colon);
    const encoded = colon < 0 ? '' : entry.slice(colon + 1);
    if (!KEY_ID.test(id) || !BASE64.test(encoded)) {
      return new InvalidEnvValue(
        `entry ${index + 1} must be keyId:base64 (id of letters, digits, . _ -, at most 32)`,
      );
    }
    const length = Buffer.from(encoded, 'base64').length;
    if (length !== SECRET_KEY_BYTES) {
      return new InvalidEnvValue(
        `key ${id} must be ${SECRET_KEY_BYTES} bytes of base64 (e.g. openssl rand -base64 32), not ${length}`,
      );
    }
    if (keys.some((known) => known.id === id)) {
      return new InvalidEnvValue(`key id ${id} appears twice`);
    }
    keys.push({ id, base64: encoded });
  }
  return keys;
}

export class ChannelsConfig extends EventDrivenServiceConfig {
  override PORT = 3005;

  /**
   * Seals connection secrets (platform signing secrets, API credentials) at rest. Required in
   * production; elsewhere unset means connections cannot be written (503), so a developer never
   * stores real secrets under a key that was never chosen.
   */
  @Secret()
  @ValidateIf(
    (config: ChannelsConfig) => config.NODE_ENV === 'production' || config.CHANNELS_SECRETS_KEY !== undefined,
  )
  @EnvValue(parseSecretKeys)
  CHANNELS_SECRETS_KEY?: ConfiguredSecretKey[];

  /**
   * Platform webhooks larger than this are refused with 413; Shopify's and WooCommerce's orders
   * stay far below it, and it is the HTTP body limit's default, as for the other webhooks.
   */
  @EnvInt({ min: 1024, max: 16 * 1024 * 1024 })
  CHANNELS_WEBHOOK_MAX_BYTES = 1024 * 1024;

  /** Each call to a platform's Admin API (poll, tracking report); a slower answer is retried later. */
  @EnvInt({ min: 100, max: 120_000 })
  CHANNELS_PLATFORM_TIMEOUT_MS = 10_000;

  /**
   * How often the tracking-back dispatcher looks for reports that fell due without a commit to
   * wake it (retries after a platform outage); a new shipment wakes it at once.
   */
  @EnvInt({ min: 100, max: 3_600_000 })
  CHANNELS_TRACKING_POLL_INTERVAL_MS = 5_000;

  /** First and longest wait between attempts to tell a platform about a parcel (capped exponential). */
  @EnvInt({ min: 10, max: 3_600_000 })
  CHANNELS_TRACKING_INITIAL_BACKOFF_MS = 2_000;

  @EnvInt({ min: 10, max: 86_400_000 })
  CHANNELS_TRACKING_MAX_BACKOFF_MS = 600_000;

  /** Whether this replica polls the platforms (replicas share the work through leases). */
  @EnvBoolean()
  CHANNELS_POLL_ENABLED = true;

  /**
   * How often each connection's reconciliation poller asks its platform for orders modified since
   * its watermark. WooCommerce never retries a webhook, so this bounds how late a lost one arrives.
   */
  @EnvInt({ min: 1_000, max: 86_400_000 })
  CHANNELS_POLL_INTERVAL_MS = 300_000;

  /**
   * How far behind the newest modification seen the next poll starts again: a platform's clocks and
   * its search index lag its webhooks, so an order modified just before a poll may only be listed
   * after it. Orders seen twice change nothing (dedupe).
   */
  @EnvInt({ min: 0, max: 86_400_000 })
  CHANNELS_POLL_OVERLAP_MS = 120_000;

  /** Where a new connection's first poll starts: this far back from its creation. */
  @EnvInt({ min: 0, max: 30 * 86_400_000 })
  CHANNELS_POLL_INITIAL_LOOKBACK_MS = 86_400_000;
}

/** The configured keys as SecretBox takes them; empty when none is configured. */
export function secretKeysOf(config: Pick<ChannelsConfig, 'CHANNELS_SECRETS_KEY'>): SecretKey[] {
  return (config.CHANNELS_SECRETS_KEY ?? []).map(({ id, base64 }) => ({
    id,
    key: Buffer.from(base64, 'base64'),
  }));
}
