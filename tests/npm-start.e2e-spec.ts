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
import { neverPays } from '../tools/simulators/payment-gateways';
import { PLATFORM_STORES, type TrackingAtPlatform } from '../tools/simulators/storefront-platforms';
import type { StartedProcess } from '../tools/start/run-folder';
import type { RunSummary } from '../tools/start/status-view';

const SERVICES = ['order', 'inventory', 'payment', 'logistics', 'channels'] as const;
/** The gateways npm start plays besides Stripe, and how each captures (its mode there). */
const GATEWAY_CAPTURE_MODES = { alipay: 'immediate', unionpay: 'manual', wechatpay: 'immediate' } as const;
/** The carriers each demo store's buyers are shipped with: Youzan's live in China. */
const PLATFORM_CARRIERS: Readonly<Record<string, readonly string[]>> = {
  'shopify-demo': ['easypost'],
  'woo-demo': ['easypost'],
  'youzan-demo': ['sf', 'zto'],
};

/** A platform order that went all the way: DELIVERED in the order service, its parcel told to its platform. */
interface DeliveredChannelOrder {
  readonly orderId: string;
  readonly platformOrderId: string;
  readonly carrier: string;
  readonly trackingNumber: string;
}

interface Run {
  readonly child: ChildProcess;
  output(): string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * `npm start -- --rate 20` from a clean state, as a newcomer runs it: its own state folder, its own
 * databases and topics on the test Kafka and PostgreSQL, its own ports. The simulated parties drive
 * orders to DELIVERED, paid through Stripe and each gateway; a buyer who never pays has the order
 * cancelled once the payment's deadline passes (the test moves the deadline, not the clock); an
 * order of each demo store on Shopify, WooCommerce and Youzan, sent as the platform's webhook, is
 * DELIVERED with its tracking recorded by that platform — read from the run folder, where npm start
 * writes what its fakes recorded: the test has no handle on them, and the platform's own record,
 * matched to logistics' tracking number, proves more than the channels service saying it reported
 * it; Ctrl-C (SIGINT) must stop every process it started and leave a summary that
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

  async function query<T>(service: string, sql: string, params: unknown[] = []): Promise<T[]> {
    const client = new Client({ connectionString: databaseUrl(adminUrl, `${databasePrefix}${service}`) });
    await client.connect();
    try {
      return (await client.query(sql, params)).rows as T[];
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
    const channelRows = await query<{ channel: string; submitted: number; held: number; reported: number }>(
      'channels',
      `SELECT o.channel, count(DISTINCT o.id) FILTER (WHERE o.status = 'submitted')::int AS submitted,
              count(DISTINCT o.id) FILTER (WHERE o.status = 'held')::int AS held,
              count(DISTINCT r.channel_order_id) FILTER (WHERE r.status = 'reported')::int AS reported
         FROM channel_orders o LEFT JOIN channel_tracking_reports r ON r.channel_order_id = o.id
        GROUP BY o.channel`,
    );
    expect(
      Object.fromEntries(
        Object.entries(summary.channelOrders).filter(
          ([, n]) => n.submitted + n.held + n.trackingReported > 0,
        ),
      ),
    ).toEqual(
      Object.fromEntries(
        channelRows.map((row) => [
          row.channel,
          { submitted: row.submitted, held: row.held, trackingReported: row.reported },
        ]),
      ),
    );
    expect(summary.deadLetters).toBeGreaterThanOrEqual(0);
  }

  it('refuses an unknown flag with its usage and exit code 2, before starting anything', async () => {
    const run = start('--rate', '20', '--simulate-everything');
    expect(await run.exited).toEqual({ code: 2, signal: null });
    expect(run.output()).toContain('npm start: unknown flag "--simulate-everything"');
    expect(run.output()).toContain('usage: npm start -- [--no-simulate] [--rate N]');
    expect(existsSync(path.join(home, 'state.json'))).toBe(false);
  });

  /**
   * One order whose buyer never pays, waiting at its gateway: its payment's deadline is moved into
   * the past, as if the pay timeout had run out. Undefined while there is none yet.
   */
  async function expireAnUnpaidOrder(): Promise<string | undefined> {
    const waiting = await query<{ id: string }>(
      'order',
      `SELECT id FROM orders WHERE status = 'AWAITING_PAYMENT' AND payment_provider <> 'stripe'`,
    );
    const unpaid = waiting.map(({ id }) => id).filter((id) => neverPays(id));
    const moved = await query<{ order_id: string }>(
      'payment',
      `UPDATE payments SET action_expires_at = now() - interval '1 second'
        WHERE order_id = (SELECT order_id FROM payments WHERE order_id = ANY($1::uuid[])
                            AND status = 'REQUIRES_ACTION' AND action_expires_at IS NOT NULL LIMIT 1)
        RETURNING order_id`,
      [unpaid],
    );
    return moved[0]?.order_id;
  }

  /**
   * Per demo store, one order that is DELIVERED in the order service and whose tracking number —
   * the one logistics booked — the fake platform itself recorded for that platform order
   * (`platform-tracking.jsonl`, written by npm start from the fakes: a Shopify fulfilment, a
   * WooCommerce shipment tracking, a Youzan confirmation). Stores without one yet are missing.
   */
  async function deliveredChannelOrders(run: Run): Promise<Record<string, DeliveredChannelOrder>> {
    const runDir = /^Logs: (.*)$/m.exec(run.output())?.[1];
    const file = runDir && path.join(runDir, 'platform-tracking.jsonl');
    if (!file || !existsSync(file)) {
      return {};
    }
    const told = readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as TrackingAtPlatform);
    const orders = await query<{ id: string; storefrontId: string; storefrontOrderId: string }>(
      'order',
      `SELECT id, storefront_id AS "storefrontId", storefront_order_id AS "storefrontOrderId" FROM orders
        WHERE status = 'DELIVERED' AND storefront_id = ANY($1::text[])`,
      [PLATFORM_STORES.map((store) => store.storefrontId)],
    );
    const shipments = await query<{ orderId: string; carrier: string; trackingNumber: string }>(
      'logistics',
      `SELECT order_id AS "orderId", carrier, tracking_number AS "trackingNumber" FROM shipments
        WHERE order_id = ANY($1::uuid[])`,
      [orders.map((order) => order.id)],
    );
    const found: Record<string, DeliveredChannelOrder> = {};
    for (const order of orders) {
      const shipment = shipments.find((candidate) => candidate.orderId === order.id);
      const atPlatform = told.find(
        (tracking) =>
          tracking.storefrontId === order.storefrontId &&
          tracking.platformOrderId === order.storefrontOrderId &&
          tracking.trackingNumber === shipment?.trackingNumber,
      );
      if (shipment && atPlatform) {
        found[order.storefrontId] ??= {
          orderId: order.id,
          platformOrderId: atPlatform.platformOrderId,
          carrier: shipment.carrier,
          trackingNumber: shipment.trackingNumber,
        };
      }
    }
    return found;
  }

