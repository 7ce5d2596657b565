import { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import {
  freePort,
  spawnTypeScript,
  testInfrastructure,
  uniqueIdentifier,
  uniqueTopicPrefix,
  waitFor,
} from '@waybill/testing';
import { pidExists } from '@waybill/local-infra';
import { databaseUrl, dropDatabase } from '@waybill/local-infra';
import type { StartedProcess } from '../tools/start/run-folder';
import type { RunSummary } from '../tools/start/status-view';

const SERVICES = ['order', 'inventory', 'payment', 'logistics'] as const;

interface Run {
  readonly child: ChildProcess;
  output(): string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * `npm start -- --rate 20` from a clean state, as a newcomer runs it: its own state folder, its own
 * databases and topics on the test Kafka and PostgreSQL, its own ports. The simulated parties drive
 * orders to DELIVERED; Ctrl-C (SIGINT) must stop every process it started and leave a summary that
 * is what the databases hold. A second start reuses the keys and keeps the data.
 */
describe('npm start', () => {
  const home = mkdtempSync(path.join(tmpdir(), 'waybill-home-'));
  const databasePrefix = `${uniqueIdentifier('npmstart', 40)}_`;
  let adminUrl: string;
  let env: NodeJS.ProcessEnv;
  const running: Run[] = [];

  beforeAll(async () => {
    const infra = await testInfrastructure();
    adminUrl = infra.databaseUrl;
    env = {
      ...process.env,
      WAYBILL_HOME: home,
      WAYBILL_DATABASE_PREFIX: databasePrefix,
      DATABASE_URL: adminUrl,
      KAFKA_BROKERS: infra.kafkaBrokers.join(','),
      KAFKA_TOPIC_PREFIX: `${uniqueTopicPrefix('npmstart')}.`,
      LOG_LEVEL: 'warn',
    };
    for (const service of SERVICES) {
      env[`${service.toUpperCase()}_PORT`] = String(await freePort());
    }
  });

  afterAll(async () => {
    // After a failed assertion: whatever a run started must not outlive the test.
    for (const run of running) {
      if (run.child.exitCode === null) {
        run.child.kill('SIGKILL');
      }
    }
    const runs = path.join(home, 'runs');
    for (const runDir of existsSync(runs) ? readdirSync(runs) : []) {
      const file = path.join(runs, runDir, 'pids.json');
      const pids = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as StartedProcess[]) : [];
      for (const { pid } of pids) {
        if (pidExists(pid)) {
          process.kill(pid, 'SIGKILL');
        }
      }
    }
    await Promise.all(SERVICES.map((service) => dropDatabase(adminUrl, `${databasePrefix}${service}`)));
    rmSync(home, { recursive: true, force: true });
  });

  function start(...args: string[]): Run {
    const child = spawnTypeScript('scripts/start.ts', args, { env });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('exit', (code, signal) => resolve({ code, signal })),
    );
    const run = { child, output: () => output, exited };
    running.push(run);
    return run;
  }

  async function query<T>(service: string, sql: string): Promise<T[]> {
    const client = new Client({ connectionString: databaseUrl(adminUrl, `${databasePrefix}${service}`) });
    await client.connect();
    try {
      return (await client.query(sql)).rows as T[];
    } finally {
      await client.end();
    }
  }

  async function countsBy(service: string, column: string, table: string): Promise<Record<string, number>> {
    const rows = await query<{ label: string; n: number }>(
      service,
      `SELECT ${column} AS label, count(*)::int AS n FROM ${table} GROUP BY ${column}`,
    );
    return Object.fromEntries(rows.map((row) => [row.label, row.n]));
  }

  const nonZero = (counts: Readonly<Record<string, number>>): Record<string, number> =>
    Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0));

  /** SIGINT, as Ctrl-C sends it; then the run's summary, as printed and as written. */
  async function interrupt(
    run: Run,
  ): Promise<{ summary: RunSummary; pids: StartedProcess[]; runDir: string }> {
    run.child.kill('SIGINT');
    const exit = await run.exited;
    expect({ exit, tail: run.output().slice(-3000) }).toMatchObject({ exit: { code: 0, signal: null } });
    const printed = /^summary: (.*)$/m.exec(run.output());
    expect(printed).not.toBeNull();
    const runDir = /^Logs: (.*)$/m.exec(run.output())![1];
    const summary = JSON.parse(readFileSync(path.join(runDir, 'summary.json'), 'utf8')) as RunSummary;
    expect(JSON.parse(printed![1])).toEqual(summary);
    const pids = JSON.parse(readFileSync(path.join(runDir, 'pids.json'), 'utf8')) as StartedProcess[];
    return { summary, pids, runDir };
  }

  async function expectSummaryToMatchTheDatabases(summary: RunSummary): Promise<void> {
    const { total, ...orders } = summary.orders;
    const { open, ...purchaseOrders } = summary.purchaseOrders;
    expect(nonZero(orders)).toEqual(await countsBy('order', 'status', 'orders'));
    expect(total).toBe(Object.values(orders).reduce((sum, n) => sum + n, 0));
    expect(nonZero(purchaseOrders)).toEqual(await countsBy('inventory', 'state', 'purchase_orders'));
    expect(open).toBe(
      ['DRAFT', 'SENT', 'ACKNOWLEDGED', 'PARTIALLY_RECEIVED'].reduce(
        (sum, state) => sum + (purchaseOrders[state] ?? 0),
        0,
      ),
    );
    let backlog = 0;
    for (const service of SERVICES) {
      backlog += (await query<{ n: number }>(service, 'SELECT count(*)::int AS n FROM outbox_pending'))[0].n;
    }
    expect(summary.outboxBacklog).toBe(backlog);
    expect(summary.deadLetters).toBeGreaterThanOrEqual(0);
  }

  it('refuses an unknown flag with its usage and exit code 2, before starting anything', async () => {
    const run = start('--rate', '20', '--simulate-everything');
    expect(await run.exited).toEqual({ code: 2, signal: null });
    expect(run.output()).toContain('npm start: unknown flag "--simulate-everything"');
    expect(run.output()).toContain('usage: npm start -- [--no-simulate] [--rate N]');
    expect(existsSync(path.join(home, 'state.json'))).toBe(false);
  });

  it('runs the suite with simulated parties until orders are DELIVERED, and Ctrl-C stops all it started', async () => {
    const run = start('--rate', '20', '--step-ms', '300');
    const outcome = await waitFor(
      async () => {
        if (run.child.exitCode !== null) {
          return 'exited early';
        }
        const rows = await query<{ n: number }>(
          'order',
          `SELECT count(*)::int AS n FROM orders WHERE status = 'DELIVERED'`,
        ).catch(() => [{ n: 0 }]); // the database or its tables may not be there yet
        return rows[0].n >= 5 && 'delivered';
      },
      { timeoutMs: 420_000, intervalMs: 2000, description: 'orders DELIVERED' },
    ).catch((error: Error) => error.message);
    expect({ outcome, output: outcome === 'delivered' ? '' : run.output() }).toEqual({
      outcome: 'delivered',
      output: '',
    });
    expect(run.output()).toMatch(/storefront {2}Authorization: Bearer wb_demo_sf_/);
    expect(run.output()).toContain(`http://127.0.0.1:${env.ORDER_PORT}`);

    const { summary, pids, runDir } = await interrupt(run);
    expect(pids.map((entry) => entry.name).sort()).toEqual([
      'inventory',
      'logistics',
      'order',
      'payment',
      'start',
    ]);
    expect(pids.filter((entry) => pidExists(entry.pid))).toEqual([]);
    expect(summary.orders.DELIVERED).toBeGreaterThanOrEqual(5);
    await expectSummaryToMatchTheDatabases(summary);
    expect(readdirSync(runDir)).toEqual(
      expect.arrayContaining(['order.log', 'storefront.log', 'stripe.log', 'easypost.log', 'supplier.log']),
    );
  }, 600_000);

  it('a second start reuses the keys and keeps the data', async () => {
    const state = readFileSync(path.join(home, 'state.json'), 'utf8');
    const before = (await query<{ n: number }>('order', 'SELECT count(*)::int AS n FROM orders'))[0].n;
    const run = start('--no-simulate');
    await waitFor(() => /^Try: /m.test(run.output()) || run.child.exitCode !== null, {
      timeoutMs: 300_000,
      intervalMs: 1000,
      description: 'the second start to be up',
    });
    expect(run.output()).toContain('Reusing the demo state in');
    const { summary, pids } = await interrupt(run);
    expect(readFileSync(path.join(home, 'state.json'), 'utf8')).toBe(state);
    expect(run.output()).toContain(`Bearer ${(JSON.parse(state) as { keys: { admin: string } }).keys.admin}`);
    expect(summary.orders.total).toBe(before);
    expect(pids.filter((entry) => pidExists(entry.pid))).toEqual([]);
    await expectSummaryToMatchTheDatabases(summary);
  }, 420_000);
});
