/**
 * `npm run bench:channels` — Shopify orders through the channels service against the same orders
 * posted straight to `POST /v1/orders`, in one run on one machine. Order, inventory, payment and
 * channels each run as their own process (as deployed) on their own database and the real Kafka.
 *
 * Both paths take BENCH_CHANNELS_ORDERS orders with BENCH_CHANNELS_CONCURRENCY requests in flight,
 * over the same kept-alive node:http client, on the same 20 SKUs:
 * - webhook: Shopify `orders/create` as FakeShopify builds and signs it (its own HMAC code), posted
 *   to `POST /v1/webhooks/channels/:connectionId`; channels verifies, stores, maps through its SKU
 *   table and publishes `storefront.order-submitted`, which the order service places (prepaid);
 * - direct: the canonical order a storefront posts itself (sandbox payment).
 * Printed per path: orders placed per second (first request → last `waybill.order.placed.v1` seen
 * by a Kafka consumer), request → placed p50/p99, and CPU per order (/proc) of each service, of
 * this process (client, observer, fake) and of the machine, from the first request until every
 * order of the path is CONFIRMED, so inventory's and payment's share is in. The webhook path runs
 * first, then the direct one, after a warm-up of both. Prints a Markdown block for BENCHMARKS.md.
 */
import 'reflect-metadata';
import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import { decodeCloudEvent } from '@waybill/contracts';
import { createKafka, ensureTopics } from '@waybill/eventing';
import {
  FAKE_PLATFORM_STOREFRONTS,
  FakeShopify,
  putChannelConnection,
  putChannelSkuRule,
  fakeConnectionBody,
  shopifyOrder,
  testInfrastructure,
  waitFor,
} from '@waybill/testing';
import {
  benchApiKeys,
  cpuMsOf,
  inFlight,
  machineBusyMs,
  machineLine,
  percentile,
  RunningService,
  seedBenchStock,
  startBenchService,
  stopBenchService,
} from './bench-processes';

const ORDERS = Number(process.env.BENCH_CHANNELS_ORDERS ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_CHANNELS_CONCURRENCY ?? 32);
const WARM_UP = Number(process.env.BENCH_CHANNELS_WARM_UP ?? 100);
const PLACED = 'waybill.order.placed.v1';
const CONFIRMED = 'waybill.order.confirmed.v1';
const SKUS = Array.from({ length: 20 }, (_, i) => ({ channelSku: `SH-BENCH-${i}`, sku: `BENCH-SKU-${i}` }));
const CONNECTION = 'shopify-bench';
const STOREFRONT = FAKE_PLATFORM_STOREFRONTS.shopify;

const { storefrontKey: STOREFRONT_KEY, adminKey: ADMIN_KEY, apiKeys: API_KEYS } = benchApiKeys();

type Path = 'webhook' | 'direct';

interface PathResult {
  readonly path: Path;
  readonly placedPerSecond: number;
  readonly p50: number;
  readonly p99: number;
  /** ms of CPU per order, by service name, then `bench` (this process) and `machine`. */
  readonly cpuPerOrder: Readonly<Record<string, number>>;
}

/** Both paths' client: node:http with kept-alive connections, as in bench:saga. */
const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY * 2 });

