import { randomBytes } from 'node:crypto';
import { loadConfig } from '@waybill/platform';
import { refusalOf } from '@waybill/testing';
import { ChannelsConfig, secretKeysOf } from './channels.config';

const BASE = { WAYBILL_API_KEYS: '[]', NODE_ENV: 'test' };
const KEY_A = randomBytes(32).toString('base64');
const KEY_B = randomBytes(32).toString('base64');

function load(env: Record<string, string>): ChannelsConfig {
  return loadConfig(ChannelsConfig, { ...BASE, ...env });
}

function failure(env: Record<string, string>): string {
  return refusalOf(() => load(env));
}

describe('ChannelsConfig', () => {
  it('has the defaults of the fifth service', () => {
    const config = load({});
    expect(config.PORT).toBe(3005);
    expect(config.CHANNELS_WEBHOOK_MAX_BYTES).toBe(1024 * 1024);
    expect(config.CHANNELS_SECRETS_KEY).toBeUndefined();
  });

  it('reads the secrets keys in order: the first seals, all open', () => {
    const config = load({ CHANNELS_SECRETS_KEY: `k2026:${KEY_A}, k2025:${KEY_B}` });
    expect(config.CHANNELS_SECRETS_KEY?.map((key) => key.id)).toEqual(['k2026', 'k2025']);
    expect(secretKeysOf(config)[0]?.key.equals(Buffer.from(KEY_A, 'base64'))).toBe(true);
    expect(secretKeysOf(load({}))).toEqual([]);
  });

  it('requires the secrets key in production', () => {
    expect(failure({ NODE_ENV: 'production' })).toMatch(/CHANNELS_SECRETS_KEY/);
    expect(
      load({ NODE_ENV: 'production', CHANNELS_SECRETS_KEY: `k1:${KEY_A}` }).CHANNELS_SECRETS_KEY,
    ).toHaveLength(1);
  });

  it('names what is wrong with a key without echoing it', () => {
    const short = randomBytes(16).toString('base64');
    const message = failure({ CHANNELS_SECRETS_KEY: `k1:${short}` });
    expect(message).toMatch(/key k1 must be 32 bytes.*not 16/);
    expect(message).not.toContain(short);
    expect(failure({ CHANNELS_SECRETS_KEY: KEY_A })).toMatch(/entry 1 must be keyId:base64/);
    expect(failure({ CHANNELS_SECRETS_KEY: `k1:${KEY_A},k1:${KEY_B}` })).toMatch(/k1 appears twice/);
    expect(failure({ CHANNELS_SECRETS_KEY: `bad id:${KEY_A}` })).toMatch(/entry 1/);
  });

  it('bounds the webhook body limit', () => {
    expect(load({ CHANNELS_WEBHOOK_MAX_BYTES: '2048' }).CHANNELS_WEBHOOK_MAX_BYTES).toBe(2048);
    expect(failure({ CHANNELS_WEBHOOK_MAX_BYTES: '10' })).toMatch(/CHANNELS_WEBHOOK_MAX_BYTES/);
  });

  it('has the poller and tracking dispatcher defaults, and refuses values that could not work', () => {
    const config = load({});
    expect(config.CHANNELS_POLL_ENABLED).toBe(true);
    expect(config.CHANNELS_POLL_INTERVAL_MS).toBe(300_000);
    expect(config.CHANNELS_TRACKING_MAX_BACKOFF_MS).toBe(600_000);
    expect(load({ CHANNELS_POLL_ENABLED: 'false' }).CHANNELS_POLL_ENABLED).toBe(false);
    expect(failure({ CHANNELS_POLL_INTERVAL_MS: '10' })).toMatch(/CHANNELS_POLL_INTERVAL_MS/);
    expect(failure({ CHANNELS_PLATFORM_TIMEOUT_MS: '0' })).toMatch(/CHANNELS_PLATFORM_TIMEOUT_MS/);
    expect(failure({ CHANNELS_POLL_ENABLED: 'perhaps' })).toMatch(/CHANNELS_POLL_ENABLED/);
  });
});
