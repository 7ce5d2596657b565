import { Client } from 'pg';
import {
  apiKeysEnv,
  MetricsScrape,
  ServiceProcess,
  startServiceProcess,
  testApiKey,
  TestApiKey,
  uniqueTopicPrefix,
  waitFor,
} from '@waybill/testing';
import { orderBody, uniqueSku } from './saga-stack';

export const STACK_SERVICES = ['order', 'inventory', 'payment', 'logistics'] as const;
export type StackService = (typeof STACK_SERVICES)[number];

/** Where an order may end: the sandbox carrier books parcels but delivers none by itself. */
const SETTLED = new Set(['SHIPPED', 'DELIVERED', 'REJECTED', 'CANCELLED']);

export interface ProcessStackOptions {
  readonly name: string;
  /** Bootstrap servers of the cluster under test (default: the tests' broker). */
  readonly brokers?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
}

export interface LoadResult {
  readonly orderIds: string[];
  readonly sku: string;
  readonly stockAtStart: number;
  readonly unitsOrdered: number;
}

/** What the services' own databases say once the load has settled (each figure an invariant). */
export interface SettledFigures {
  readonly statuses: Record<string, number>;
  readonly stock: { onHand: number; reserved: number };
  readonly paymentsCaptured: number;
  readonly capturedAmount: number;
  readonly shipments: number;
  readonly ordersWithTwoShipments: number;
  /** Messages any service sent to its dead-letter topic (none is poisoned on purpose here). */
  readonly deadLettered: number;
}

/**
 * The four services as separate processes, each from its main.ts with its own database, on one
 * topic prefix: the suite as deployed, so a test can kill, freeze and resume a process. The test
 * plays the storefront over HTTP and reads the services' databases for the invariants.
 */
export class ProcessStack {
  private constructor(
    readonly services: Readonly<Record<StackService, ServiceProcess>>,
    private readonly storefront: TestApiKey,
    private readonly operator: TestApiKey,
  ) {}

  static async start(options: ProcessStackOptions): Promise<ProcessStack> {
    const storefront = testApiKey('storefront/acme', ['orders:write', 'orders:read']);
    const operator = testApiKey('admin', []);
    const topicPrefix = uniqueTopicPrefix(options.name);
    const env = {
      WAYBILL_API_KEYS: apiKeysEnv([storefront, operator]),
      RATE_LIMIT_PER_MINUTE: '1000000',
      LOG_LEVEL: 'warn',
      ...(options.brokers && { KAFKA_BROKERS: options.brokers.join(',') }),
      ...options.env,
    };
    const started = await Promise.allSettled(
      STACK_SERVICES.map((service) => startServiceProcess(service, { topicPrefix, env })),
    );
    const running = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    const failed = started.find((result) => result.status === 'rejected');
    if (failed) {
      await Promise.allSettled(running.map((service) => service.stop()));
      throw failed.reason;
    }
    const services = Object.fromEntries(running.map((service) => [service.service, service])) as Record<
      StackService,
      ServiceProcess
    >;
    return new ProcessStack(services, storefront, operator);
  }

  async stop(): Promise<void> {
    for (const service of Object.values(this.services)) {
      if (service.child.signalCode === null && service.child.exitCode === null) {
        service.child.kill('SIGCONT');
      }
    }
    await Promise.allSettled(Object.values(this.services).map((service) => service.stop()));
  }

