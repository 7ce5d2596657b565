import { loadConfig } from '@waybill/platform';
import { refusalOf } from '@waybill/testing';
import { CarrierRegistry } from './carriers/carrier-registry';
import { LogisticsConfig } from './logistics.config';

const BASE = { WAYBILL_API_KEYS: '[]', NODE_ENV: 'test' };
const WHSEC = `whsec_${Buffer.from('a sandbox secret').toString('base64')}`;

function load(env: Record<string, string>): LogisticsConfig {
  return loadConfig(LogisticsConfig, { ...BASE, ...env });
}

function failure(env: Record<string, string>): string {
  return refusalOf(() => load(env));
}

describe('LogisticsConfig', () => {
  it('reads rules, weights, secrets and the sender address', () => {
    const config = load({
      LOGISTICS_CARRIER_RULES: '[{"carrier":"easypost","countries":["US"],"maxWeightGrams":30000}]',
      LOGISTICS_SKU_WEIGHTS_GRAMS: '{"MUG": 350}',
      LOGISTICS_SANDBOX_WEBHOOK_SECRET: `${WHSEC}, ${WHSEC}`,
      LOGISTICS_AFTERSHIP_WEBHOOK_SECRET: 'old,new',
      LOGISTICS_SHIP_FROM: '{"line1":"Lager 1","city":"Leipzig","postalCode":"04109","country":"DE"}',
    });
    expect(config.LOGISTICS_CARRIER_RULES).toEqual([
      { carrier: 'easypost', countries: ['US'], maxWeightGrams: 30000 },
    ]);
    expect(config.LOGISTICS_SKU_WEIGHTS_GRAMS).toEqual({ MUG: 350 });
    expect(config.LOGISTICS_SANDBOX_WEBHOOK_SECRET).toEqual([WHSEC, WHSEC]);
    expect(config.LOGISTICS_AFTERSHIP_WEBHOOK_SECRET).toEqual(['old', 'new']);
    expect(config.LOGISTICS_SHIP_FROM?.city).toBe('Leipzig');
    expect(config.sandboxEnabled).toBe(true);
    expect(load({ NODE_ENV: 'production' }).sandboxEnabled).toBe(false);
  });

  it('names what is wrong in a rule', () => {
    expect(failure({ LOGISTICS_CARRIER_RULES: '[{"carrier":"easypost","countries":["usa"]}]' })).toMatch(
      /LOGISTICS_CARRIER_RULES.*rule 0: countries must be/s,
    );
    expect(failure({ LOGISTICS_CARRIER_RULES: '[{"carrier":"easypost","maxWeight":1}]' })).toMatch(
      /rule 0: unknown key\(s\) maxWeight/,
    );
    expect(failure({ LOGISTICS_CARRIER_RULES: '{"carrier":"easypost"}' })).toMatch(/must be a JSON array/);
    expect(failure({ LOGISTICS_SKU_WEIGHTS_GRAMS: '{"MUG": -1}' })).toMatch(/the weight of MUG/);
    expect(failure({ LOGISTICS_SHIP_FROM: '{"line1":"x"}' })).toMatch(/needs a non-empty "city"/);
  });

  it('refuses a Standard Webhooks secret without whsec_, without repeating it', () => {
    const message = failure({ LOGISTICS_DIRECT_WEBHOOK_SECRET: 'plain-secret-value' });
    expect(message).toMatch(/LOGISTICS_DIRECT_WEBHOOK_SECRET.*whsec_<base64>/s);
    expect(message).not.toContain('plain-secret-value');
  });

  it('never prints a secret in a config dump', () => {
    const config = load({
      LOGISTICS_EASYPOST_API_KEY: 'EZAK-secret-key',
      LOGISTICS_AFTERSHIP_WEBHOOK_SECRET: 'as-secret',
    });
    expect(JSON.stringify(config)).not.toMatch(/EZAK-secret-key|as-secret/);
  });
});

