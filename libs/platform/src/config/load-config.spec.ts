import { IsString, IsUrl } from 'class-validator';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { sha256Hex } from '../auth/api-key-config';
import { BaseServiceConfig } from './base-service.config';
import { ConfigError } from './config-error';
import {
  EnvBoolean,
  EnvGroup,
  EnvList,
  EnvPem,
  EnvValue,
  parseBoolean,
  parseCommaList,
  parseIntInRange,
  InvalidEnvValue,
  Secret,
  SetTogether,
} from './env-value';
import { loadConfig, loadConfigOrExit } from './load-config';

class OrderConfig extends BaseServiceConfig {
  override PORT = 3001;

  @Secret()
  @IsUrl({ protocols: ['postgres', 'postgresql'], require_tld: false, require_protocol: true })
  DATABASE_URL!: string;

  @EnvList({ item: { pattern: /^[\w.-]+:\d+$/, description: 'host:port' } })
  KAFKA_BROKERS!: string[];

  @EnvBoolean()
  OUTBOX_RELAY_ENABLED = true;
}

const PASSWORD = 'hunter2-very-secret';
const KEYS = JSON.stringify([
  { sha256: sha256Hex('k'), principal: 'storefront/acme', scopes: ['orders:write'] },
]);
const valid = {
  DATABASE_URL: `postgres://waybill:${PASSWORD}@db:5432/orders`,
  KAFKA_BROKERS: 'kafka-1:9092, kafka-2:9092,',
  WAYBILL_API_KEYS: KEYS,
};

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(OrderConfig, env);
  } catch (error) {
    if (error instanceof ConfigError) {
      return error;
    }
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('parses values and applies defaults, including the subclass PORT', () => {
    const config = loadConfig(OrderConfig, { ...valid, OUTBOX_RELAY_ENABLED: 'off', PATH: '/usr/bin' });
    expect(config).toBeInstanceOf(OrderConfig);
    expect(config.PORT).toBe(3001);
    expect(config.NODE_ENV).toBe('development');
    expect(config.RATE_LIMIT_PER_MINUTE).toBe(600);
    expect(config.HTTP_BODY_LIMIT_BYTES).toBe(1048576);
    expect(config.KAFKA_BROKERS).toEqual(['kafka-1:9092', 'kafka-2:9092']);
    expect(config.OUTBOX_RELAY_ENABLED).toBe(false);
    expect(config.WAYBILL_API_KEYS).toEqual([
      { sha256: sha256Hex('k'), principal: 'storefront/acme', scopes: ['orders:write'] },
    ]);
    // Only declared variables are read; the rest of the environment stays out.
    expect(Object.keys(config)).not.toContain('PATH');
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('treats blank values as unset so the default applies', () => {
    expect(loadConfig(OrderConfig, { ...valid, PORT: '  ', RATE_LIMIT_PER_MINUTE: '' }).PORT).toBe(3001);
  });

  it('names every offending variable and why in one error', () => {
    const error = configError({
      KAFKA_BROKERS: 'kafka',
      PORT: '80abc',
      LOG_LEVEL: 'loud',
      RATE_LIMIT_PER_MINUTE: '0',
    });
    expect(error.issues.map((issue) => issue.variable).sort()).toEqual(
      [
        'DATABASE_URL',
        'KAFKA_BROKERS',
        'LOG_LEVEL',
        'PORT',
        'RATE_LIMIT_PER_MINUTE',
        'WAYBILL_API_KEYS',
      ].sort(),
    );
    expect(error.message).toContain('DATABASE_URL: is not set');
    expect(error.message).toContain('WAYBILL_API_KEYS: is not set');
    expect(error.message).toContain('PORT: must be an integer between 1 and 65535 (got "80abc")');
    expect(error.message).toContain('RATE_LIMIT_PER_MINUTE: must be an integer between 1 and 1000000');
    expect(error.message).toContain('KAFKA_BROKERS: item 1 of the comma-separated list must be host:port');
    expect(error.message).toContain('LOG_LEVEL: must be one of fatal, error, warn, log, debug, verbose');
  });

  it('never prints the value of a @Secret() variable', () => {
    const badUrl = `mysql://waybill:${PASSWORD}@db/orders`;
    const error = configError({ ...valid, DATABASE_URL: badUrl });
    expect(error.message).toMatch(/DATABASE_URL: must be a URL address.*\(value redacted\)/);
    expect(error.message).not.toContain(PASSWORD);
    expect(JSON.stringify(error.issues)).not.toContain(PASSWORD);
  });

  it.each([
    ['not JSON', '[{"sha256": nope}]', 'is not valid JSON'],
    ['not an array', '{}', 'must be a JSON array'],
    [
      'bad hex',
      JSON.stringify([{ sha256: 'xyz', principal: 'admin', scopes: [] }]),
      'entry 0 (admin): sha256 must be 64 hex characters',
    ],
    [
      'bad principal',
      JSON.stringify([{ sha256: sha256Hex('a'), principal: 'shopper/1', scopes: [] }]),
      'entry 0: principal must be storefront/<id>, carrier/<name>, supplier/<name> or admin',
    ],
    [
      'bad scope',
      JSON.stringify([{ sha256: sha256Hex('a'), principal: 'carrier/dhl', scopes: ['Orders Write'] }]),
      'entry 0 (carrier/dhl): scopes must be an array',
    ],
    [
      'duplicate key',
      JSON.stringify([
        { sha256: sha256Hex('a'), principal: 'carrier/dhl', scopes: [] },
        { sha256: sha256Hex('a').toUpperCase(), principal: 'carrier/ups', scopes: [] },
      ]),
      'entry 1 (carrier/ups): sha256 is configured twice',
    ],
  ])('rejects WAYBILL_API_KEYS with %s, naming the variable and not echoing it', (_, raw, reason) => {
    const error = configError({ ...valid, WAYBILL_API_KEYS: raw });
    expect(error.issues).toEqual([{ variable: 'WAYBILL_API_KEYS', reason: expect.stringContaining(reason) }]);
    expect(error.message).not.toContain(sha256Hex('a'));
    expect(error.message).not.toContain('nope');
  });

  it('keeps secrets out of JSON and inspect output of the loaded config', () => {
    const config = loadConfig(OrderConfig, valid);
    expect(JSON.stringify(config)).not.toContain(PASSWORD);
    expect(inspect(config)).not.toContain(PASSWORD);
    expect(JSON.stringify(config)).toContain('kafka-1:9092');
  });
});

describe('loadConfigOrExit', () => {
  it('prints the message to stderr and exits 1 on a bad config', () => {
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const exit = jest.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    try {
      loadConfigOrExit(OrderConfig, { ...valid, PORT: 'eighty' });
      expect(exit).toHaveBeenCalledWith(1);
      expect(stderr).toHaveBeenCalledWith(
        expect.stringContaining('PORT: must be an integer between 1 and 65535'),
      );
      expect(stderr).not.toHaveBeenCalledWith(expect.stringContaining(PASSWORD));
    } finally {
      stderr.mockRestore();
      exit.mockRestore();
    }
  });

  it('returns the config when it is valid', () => {
    expect(loadConfigOrExit(OrderConfig, valid).PORT).toBe(3001);
  });
});

describe('env parsers', () => {
  it('parses integers strictly within the range', () => {
    expect(parseIntInRange(' 42 ', { min: 1, max: 100 })).toBe(42);
    for (const raw of ['', '4.2', '1e3', '0x10', '101', '0', '12abc']) {
      expect(parseIntInRange(raw, { min: 1, max: 100 })).toBeInstanceOf(InvalidEnvValue);
    }
  });

  it('parses booleans and rejects anything else', () => {
    expect(['true', 'YES', '1', 'on'].map(parseBoolean)).toEqual([true, true, true, true]);
    expect(['false', 'No', '0', 'off'].map(parseBoolean)).toEqual([false, false, false, false]);
    expect(parseBoolean('maybe')).toBeInstanceOf(InvalidEnvValue);
  });

  it('parses comma lists, dropping blanks', () => {
    expect(parseCommaList('a, b,,c ,')).toEqual(['a', 'b', 'c']);
    expect(parseCommaList(' , ')).toBeInstanceOf(InvalidEnvValue);
    expect(parseCommaList('', { minItems: 0 })).toEqual([]);
  });
});

describe('a schema with a plain class-validator rule', () => {
  class Plain {
    @IsString()
    NAME!: string;
  }

  it('reports an unset variable as "is not set"', () => {
    expect(() => loadConfig(Plain, {})).toThrow('NAME: is not set');
  });
});

describe('a schema with an env group', () => {
  class Grouped {
    @EnvList()
    SHOP_ALLOWED_HOSTS: string[] = [];

    @Secret()
    @EnvGroup('SHOP_')
    @EnvValue((raw) => {
      const group = JSON.parse(raw) as Record<string, string>;
      return 'SHOP_BAD_URL' in group ? new InvalidEnvValue('SHOP_BAD_URL is not a URL') : group;
    })
    SHOP_SETTINGS: Record<string, string> = {};
  }

  it('collects the variables under its prefix, leaving out declared ones and blanks', () => {
    const config = loadConfig(Grouped, {
      SHOP_B_URL: 'https://b.example',
      SHOP_A_SECRET: 'whsec_x',
      SHOP_ALLOWED_HOSTS: 'a.example',
      SHOP_C_URL: ' ',
      SHOP_SETTINGS: 'ignored',
      OTHER: 'x',
    });
    expect(config.SHOP_SETTINGS).toEqual({ SHOP_A_SECRET: 'whsec_x', SHOP_B_URL: 'https://b.example' });
    expect(config.SHOP_ALLOWED_HOSTS).toEqual(['a.example']);
  });

  it('keeps its default when none is set, and reports a bad group without its values', () => {
    expect(loadConfig(Grouped, {}).SHOP_SETTINGS).toEqual({});
    expect(() => loadConfig(Grouped, { SHOP_BAD_URL: 'nope', SHOP_X_SECRET: 'whsec_hidden' })).toThrow(
      /SHOP_SETTINGS: SHOP_BAD_URL is not a URL \(value redacted\)/,
    );
  });
});

describe('SetTogether', () => {
  const GROUP = ['A_ID', 'A_KEY'];
  class Together {
    @SetTogether(GROUP)
    @IsString()
    A_ID?: string;

    @Secret()
    @SetTogether(GROUP)
    @EnvPem()
    A_KEY?: string;
  }

  it('leaves the group off when none is set', () => {
    const config = loadConfig(Together, {});
    expect([config.A_ID, config.A_KEY]).toEqual([undefined, undefined]);
  });

  it('names what is missing when only part is set, never the secret', () => {
    expect(() => loadConfig(Together, { A_ID: 'app-1' })).toThrow(
      /A_KEY.*must be set as well, since A_ID is/,
    );
    expect(() => loadConfig(Together, { A_KEY: 'not a pem' })).toThrow(/A_ID.*must be set as well/);
    expect(() => loadConfig(Together, { A_ID: 'x', A_KEY: 'secret-text' })).not.toThrow(/secret-text/);
  });

  it('reads a PEM inline, with escaped newlines, or from a file:', () => {
    const pem = '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----';
    const path = join(mkdtempSync(join(tmpdir(), 'pem-')), 'key.pem');
    writeFileSync(path, pem);
    expect(loadConfig(Together, { A_ID: 'x', A_KEY: pem.replace(/\n/g, '\\n') }).A_KEY).toBe(`${pem}\n`);
    expect(loadConfig(Together, { A_ID: 'x', A_KEY: `file:${path}` }).A_KEY).toBe(`${pem}\n`);
    expect(() => loadConfig(Together, { A_ID: 'x', A_KEY: 'file:/nonexistent/key.pem' })).toThrow(
      /cannot be read \(ENOENT\)/,
    );
  });
});