  /** Stocks a new SKU and places `orders` orders of `quantity` units at `perSecond`. */
  async placeOrders(options: {
    readonly orders: number;
    readonly perSecond: number;
    readonly quantity?: number;
    /** Called after each order is placed, with its index (fault injection on a schedule). */
    readonly onPlaced?: (index: number) => void | Promise<void>;
  }): Promise<LoadResult> {
    const sku = uniqueSku('LOAD');
    const quantity = options.quantity ?? 1;
    const stockAtStart = options.orders * quantity + 10;
    const stocked = await this.call('inventory', 'PUT', `/v1/stock/${sku}`, this.operator, {
      onHand: stockAtStart,
    });
    if (stocked.status !== 200 && stocked.status !== 201) {
      throw new Error(`PUT /v1/stock answered ${stocked.status}: ${JSON.stringify(stocked.body)}`);
    }
    const orderIds: string[] = [];
    const started = Date.now();
    for (let index = 0; index < options.orders; index += 1) {
      const due = started + (index * 1000) / options.perSecond;
      if (due > Date.now()) {
        await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
      }
      const placed = await waitFor(
        async () => {
          const answer = await this.call<{ id: string }>(
            'order',
            'POST',
            '/v1/orders',
            this.storefront,
            orderBody([{ sku, quantity, unitPrice: 1000 }]),
            `load-${sku}-${index}`,
          ).catch(() => undefined);
          return answer?.status === 201 ? answer.body : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 200, description: `order ${index} placed` },
      );
      orderIds.push(placed.id);
      await options.onPlaced?.(index);
    }
    return { orderIds, sku, stockAtStart, unitsOrdered: options.orders * quantity };
  }

  /** Waits until every order is in a final state; answers how long that took after `since`. */
  async waitUntilSettled(orderIds: readonly string[], timeoutMs: number): Promise<number> {
    const since = Date.now();
    await waitFor(
      async () => {
        const statuses = await this.orderStatuses(orderIds);
        return [...statuses.values()].every((status) => SETTLED.has(status));
      },
      {
        timeoutMs,
        intervalMs: 1000,
        description: `${orderIds.length} orders to settle`,
      },
    ).catch(async (error: Error) => {
      const statuses = await this.orderStatuses(orderIds);
      const stuck = [...statuses].filter(([, status]) => !SETTLED.has(status)).map(([id]) => id);
      const traces = await Promise.all(stuck.slice(0, 3).map((id) => this.trace(id).catch(String)));
      throw new Error(
        `${error.message}; statuses now ${JSON.stringify(countBy([...statuses.values()]))}; ` +
          `not settled: ${stuck.slice(0, 5).join(', ')}\n${traces.join('\n')}\n${this.warnings()}`,
      );
    });
    return Date.now() - since;
  }

  /** The invariants' figures from each service's own database, once everything has settled. */
  async figures(load: LoadResult): Promise<SettledFigures> {
    const statuses = countBy([...(await this.orderStatuses(load.orderIds)).values()]);
    const [stock] = await this.query<{ on_hand: number; reserved: number }>(
      'inventory',
      `SELECT on_hand, reserved FROM stock WHERE sku = $1`,
      [load.sku],
    );
    const [payments] = await this.query<{ captured: number; amount: string | null }>(
      'payment',
      `SELECT count(*)::int AS captured, sum(amount)::text AS amount FROM payments
        WHERE order_id = ANY($1::uuid[]) AND status = 'CAPTURED'`,
      [load.orderIds],
    );
    const [shipments] = await this.query<{ shipments: number; doubled: number }>(
      'logistics',
      `SELECT count(*)::int AS shipments,
              (SELECT count(*)::int FROM (SELECT order_id FROM shipments WHERE order_id = ANY($1::uuid[])
                 GROUP BY order_id HAVING count(*) > 1) twice) AS doubled
         FROM shipments WHERE order_id = ANY($1::uuid[])`,
      [load.orderIds],
    );
    let deadLettered = 0;
    for (const service of STACK_SERVICES) {
      deadLettered += (await this.metrics(service)).value('waybill_dead_letters_total');
    }
    return {
      deadLettered,
      statuses,
      stock: { onHand: stock.on_hand, reserved: stock.reserved },
      paymentsCaptured: payments.captured,
      capturedAmount: Number(payments.amount ?? 0),
      shipments: shipments.shipments,
      ordersWithTwoShipments: shipments.doubled,
    };
  }