describe('LogisticsConfig for the Chinese carriers', () => {
  const SF_ENV = {
    LOGISTICS_SF_PARTNER_ID: 'WAYBILL_TEST',
    LOGISTICS_SF_CHECK_WORD: 'a-check-word-from-the-console',
    LOGISTICS_SF_MONTHLY_CARD: '7551234567',
    LOGISTICS_SF_PUSH_TOKEN: 'Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9v',
  };

  it('reads SF, its allow-list and the carriers Kuaidi100 tracks', () => {
    const config = load({
      ...SF_ENV,
      LOGISTICS_SF_PUSH_ALLOWED_CIDRS: '203.0.113.0/24, 2001:db8::/32,198.51.100.7',
      LOGISTICS_KUAIDI100_KEY: 'a-kuaidi100-key',
      LOGISTICS_KUAIDI100_CUSTOMER: 'ABCDEF0123456789',
      LOGISTICS_KUAIDI100_SALT: 'salt-of-32-chars',
      LOGISTICS_KUAIDI100_TRACK: 'sf,zto,yto,best:huitongkuaidi',
    });
    expect(config.LOGISTICS_SF_PUSH_ALLOWED_CIDRS).toEqual([
      '203.0.113.0/24',
      '2001:db8::/32',
      '198.51.100.7',
    ]);
    expect(config.LOGISTICS_KUAIDI100_TRACK).toEqual([
      { carrier: 'sf', company: 'shunfeng' },
      { carrier: 'zto', company: 'zhongtong' },
      { carrier: 'yto', company: 'yuantong' },
      { carrier: 'best', company: 'huitongkuaidi' },
    ]);
  });

  it('names the missing member of a carrier that is half configured', () => {
    const { LOGISTICS_SF_PUSH_TOKEN: _token, ...withoutToken } = SF_ENV;
    expect(failure(withoutToken)).toMatch(/LOGISTICS_SF_PUSH_TOKEN.*must be set as well/s);
    expect(failure({ LOGISTICS_ZTO_APP_KEY: 'zto-key' })).toMatch(/LOGISTICS_ZTO_APP_SECRET/);
  });

  it('refuses a short push token, a bad CIDR and a carrier Kuaidi100 has no code for', () => {
    expect(failure({ ...SF_ENV, LOGISTICS_SF_PUSH_TOKEN: 'short' })).toMatch(/32 to 256 characters/);
    expect(failure({ ...SF_ENV, LOGISTICS_SF_PUSH_ALLOWED_CIDRS: '10.0.0.0/33' })).toMatch(
      /"10.0.0.0\/33", which is not an IP address or CIDR block/,
    );
    expect(failure({ ...SF_ENV, LOGISTICS_SF_PUSH_ALLOWED_CIDRS: 'sf.example' })).toMatch(
      /not an IP address/,
    );
    expect(
      failure({
        LOGISTICS_KUAIDI100_KEY: 'a-kuaidi100-key',
        LOGISTICS_KUAIDI100_CUSTOMER: 'ABCDEF0123456789',
        LOGISTICS_KUAIDI100_SALT: 'salt-of-32-chars',
        LOGISTICS_KUAIDI100_TRACK: 'sf,best',
      }),
    ).toMatch(/best, whose Kuaidi100 company code is not known here: write it as best:<code>/);
  });

  it('never prints the check word, the push token, the app secret, the key or the salt', () => {
    const secrets = {
      LOGISTICS_SF_CHECK_WORD: 'check-word-that-must-not-leak',
      LOGISTICS_SF_PUSH_TOKEN: 'push-token-that-must-not-leak-0123456789',
      LOGISTICS_ZTO_APP_SECRET: 'zto-secret-that-must-not-leak',
      LOGISTICS_KUAIDI100_KEY: 'k100-key-that-must-not-leak',
      LOGISTICS_KUAIDI100_SALT: 'k100-salt-not-to-leak',
    };
    const config = load({
      ...SF_ENV,
      ...secrets,
      LOGISTICS_ZTO_APP_KEY: 'zto-key',
      LOGISTICS_KUAIDI100_CUSTOMER: 'ABCDEF0123456789',
      LOGISTICS_KUAIDI100_TRACK: 'sf',
    });
    const dump = JSON.stringify(config);
    for (const secret of Object.values(secrets)) {
      expect(dump).not.toContain(secret);
    }
  });
});

describe('CarrierRegistry', () => {
  it('has the carriers that are configured, and only those', () => {
    const registry = new CarrierRegistry(load({ LOGISTICS_AFTERSHIP_WEBHOOK_SECRET: 's' }));
    expect(registry.get('sandbox')?.name).toBe('sandbox');
    expect(registry.get('aftership')?.name).toBe('aftership');
    expect(registry.get('easypost')).toBeUndefined();
    expect(() => registry.forBooking('aftership')).toThrow(/cannot book/);
  });

  it('has zto, a booking carrier, once its app key and secret are set', () => {
    expect(new CarrierRegistry(load({})).get('zto')).toBeUndefined();
    const registry = new CarrierRegistry(
      load({
        LOGISTICS_ZTO_APP_KEY: 'zto-app-key',
        LOGISTICS_ZTO_APP_SECRET: 'zto-app-secret',
        LOGISTICS_CARRIER_RULES: '[{"carrier":"zto","countries":["CN"]}]',
      }),
    );
    expect(registry.forBooking('zto')).toMatchObject({ name: 'zto', authenticatedBy: 'signature' });
  });

  it('fails the boot when a rule names a carrier that cannot book', () => {
    expect(
      () =>
        new CarrierRegistry(
          load({
            LOGISTICS_AFTERSHIP_WEBHOOK_SECRET: 's',
            LOGISTICS_CARRIER_RULES: '[{"carrier":"aftership"},{"carrier":"easypst"}]',
          }),
        ),
    ).toThrow(/not configured to book: aftership, easypst/);
    expect(() => new CarrierRegistry(load({ NODE_ENV: 'production' }))).toThrow(/sandbox/);
  });

  it('has sf, able to book, when its partner id, check word, monthly card and push token are set', () => {
    const sf = {
      LOGISTICS_SF_PARTNER_ID: 'WB12345678',
      LOGISTICS_SF_CHECK_WORD: 'check-word-0123456789',
      LOGISTICS_SF_MONTHLY_CARD: '7551234567',
      LOGISTICS_SF_PUSH_TOKEN: 'p'.repeat(32),
    };
    expect(new CarrierRegistry(load({})).get('sf')).toBeUndefined();
    const registry = new CarrierRegistry(load({ ...sf, LOGISTICS_CARRIER_RULES: '[{"carrier":"sf"}]' }));
    expect(registry.forBooking('sf')).toMatchObject({ name: 'sf', authenticatedBy: 'path-token' });
  });
});
