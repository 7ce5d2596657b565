import { createHash } from 'node:crypto';
import { Client } from 'pg';
import { createTestDatabase, freePort, spawnService, testInfrastructure, waitFor } from '@waybill/testing';

const SERVICES = ['order', 'inventory', 'payment', 'logistics', 'channels'] as const;

const ADMIN_KEY = 'lifecycle-admin-key';
const API_KEYS = JSON.stringify([
  { sha256: createHash('sha256').update(ADMIN_KEY).digest('hex'), principal: 'admin', scopes: [] },
]);

describe.each(SERVICES)('the %s service process', (service) => {
  it('boots against its own database and Kafka, runs its migrations, is ready, and exits cleanly on SIGTERM', async () => {
    const infra = await testInfrastructure();
    const database = await createTestDatabase(`svc_${service}`);
    const port = await freePort();
    const running = spawnService(service, {
      PORT: String(port),
      KAFKA_BROKERS: infra.kafkaBrokers.join(','),
      [`${service.toUpperCase()}_DATABASE_URL`]: database.url,
      KAFKA_TOPIC_PREFIX: `it.lifecycle.${service}.${Date.now()}.`,
      WAYBILL_API_KEYS: API_KEYS,
      LOG_LEVEL: 'log',
    });
    try {
      await waitFor(
        async () => {
          const response = await fetch(`http://127.0.0.1:${port}/health/ready`).catch(() => undefined);
          return response?.status === 200;
        },
        { timeoutMs: 60000, intervalMs: 250, description: `${service} ready` },
      ).catch((error: Error) => {
        throw new Error(`${error.message}\n--- ${service} output ---\n${running.output()}`);
      });
      const ready = (await (await fetch(`http://127.0.0.1:${port}/health/ready`)).json()) as unknown;
      expect(ready).toEqual({
        status: 'ok',
        info: {
          database: { status: 'up' },
          kafka: { status: 'up', brokers: 1 },
          relay: { status: 'up', leader: true },
          consumers: { status: 'up', consuming: expect.any(Number) as unknown },
          outbox: { status: 'up', pending: 0, oldestAgeSeconds: 0 },
        },
        error: {},
        details: expect.any(Object) as unknown,
      });

      const client = new Client({ connectionString: database.url });
      await client.connect();
      const migrations = await client.query<{ name: string }>(`SELECT name FROM migrations ORDER BY id`);
      const tables = await client.query<{ table_name: string }>(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`,
      );
      await client.end();
      expect(migrations.rows.map((row) => row.name)).toContain('EventingTables1764140000000');
      expect(tables.rows.map((row) => row.table_name)).toEqual(expect.arrayContaining(['inbox', 'outbox']));

      expect((await fetch(`http://127.0.0.1:${port}/health/live`)).status).toBe(200);

      running.child.kill('SIGTERM');
      const exit = await running.exited;
      // Nest re-raises the signal after its graceful shutdown, so the exit is "by SIGTERM", after
      // the relay handed back its connection and the pool closed.
      expect(exit.code === 0 || exit.signal === 'SIGTERM').toBe(true);
      expect(running.output()).toContain('outbox relay stopped');
    } finally {
      if (running.child.exitCode === null && running.child.signalCode === null) {
        running.child.kill('SIGKILL');
      }
      await database.drop();
    }
  });
});

describe('a service with a bad configuration', () => {
  it('stops at start with a message naming the variable, and does not print secrets', async () => {
    const running = spawnService('order', {
      PORT: 'not-a-port',
      WAYBILL_API_KEYS: API_KEYS,
      DATABASE_URL: 'mysql://user:hunter2@db/x',
    });
    const exit = await running.exited;
    expect(exit.code).toBe(1);
    expect(running.output()).toMatch(/PORT/);
    expect(running.output()).toMatch(/DATABASE_URL/);
    expect(running.output()).not.toContain('hunter2');
  });
});