  /**
   * The figures once shipping has moved payment (capture) and inventory (commit) on, which
   * follows the order's SHIPPED; read as they are when that does not happen within a minute.
   */
  async figuresOnceShipped(load: LoadResult, timeoutMs = 60_000): Promise<SettledFigures> {
    const shipped = load.orderIds.length;
    return waitFor(
      async () => {
        const read = await this.figures(load);
        const done =
          read.paymentsCaptured === shipped &&
          read.stock.reserved === 0 &&
          read.stock.onHand === load.stockAtStart - load.unitsOrdered;
        return done ? read : undefined;
      },
      { timeoutMs, intervalMs: 500, description: 'payments captured and stock committed' },
    ).catch(() => this.figures(load));
  }

  /**
   * Where one order's events are: each event every service wrote for it, whether its relay has
   * published it (the row is at or below the stored position), and which consumers applied it.
   */
  async trace(orderId: string): Promise<string> {
    const written = (
      await Promise.all(
        STACK_SERVICES.map(async (service) =>
          (
            await this.query<{ event_id: string; event_type: string; published: boolean; created_at: Date }>(
              service,
              `SELECT o.event_id, o.event_type, o.created_at,
                      COALESCE((o.xid, o.id) <= (p.xid, p.id), false) AS published
                 FROM outbox o LEFT JOIN outbox_relay_position p ON true
                WHERE o.message_key = $1 ORDER BY o.id`,
              [orderId],
            )
          ).map((row) => ({ ...row, service })),
        ),
      )
    ).flat();
    const ids = written.map((row) => row.event_id);
    const applied = (
      await Promise.all(
        STACK_SERVICES.map(async (service) =>
          (
            await this.query<{ event_id: string; consumer: string }>(
              service,
              `SELECT event_id, consumer FROM inbox WHERE event_id = ANY($1::uuid[])`,
              [ids],
            )
          ).map((row) => ({ ...row, service })),
        ),
      )
    ).flat();
    const lines = written.map((row) => {
      const by = applied.filter((entry) => entry.event_id === row.event_id).map((entry) => entry.service);
      return `  ${row.created_at.toISOString()} ${row.service} ${row.event_type} ${row.published ? 'published' : 'NOT PUBLISHED'}; applied by: ${by.join(', ') || 'none'}`;
    });
    return `order ${orderId}:\n${lines.join('\n')}`;
  }

  /** The last warnings and errors each service logged: what a failed wait shows. */
  warnings(perService = 15): string {
    return STACK_SERVICES.map((service) => {
      const lines = this.services[service]
        .output()
        .split('\n')
        .filter((line) => /"level":(40|50|60)/.test(line))
        .slice(-perService)
        .map((line) => `  ${line.slice(0, 400)}`);
      return `--- ${service} (last ${lines.length} warnings) ---\n${lines.join('\n')}`;
    }).join('\n');
  }

  metrics(service: StackService): Promise<MetricsScrape> {
    return MetricsScrape.of(this.services[service].baseUrl);
  }

  async query<T>(service: StackService, sql: string, parameters: unknown[] = []): Promise<T[]> {
    const client = new Client({ connectionString: this.services[service].database.url });
    await client.connect();
    try {
      return (await client.query(sql, parameters)).rows as T[];
    } finally {
      await client.end();
    }
  }

  private async orderStatuses(orderIds: readonly string[]): Promise<Map<string, string>> {
    const rows = await this.query<{ id: string; status: string }>(
      'order',
      `SELECT id, status FROM orders WHERE id = ANY($1::uuid[])`,
      [orderIds],
    );
    return new Map(rows.map((row) => [row.id, row.status]));
  }

  private async call<T>(
    service: StackService,
    method: string,
    path: string,
    key: TestApiKey,
    body?: object,
    idempotencyKey?: string,
  ): Promise<{ status: number; body: T }> {
    const response = await fetch(`${this.services[service].baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${key.key}`,
        ...(body && { 'content-type': 'application/json' }),
        ...(idempotencyKey && { 'idempotency-key': idempotencyKey }),
      },
      body: body && JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    return { status: response.status, body: (await response.json()) as T };
  }
}

function countBy(values: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) {
    counts[value] = (counts[value] ?? 0) + 1;
  }
  return counts;
}
