import { ConfigError, loadConfig, sha256Hex } from '@waybill/platform';
import { InventoryConfig } from './inventory.config';

const WEBHOOK = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const SIGNING = 'whsec_c2lnbmluZy1zZWNyZXQtZm9yLXRlc3Rz';
const base = {
  WAYBILL_API_KEYS: JSON.stringify([{ sha256: sha256Hex('k'), principal: 'admin', scopes: [] }]),
  INVENTORY_SUPPLIER_ACME_ADAPTER: 'http-json',
  INVENTORY_SUPPLIER_ACME_WEBHOOK_SECRET: WEBHOOK,
  INVENTORY_SUPPLIER_ACME_SIGNING_SECRET: SIGNING,
};

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(InventoryConfig, env);
  } catch (error) {
    if (error instanceof ConfigError) {
      return error;
    }
    throw error;
  }
  throw new Error('expected the configuration to be refused');
}

describe('inventory supplier configuration', () => {
  it('reads suppliers from INVENTORY_SUPPLIER_<NAME>_* and keeps their secrets out of JSON', () => {
    const config = loadConfig(InventoryConfig, {
      ...base,
      INVENTORY_SUPPLIER_ACME_URL: 'https://po.acme.example/orders',
      INVENTORY_SUPPLIER_ACME_WEBHOOK_SECRET: `${WEBHOOK}, ${SIGNING}`,
      INVENTORY_SUPPLIER_ALLOWED_HOSTS: '*.acme.example',
      INVENTORY_SUPPLIER_SANDY_ADAPTER: 'sandbox',
    });
    expect(config.INVENTORY_SUPPLIER_SETTINGS.map((s) => [s.id, s.adapter, s.url])).toEqual([
      ['acme', 'http-json', 'https://po.acme.example/orders'],
      ['sandy', 'sandbox', undefined],
    ]);
    expect(config.INVENTORY_SUPPLIER_SETTINGS[0].webhookSecrets).toEqual([WEBHOOK, SIGNING]);
    expect(JSON.stringify(config)).not.toContain(WEBHOOK);
  });

  it('refuses a supplier URL pointing at a link-local address, even when it is allow-listed', () => {
    for (const url of [
      'http://169.254.169.254/latest/meta-data',
      'http://[fe80::1]/po',
      'http://[::ffff:169.254.169.254]/po',
    ]) {
      const error = configError({
        ...base,
        INVENTORY_SUPPLIER_ACME_URL: url,
        INVENTORY_SUPPLIER_ALLOWED_HOSTS: '169.254.169.254,fe80::1,::ffff:a9fe:a9fe',
        INVENTORY_SUPPLIER_ALLOW_PRIVATE_NETWORKS: 'true',
        INVENTORY_SUPPLIER_ALLOW_LOOPBACK: 'true',
      });
      expect(error.message).toMatch(/INVENTORY_SUPPLIER_ACME_URL is refused: .* is a link-local address/);
      expect(error.message).not.toContain(WEBHOOK);
    }
  });

  it('refuses hosts off the allow-list, and loopback or private ones unless allowed', () => {
    expect(configError({ ...base, INVENTORY_SUPPLIER_ACME_URL: 'https://po.acme.example/' }).message).toMatch(
      /not on INVENTORY_SUPPLIER_ALLOWED_HOSTS/,
    );
    const loopback = {
      ...base,
      INVENTORY_SUPPLIER_ACME_URL: 'http://127.0.0.1:9/po',
      INVENTORY_SUPPLIER_ALLOWED_HOSTS: '127.0.0.1',
    };
    expect(configError(loopback).message).toMatch(/loopback address/);
    expect(
      loadConfig(InventoryConfig, { ...loopback, INVENTORY_SUPPLIER_ALLOW_LOOPBACK: 'true' }).networkPolicy
        .allowLoopback,
    ).toBe(true);
    expect(
      configError({
        ...base,
        INVENTORY_SUPPLIER_ACME_URL: 'http://10.0.0.7/po',
        INVENTORY_SUPPLIER_ALLOWED_HOSTS: '10.0.0.7',
      }).message,
    ).toMatch(/private address/);
  });

  it('names the variable of a bad secret or setting without echoing a value', () => {
    const error = configError({ ...base, INVENTORY_SUPPLIER_ACME_SIGNING_SECRET: 'hunter2' });
    expect(error.message).toContain(
      'INVENTORY_SUPPLIER_ACME_SIGNING_SECRET must be a comma list of whsec_<base64> secrets',
    );
    expect(error.message).not.toContain('hunter2');
    expect(configError({ ...base, INVENTORY_SUPPLIER_ACME_COLOUR: 'blue' }).message).toContain(
      'INVENTORY_SUPPLIER_ACME_COLOUR is not a supplier setting',
    );
    expect(
      configError({ INVENTORY_SUPPLIER_X_URL: 'https://x.example', WAYBILL_API_KEYS: base.WAYBILL_API_KEYS })
        .message,
    ).toContain('INVENTORY_SUPPLIER_X_ADAPTER must be one of http-json, sandbox');
  });
});
