import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import {
  COMPOSE_KAFKA_BROKERS,
  composeArgs,
  demoComposeEnv,
  demoPostgresPassword,
  envFileValue,
} from './compose-infra';
import { demoApiKeyEntries, type DemoState } from './state';

const ROOT = path.resolve(__dirname, '../..');

const state: DemoState = {
  version: 1,
  createdAt: '2026-12-01T00:00:00.000Z',
  keys: { storefront: 'wb_demo_sf_x', admin: 'wb_demo_admin_y' },
  stripe: { apiKey: 'sk_test_x', webhookSecret: 'whsec_a' },
  easypost: { apiKey: 'EZTKx', webhookSecret: 'b' },
  supplier: { signingSecret: 'whsec_c', webhookSecret: 'whsec_d' },
  sandbox: { paymentWebhookSecret: 'whsec_pay', carrierWebhookSecret: 'whsec_car' },
};

describe('npm start on Docker Compose', () => {
  const example = readFileSync(path.join(ROOT, 'deploy/.env.example'), 'utf8');

  it("fills deploy/.env.example's variables with the demo's values and keeps everything else", () => {
    const env = demoComposeEnv(example, state);
    expect(envFileValue(env, 'POSTGRES_PASSWORD')).toBe(demoPostgresPassword(state));
    expect(JSON.parse(envFileValue(env, 'WAYBILL_API_KEYS')!)).toEqual(demoApiKeyEntries(state));
    expect(envFileValue(env, 'PAYMENT_SANDBOX_WEBHOOK_SECRET')).toBe('whsec_pay');
    expect(envFileValue(env, 'LOGISTICS_SANDBOX_WEBHOOK_SECRET')).toBe('whsec_car');
    expect(env).not.toContain('wb_demo_admin_y'); // hashes only, never a key
    const comments = (text: string): string[] => text.split('\n').filter((line) => line.startsWith('#'));
    expect(comments(env)).toEqual(comments(example));
  });

  it('derives the same Postgres password on every start, a different one per demo state', () => {
    expect(demoPostgresPassword(state)).toBe(demoPostgresPassword({ ...state }));
    expect(demoPostgresPassword(state)).not.toBe(
      demoPostgresPassword({ ...state, keys: { ...state.keys, admin: 'other' } }),
    );
    expect(demoPostgresPassword(state)).toMatch(/^[0-9a-f]{32}$/);
  });

  it('addresses the services and host listener deploy/docker-compose.yml really has', () => {
    const compose = parseYaml(readFileSync(path.join(ROOT, 'deploy/docker-compose.yml'), 'utf8'), {
      merge: true,
    }) as { services: Record<string, { ports?: string[]; environment?: Record<string, string> }> };
    expect(compose.services.kafka?.environment?.KAFKA_ADVERTISED_LISTENERS).toContain(
      `HOST://${COMPOSE_KAFKA_BROKERS}`,
    );
    expect(compose.services.kafka?.ports).toContain(`${COMPOSE_KAFKA_BROKERS.split(':')[1]}:9094`);
    expect(compose.services.postgres?.ports).toContain('5432:5432');
    const args = composeArgs(['up', '--detach', '--wait', 'kafka', 'postgres']);
    expect(args.slice(0, 3)).toEqual(['compose', '-p', 'waybill']);
    expect(args[4]).toBe(path.join(ROOT, 'deploy/docker-compose.yml'));
  });
});
