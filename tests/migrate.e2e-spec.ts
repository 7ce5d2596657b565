/**
 * The migration Job's command (`main.js migrate`, deploy/k8s/base/migrate-job.yaml) on a real
 * PostgreSQL: it applies the whole schema of a service and exits 0, is a no-op the second time,
 * never needs Kafka, and exits 1 when it cannot migrate.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { Client } from 'pg';
import { createTestDatabase, spawnTypeScript, type TestDatabase } from '@waybill/testing';

interface Run {
  readonly code: number | null;
  readonly output: string;
}

async function migrate(service: string, env: Record<string, string>): Promise<Run> {
  const child = spawnTypeScript(`services/${service}/src/main.ts`, ['migrate'], {
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'production',
      // Nothing answers here: the command must not wait for Kafka.
      KAFKA_BROKERS: '127.0.0.1:1',
      WAYBILL_API_KEYS: '[]',
      LOG_LEVEL: 'log',
      ...env,
    },
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, output };
}

async function tablesOf(url: string): Promise<string[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
    );
    return rows.map((row) => row.table_name);
  } finally {
    await client.end();
  }
}

const OWN_TABLE: Record<string, string> = {
  order: 'orders',
  inventory: 'purchase_orders',
  payment: 'payments',
  logistics: 'shipments',
  channels: 'channel_connections',
};

/** What a service needs beyond its database to pass production's config validation. */
const REQUIRED_ENV: Record<string, Record<string, string>> = {
  channels: { CHANNELS_SECRETS_KEY: `k1:${randomBytes(32).toString('base64')}` },
};

describe('main.js migrate (the migration Job)', () => {
  const databases: TestDatabase[] = [];
  afterAll(async () => {
    await Promise.all(databases.map((database) => database.drop()));
  });

  it.each(Object.keys(OWN_TABLE))(
    '%s: applies every migration, exits 0, and the second run applies none',
    async (service) => {
      const database = await createTestDatabase(`migrate_${service}`);
      databases.push(database);
      const env = { [`${service.toUpperCase()}_DATABASE_URL`]: database.url, ...REQUIRED_ENV[service] };

      const first = await migrate(service, env);
      expect({ code: first.code, output: first.output }).toEqual({
        code: 0,
        output: expect.stringContaining('applied') as unknown as string,
      });
      const tables = await tablesOf(database.url);
      expect(tables).toEqual(expect.arrayContaining(['outbox', 'inbox', 'migrations', OWN_TABLE[service]]));

      const second = await migrate(service, env);
      expect(second.code).toBe(0);
      expect(second.output).toContain('schema is current');
      expect(await tablesOf(database.url)).toEqual(tables);
    },
  );

  it('exits 1 naming the failure when the database cannot be reached', async () => {
    const run = await migrate('order', { ORDER_DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' });
    expect(run.code).toBe(1);
    expect(run.output).toContain('migration failed');
  });

  it('still refuses an invalid configuration before touching the database', async () => {
    const run = await migrate('order', { WAYBILL_API_KEYS: 'not json' });
    expect(run.code).toBe(1);
    expect(run.output).toContain('WAYBILL_API_KEYS');
  });

  it('refuses to run channels in production without the key that seals its secrets', async () => {
    const run = await migrate('channels', { CHANNELS_DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' });
    expect(run.code).toBe(1);
    expect(run.output).toContain('CHANNELS_SECRETS_KEY');
    expect(run.output).not.toContain('migration failed');
  });
});