function post(
  url: URL,
  headers: Readonly<Record<string, string>>,
  body: string,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      { method: 'POST', agent, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

function pickSku(): (typeof SKUS)[number] {
  return SKUS[Math.floor(Math.random() * SKUS.length)];
}

async function main(): Promise<void> {
  const infra = await testInfrastructure();
  const brokers = infra.kafkaBrokers;
  const topicPrefix = `bench.channels.${Date.now()}.`;
  const kafka = createKafka({ clientId: 'bench-channels', brokers });
  const orderTopic = `${topicPrefix}waybill.order.events`;
  await ensureTopics(kafka, [
    orderTopic,
    `${topicPrefix}waybill.inventory.events`,
    `${topicPrefix}waybill.payment.events`,
    `${topicPrefix}waybill.storefront.orders`,
    `${topicPrefix}waybill.logistics.events`,
  ]);
  const shopify = await FakeShopify.start();
  const envOf: Record<string, Record<string, string>> = {
    order: { ORDER_PREPAID_STOREFRONTS: STOREFRONT },
    payment: { PAYMENT_SANDBOX_ENABLED: 'true', PAYMENT_PREPAID_ENABLED: 'true' },
    inventory: {},
    // The poller would only ask the fake for what the webhooks bring: not what is measured.
    channels: {
      CHANNELS_SECRETS_KEY: `bench:${randomBytes(32).toString('base64')}`,
      CHANNELS_POLL_ENABLED: 'false',
    },
  };
  const services: RunningService[] = [];
  try {
    for (const name of ['order', 'inventory', 'payment', 'channels']) {
      services.push(
        await startBenchService(name, { brokers, topicPrefix, apiKeys: API_KEYS, env: envOf[name] }),
      );
    }
    const [order, inventory, , channels] = services as [
      RunningService,
      RunningService,
      RunningService,
      RunningService,
    ];
    await seedBenchStock(
      inventory.url,
      ADMIN_KEY,
      SKUS.map(({ sku }) => sku),
    );
    await putChannelConnection(
      channels.url,
      ADMIN_KEY,
      CONNECTION,
      fakeConnectionBody({ shopify }, 'shopify'),
    );
    for (const { channelSku, sku } of SKUS) {
      await putChannelSkuRule(channels.url, ADMIN_KEY, CONNECTION, channelSku, { sku });
    }

    // Every order is known by its storefront order id from the request on; order.placed names it
    // and its Waybill id, by which order.confirmed (subject) is matched.
    const sentAt = new Map<string, number>();
    const placedAt = new Map<string, number>();
    const confirmed = new Set<string>();
    const byOrderId = new Map<string, string>();
    const consumer = kafka.consumer({ groupId: `${topicPrefix}bench-observer` });
    await consumer.connect();
    await consumer.subscribe({ topics: [orderTopic], fromBeginning: true });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        const now = performance.now();
        for (const message of batch.messages) {
          const type = message.headers?.ce_type?.toString();
          if (type === PLACED) {
            const data = decodeCloudEvent(message).data as { orderId: string; storefrontOrderId: string };
            placedAt.set(data.storefrontOrderId, now);
            byOrderId.set(data.orderId, data.storefrontOrderId);
          } else if (type === CONFIRMED) {
            const subject = message.headers?.ce_subject?.toString();
            const storefrontOrderId = subject === undefined ? undefined : byOrderId.get(subject);
            if (storefrontOrderId !== undefined) {
              confirmed.add(storefrontOrderId);
            }
          }
        }
      },
    });

    const webhookUrl = new URL(`${channels.url}/v1/webhooks/channels/${CONNECTION}`);
    const ordersUrl = new URL(`${order.url}/v1/orders`);
    const directHeaders = { authorization: `Bearer ${STOREFRONT_KEY}`, 'content-type': 'application/json' };

    /** One order down one path; resolves with its storefront order id once the request is answered. */
    async function send(path: Path): Promise<string> {
      const { channelSku, sku } = pickSku();
      if (path === 'webhook') {
        const platformOrder = shopifyOrder({ lines: [{ sku: channelSku, quantity: 1, price: '19.99' }] });
        const id = platformOrder.id.toString();
        const { headers, body } = shopify.webhook('orders/create', platformOrder);
        sentAt.set(id, performance.now());
        const answer = await post(webhookUrl, headers, body);
        if (answer.status !== 200) {
          throw new Error(`the Shopify webhook was answered ${answer.status}: ${answer.text}`);
        }
        return id;
      }
      const id = `bench-${randomUUID()}`;
      const body = JSON.stringify({
        storefrontOrderId: id,
        customer: { id: 'bench-customer', email: 'bench@example.com' },
        lines: [{ sku, quantity: 1, unitPrice: 1999 }],
        currency: 'EUR',
        shippingAddress: { line1: '1 Bench Street', city: 'Berlin', postalCode: '10115', country: 'DE' },
        payment: { provider: 'sandbox', token: 'sandbox_approve' },
      });
      sentAt.set(id, performance.now());
      const answer = await post(ordersUrl, { ...directHeaders, 'idempotency-key': randomUUID() }, body);
      if (answer.status !== 201) {
        throw new Error(`POST /v1/orders answered ${answer.status}: ${answer.text}`);
      }
      return id;
    }

    const sendAll = (path: Path, count: number) => inFlight(CONCURRENCY, count, () => send(path));

    const allConfirmed = (ids: readonly string[], description: string) =>
      waitFor(() => ids.every((id) => confirmed.has(id)), {
        timeoutMs: 600_000,
        intervalMs: 50,
        description,
      });

    // Warm-up of both paths: connections, JIT, consumer groups settled.
    await allConfirmed(
      [...(await sendAll('webhook', WARM_UP)), ...(await sendAll('direct', WARM_UP))],
      'the warm-up orders confirmed',
    );

    async function measure(path: Path): Promise<PathResult> {
      const cpuBefore = services.map((service) => cpuMsOf(service.child.pid));
      const benchBefore = process.cpuUsage();
      const machineBefore = machineBusyMs();
      const start = performance.now();
      const ids = await sendAll(path, ORDERS);
      await allConfirmed(ids, `the ${path} orders confirmed`);
      const cpuPerOrder: Record<string, number> = {};
      services.forEach((service, index) => {
        cpuPerOrder[service.name] = (cpuMsOf(service.child.pid) - (cpuBefore[index] ?? Number.NaN)) / ORDERS;
      });
      const bench = process.cpuUsage(benchBefore);
      cpuPerOrder.bench = (bench.user + bench.system) / 1000 / ORDERS;
      cpuPerOrder.machine = (machineBusyMs() - machineBefore) / ORDERS;
      const lastPlaced = Math.max(...ids.map((id) => placedAt.get(id) ?? Number.NaN));
      const latencies = ids
        .map((id) => (placedAt.get(id) ?? Number.NaN) - (sentAt.get(id) ?? Number.NaN))
        .sort((a, b) => a - b);
      return {
        path,
        placedPerSecond: ORDERS / ((lastPlaced - start) / 1000),
        p50: percentile(latencies, 50),
        p99: percentile(latencies, 99),
        cpuPerOrder,
      };
    }

    const results = [await measure('webhook'), await measure('direct')];
    await consumer.disconnect();

    const names = [...services.map((service) => service.name), 'bench', 'machine'];
    console.log(`\n### bench:channels — ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`);
    console.log(`Machine: ${machineLine()}; ${ORDERS} orders per path, ${CONCURRENCY} in flight\n`);
    console.log(
      `| path | placed/s | request → order.placed p50 / p99 | CPU per order (ms): ${names.join(' / ')} | all services |`,
    );
    console.log('| --- | --- | --- | --- | --- |');
    for (const result of results) {
      const label =
        result.path === 'webhook'
          ? 'Shopify orders/create → channels → order'
          : 'POST /v1/orders (sandbox payment)';
      const servicesCpu = services.reduce((sum, service) => sum + (result.cpuPerOrder[service.name] ?? 0), 0);
      console.log(
        `| ${label} | ${result.placedPerSecond.toFixed(0)} | ${result.p50.toFixed(0)} / ${result.p99.toFixed(0)} ms | ${names
          .map((name) => (result.cpuPerOrder[name] ?? Number.NaN).toFixed(2))
          .join(' / ')} | ${servicesCpu.toFixed(2)} |`,
      );
    }
  } finally {
    for (const service of [...services].reverse()) {
      await stopBenchService(service).catch(() => undefined);
    }
    await shopify.stop();
    await infra.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