  it('runs the suite with simulated parties until orders paid through every provider are DELIVERED, and Ctrl-C stops all it started', async () => {
    const run = start('--rate', '20', '--step-ms', '300');
    const progress: {
      expired?: string;
      expiredOrder?: { status: string; reason: string | null };
      channelOrders?: Record<string, DeliveredChannelOrder>;
    } = {};
    const outcome = await waitFor(
      async () => {
        if (run.child.exitCode !== null) {
          return 'exited early';
        }
        progress.expired ??= await expireAnUnpaidOrder();
        if (progress.expired) {
          [progress.expiredOrder] = await query<{ status: string; reason: string | null }>(
            'order',
            'SELECT status, status_reason AS reason FROM orders WHERE id = $1',
            [progress.expired],
          );
        }
        const delivered = await query<{ provider: string; n: number }>(
          'order',
          `SELECT payment_provider AS provider, count(*)::int AS n FROM orders WHERE status = 'DELIVERED'
            GROUP BY payment_provider`,
        );
        const providers = new Set(delivered.map(({ provider }) => provider));
        progress.channelOrders = await deliveredChannelOrders(run);
        // Gateway buyers ship to China: SF up to 500 g, ZTO above, both tracked through Kuaidi100.
        const carriers = new Set(
          (
            await query<{ carrier: string }>(
              'logistics',
              `SELECT DISTINCT carrier FROM shipments WHERE status = 'delivered'`,
            )
          ).map(({ carrier }) => carrier),
        );
        return (
          delivered.reduce((sum, { n }) => sum + n, 0) >= 5 &&
          ['stripe', ...Object.keys(GATEWAY_CAPTURE_MODES)].every((provider) => providers.has(provider)) &&
          ['easypost', 'sf', 'zto'].every((carrier) => carriers.has(carrier)) &&
          progress.expiredOrder?.status === 'CANCELLED' &&
          PLATFORM_STORES.every((store) => progress.channelOrders?.[store.storefrontId]) &&
          'delivered'
        );
      },
      { timeoutMs: 420_000, intervalMs: 2000, description: 'orders DELIVERED through every provider' },
    ).catch((error: Error) => error.message);
    expect({ outcome, output: outcome === 'delivered' ? '' : run.output() }).toEqual({
      outcome: 'delivered',
      output: '',
    });
    expect(progress.expiredOrder).toEqual({ status: 'CANCELLED', reason: 'ORDER.PAYMENT_EXPIRED' });
    // One order of each demo store came in as its platform's webhook, was shipped by the carrier its
    // buyers' country gets, and its platform recorded the very tracking number logistics booked.
    const channelOrders = progress.channelOrders ?? {};
    expect(Object.keys(channelOrders).sort()).toEqual(
      PLATFORM_STORES.map((store) => store.storefrontId).sort(),
    );
    for (const store of PLATFORM_STORES) {
      expect(PLATFORM_CARRIERS[store.storefrontId]).toContain(channelOrders[store.storefrontId].carrier);
    }
    const channelPayments = await query<{ provider: string; token: string; captured: boolean }>(
      'payment',
      `SELECT provider, payment_method_ref AS token, captured_at IS NOT NULL AS captured FROM payments
        WHERE order_id = ANY($1::uuid[]) ORDER BY payment_method_ref`,
      [Object.values(channelOrders).map((order) => order.orderId)],
    );
    // Paid on the platform: recorded as prepaid, the token naming the platform's order.
    expect(channelPayments).toEqual(
      PLATFORM_STORES.map((store) => ({
        provider: 'prepaid',
        token: `${store.channel}:${channelOrders[store.storefrontId].platformOrderId}`,
        captured: true,
      })).sort((a, b) => a.token.localeCompare(b.token)),
    );
    // The money of every gateway's delivered orders was taken, each in the mode npm start runs it in.
    const captured = await query<{ provider: string; mode: string }>(
      'payment',
      `SELECT DISTINCT provider, capture_mode AS mode FROM payments
        WHERE captured_at IS NOT NULL AND provider <> 'stripe' ORDER BY provider`,
    );
    // Prepaid (the storefront platforms' orders) is immediate: the platform took the money.
    expect(captured).toEqual(
      Object.entries({ ...GATEWAY_CAPTURE_MODES, prepaid: 'immediate' })
        .map(([provider, mode]) => ({ provider, mode }))
        .sort((a, b) => a.provider.localeCompare(b.provider)),
    );
    // Every Chinese parcel was delivered by a Kuaidi100 push, as its carrier's tracking aggregator.
    const deliveredBy = await query<{ carrier: string; source: string }>(
      'logistics',
      `SELECT DISTINCT s.carrier, e.source FROM shipments s
         JOIN shipment_tracking_events e ON e.shipment_id = s.id AND e.status = 'delivered' AND e.applied
        WHERE s.carrier IN ('sf', 'zto') ORDER BY s.carrier`,
    );
    expect(deliveredBy).toEqual([
      { carrier: 'sf', source: 'kuaidi100' },
      { carrier: 'zto', source: 'kuaidi100' },
    ]);
    expect(run.output()).toMatch(/storefront {2}Authorization: Bearer wb_demo_sf_/);
    expect(run.output()).toContain(`http://127.0.0.1:${env.ORDER_PORT}`);

    const { summary, pids, runDir } = await interrupt(run);
    expect(pids.map((entry) => entry.name).sort()).toEqual([
      'channels',
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
      expect.arrayContaining([
        'order.log',
        'storefront.log',
        'stripe.log',
        'gateways.log',
        'china-carriers.log',
        'easypost.log',
        'supplier.log',
        'storefront-platforms.log',
        'platform-tracking.jsonl',
      ]),
    );
  }, 600_000);

  /**
   * Platform orders channels had submitted (and kept in its outbox, or on the storefront orders
   * topic) that the order service had not taken in yet when the first run stopped.
   */
  async function channelIntakeInFlight(): Promise<number> {
    const [submitted] = await query<{ n: number }>(
      'channels',
      'SELECT count(*)::int AS n FROM channel_orders WHERE submitted_at IS NOT NULL',
    );
    const [placed] = await query<{ n: number }>(
      'order',
      'SELECT count(*)::int AS n FROM orders WHERE storefront_id = ANY($1::text[])',
      [PLATFORM_STORES.map((store) => store.storefrontId)],
    );
    return submitted.n - placed.n;
  }

  it('a second start reuses the keys and keeps the data', async () => {
    const state = readFileSync(path.join(home, 'state.json'), 'utf8');
    const before = (await query<{ n: number }>('order', 'SELECT count(*)::int AS n FROM orders'))[0].n;
    // Ctrl-C may leave platform orders between channels and the order service: the second start
    // takes those in, each once, and nothing else (no simulators run).
    const inFlight = await channelIntakeInFlight();
    expect(inFlight).toBeGreaterThanOrEqual(0);
    const run = start('--no-simulate');
    await waitFor(() => /^Try: /m.test(run.output()) || run.child.exitCode !== null, {
      timeoutMs: 300_000,
      intervalMs: 1000,
      description: 'the second start to be up',
    });
    expect(run.output()).toContain('Reusing the demo state in');
    await waitFor(async () => (await channelIntakeInFlight()) === 0, {
      timeoutMs: 60_000,
      intervalMs: 500,
      description: 'the platform orders left in flight to be taken in',
    });
    const { summary, pids } = await interrupt(run);
    expect(readFileSync(path.join(home, 'state.json'), 'utf8')).toBe(state);
    expect(run.output()).toContain(`Bearer ${(JSON.parse(state) as { keys: { admin: string } }).keys.admin}`);
    expect(summary.orders.total).toBe(before + inFlight);
    expect(pids.filter((entry) => pidExists(entry.pid))).toEqual([]);
    await expectSummaryToMatchTheDatabases(summary);
  }, 420_000);
});
