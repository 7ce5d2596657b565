import { loadConfig } from '@waybill/platform';
import { CarrierRegistry } from './carriers/carrier-registry';
import { LogisticsConfig } from './logistics.config';

const BASE = { WAYBILL_API_KEYS: '[]', NODE_ENV: 'test' };
const WHSEC = `whsec_${Buffer.from('a sandbox secret').toString('base64')}`;

function load(env: Record<string, string>): LogisticsConfig {
  return loadConfig(LogisticsConfig, { ...BASE, ...env });
}

function failure(env: Record<string, string>): string {
  try {
    load(env);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the configuration to be refused');
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

describe('CarrierRegistry', () => {
  it('has the carriers that are configured, and only those', () => {
    const registry = new CarrierRegistry(load({ LOGISTICS_AFTERSHIP_WEBHOOK_SECRET: 's' }));
    expect(registry.get('sandbox')?.name).toBe('sandbox');
    expect(registry.get('aftership')?.name).toBe('aftership');
    expect(registry.get('easypost')).toBeUndefined();
    expect(() => registry.forBooking('aftership')).toThrow(/cannot book/);
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
});
