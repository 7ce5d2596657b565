import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  apiKeysEnv,
  KafkaClusterHandle,
  MetricsScrape,
  ServiceUnderTest,
  startKafkaCluster,
  startServiceForTest,
  testApiKey,
  waitFor,
} from '@waybill/testing';
import { OrderConfig } from '../services/order/src/order.config';
import { OrderModule } from '../services/order/src/order.module';
import { parse as parseYaml } from 'yaml';
import { orderBody, uniqueSku } from './support/saga-stack';

/**
 * The outbox alert as deployed, read into the one shape it has: `max by (label) (metric) > N`.
 * A changed expression fails here, so the check below is always of the rule that ships.
 */
function outboxAlert(): { readonly metric: string; readonly threshold: number } {
  const rules = parseYaml(
    readFileSync(path.join(__dirname, '..', 'deploy', 'observability', 'prometheus-rules.yaml'), 'utf8'),
  ) as { groups: { rules: { alert?: string; expr: string }[] }[] };
  const rule = rules.groups
    .flatMap((group) => group.rules)
    .find((r) => r.alert === 'WaybillOutboxNotPublishing');
  const shape = /^max by \(service\) \((\w+)\) > (\d+)$/.exec(rule?.expr ?? '');
  if (!shape) {
    throw new Error(`WaybillOutboxNotPublishing has an expression this test cannot read: ${rule?.expr}`);
  }
  return { metric: shape[1], threshold: Number(shape[2]) };
}

interface ReadyBody {
  readonly status?: string;
  readonly code?: string;
  readonly message?: string;
  readonly info?: Record<string, { status: string }>;
  readonly details?: Record<string, { status: string; message?: string }>;
}

/**
 * `/health/ready` follows Kafka: on a broker of its own (so stopping it disturbs no other test),
 * a service is ready, turns 503 naming Kafka when the broker stops, and ready again when it is back.
 * Liveness stays 200 throughout: a restart would not bring Kafka back.
 */
jest.setTimeout(240_000);

describe('readiness follows Kafka', () => {
  let cluster: KafkaClusterHandle;
  let dataDir: string;
  let service: ServiceUnderTest<OrderConfig>;
  const storefront = testApiKey('storefront/acme', ['orders:write']);

  const ready = async (): Promise<{ status: number; body: ReadyBody }> => {
    const response = await fetch(`${service.baseUrl}/health/ready`);
    return { status: response.status, body: (await response.json()) as ReadyBody };
  };

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'waybill-readiness-'));
    cluster = await startKafkaCluster({
      name: `it-readiness-${process.pid}`,
      basePort: 39192,
      dataDir,
      fresh: true,
    });
    service = await startServiceForTest(
      { service: 'order', config: OrderConfig, module: (config) => OrderModule.forRoot(config) },
      {
        topicPrefix: `it.readiness.${Date.now()}`,
        env: {
          KAFKA_BROKERS: cluster.bootstrap.join(','),
          HEALTH_CHECK_TIMEOUT_MS: '1500',
          HEALTH_OUTBOX_MAX_AGE_SECONDS: '2',
          WAYBILL_API_KEYS: apiKeysEnv([storefront]),
        },
      },
    );
  });

  afterAll(async () => {
    await service?.stop();
    await cluster?.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('is 200 with every part up, 503 naming kafka and the outbox backlog while the broker is down, and 200 again after', async () => {
    const before = await waitFor(async () => {
      const answer = await ready();
      return answer.status === 200 ? answer : undefined;
    });
    expect(before.body.status).toBe('ok');
    expect(Object.keys(before.body.info ?? {}).sort()).toEqual([
      'consumers',
      'database',
      'kafka',
      'outbox',
      'relay',
    ]);

    await cluster.stop();
    const down = await waitFor(
      async () => {
        const answer = await ready();
        return answer.status === 503 ? answer : undefined;
      },
      { timeoutMs: 30_000, description: 'readiness to fail' },
    );
    expect(down.body.code).toBe('HEALTH.NOT_READY');
    expect(down.body.message).toMatch(/^not ready: .*kafka/);
    expect(down.body.details?.kafka.status).toBe('down');
    expect(down.body.details?.database.status).toBe('up');
    expect((await fetch(`${service.baseUrl}/health/live`)).status).toBe(200);

    // Orders are still accepted (the outbox holds their events), and readiness says the backlog ages.
    const placed = await fetch(`${service.baseUrl}/v1/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${storefront.key}` },
      body: JSON.stringify(orderBody([{ sku: uniqueSku('READY'), quantity: 1 }])),
    });
    expect(placed.status).toBe(201);
    const backlog = await waitFor(
      async () => {
        const answer = await ready();
        return answer.body.details?.outbox.status === 'down' ? answer : undefined;
      },
      { timeoutMs: 15_000, description: 'the outbox check to fail' },
    );
    expect(backlog.body.message).toMatch(
      /outbox \(the oldest unpublished outbox row is \d+ s old \(limit 2 s\)\)/,
    );

    // The relay cannot publish: readiness names it, and the outbox alert's expression turns true
    // on what /metrics exports (Prometheus then holds it for the rule's `for` before it fires).
    const relayDown = await waitFor(
      async () => {
        const answer = await ready();
        return answer.body.details?.relay?.status === 'down' ? answer : undefined;
      },
      { timeoutMs: 60_000, description: 'the relay check to fail' },
    );
    expect(relayDown.body.message).toMatch(/relay \(the outbox relay failed \d+ times in a row: /);
    const alert = outboxAlert();
    expect(alert.metric).toBe('waybill_outbox_oldest_age_seconds');
    const age = await waitFor(
      async () => {
        const value = (await MetricsScrape.of(service.baseUrl)).value(alert.metric);
        return value > alert.threshold ? value : undefined;
      },
      {
        timeoutMs: (alert.threshold + 30) * 1000,
        intervalMs: 1000,
        description: 'the outbox alert condition',
      },
    );
    expect(age).toBeGreaterThan(alert.threshold);

    await cluster.start();
    const after = await waitFor(
      async () => {
        const answer = await ready();
        return answer.status === 200 ? answer : undefined;
      },
      { timeoutMs: 60_000, description: 'readiness to recover' },
    );
    expect(after.body.info?.kafka.status).toBe('up');
    expect(after.body.info?.outbox).toMatchObject({ status: 'up', pending: 0 });
    expect((await MetricsScrape.of(service.baseUrl)).value(alert.metric)).toBeLessThanOrEqual(
      alert.threshold,
    );
  });
});
