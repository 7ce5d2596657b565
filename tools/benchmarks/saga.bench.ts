/**
 * `npm run bench:saga` — orders from `POST /v1/orders` to CONFIRMED through order, inventory and
 * payment, each its own process (as deployed) with its own database, on the real Kafka.
 *
 * 1. Sustained throughput: BENCH_SAGA_ORDERS orders posted with BENCH_SAGA_CONCURRENCY requests in
 *    flight; orders/s from the first POST to the last order.confirmed.
 * 2. Latency at a steady BENCH_SAGA_RATE orders/s for BENCH_SAGA_SECONDS: POST sent → the
 *    order.confirmed event seen by a Kafka consumer; p50 and p99.
 *
 * BENCH_SAGA_PROVIDER picks how the storefront pays: `sandbox` (in-process, the default), `stripe`,
 * `wechatpay`, `alipay-direct`, `alipay-preauth`, `unionpay-direct` or `unionpay-preauth`, each
 * against its fake gateway over real HTTP with real signatures, played in this process. A gateway's
 * buyer pays BENCH_SAGA_PAY_AFTER_MS (default 0) after the trade opens; for a redirect the observer
 * opens the URL as the buyer's browser would, when it sees payment.action-required. CPU per order
 * (from /proc, over the throughput run) is printed for each service; BENCH_SAGA_CPU_PROFILE=1 also
 * profiles the payment service and prints the share of its CPU spent in RSA signing and verifying.
 * Prints a Markdown block for BENCHMARKS.md.
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { join } from 'node:path';
import { decodeCloudEvent } from '@waybill/contracts';
import { createKafka, ensureTopics } from '@waybill/eventing';
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
import { testInfrastructure, waitFor } from '@waybill/testing';
import {
  isPaymentPartyName,
  PAYMENT_PARTY_NAMES,
  PaymentParty,
  startPaymentParty,
} from '../simulators/payment-party';

const ORDERS = Number(process.env.BENCH_SAGA_ORDERS ?? 3000);
const CONCURRENCY = Number(process.env.BENCH_SAGA_CONCURRENCY ?? 64);
const RATE = Number(process.env.BENCH_SAGA_RATE ?? 100);
const SECONDS = Number(process.env.BENCH_SAGA_SECONDS ?? 30);
const PROVIDER = process.env.BENCH_SAGA_PROVIDER ?? 'sandbox';
const PAY_AFTER_MS = Number(process.env.BENCH_SAGA_PAY_AFTER_MS ?? 0);
const CPU_PROFILE = process.env.BENCH_SAGA_CPU_PROFILE === '1';
const CONFIRMED = 'waybill.order.confirmed.v1';
const ACTION_REQUIRED = 'waybill.payment.action-required.v1';
const SKUS = Array.from({ length: 20 }, (_, i) => `BENCH-SKU-${i}`);

const { storefrontKey: STOREFRONT_KEY, adminKey: ADMIN_KEY, apiKeys: API_KEYS } = benchApiKeys();

/**
 * The storefront's POST over node:http with kept-alive connections. It stands for storefronts that
 * run on other machines, so it should take as little of the two shared cores as a real client
 * can: with undici's fetch the client took 18 % of the machine at 117 orders/s, with this 10 % at 134.
 */
const storefrontAgent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY * 2 });

function postJson(
  url: URL,
  apiKey: string,
  payload: unknown,
): Promise<{ status: number; location?: string; body: string }> {
  const body = JSON.stringify(payload);
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      {
        method: 'POST',
        agent: storefrontAgent,
        headers: {
          authorization: `Bearer ${apiKey}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
      },
      (response) => {
        const status = response.statusCode ?? 0;
        const location = response.headers.location;
        // A created order names itself in Location; its body is only read when something went wrong.
        if (status === 201 && location) {
          response.resume();
          response.on('end', () => resolve({ status, location, body: '' }));
        } else {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => resolve({ status, body: Buffer.concat(chunks).toString('utf8') }));
        }
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

/** How the storefront's buyers pay: the provider's fake, the payment service's settings for it, the order's payment. */
type PaymentSetup = Omit<PaymentParty, 'summary'>;

async function paymentSetup(name: string): Promise<PaymentSetup> {
  if (name === 'sandbox') {
    return {
      provider: 'sandbox',
      currency: 'EUR',
      token: 'sandbox_approve',
      env: { PAYMENT_SANDBOX_ENABLED: 'true' },
      pointAt: () => undefined,
      stop: async () => undefined,
    };
  }
  if (!isPaymentPartyName(name)) {
    throw new Error(`BENCH_SAGA_PROVIDER=${name}: expected sandbox, ${PAYMENT_PARTY_NAMES.join(', ')}`);
  }
  // Every buyer pays: the bench measures confirmed orders, so none is left to expire.
  return startPaymentParty(name, { autoPay: { afterMs: PAY_AFTER_MS } });
}

/**
 * Of a V8 CPU profile, the sampled time (idle excluded) and the part in RSA signing and verifying:
 * node's own crypto.sign/verify and Sign/Verify objects (`node:internal/crypto/sig`), where the
 * native RSA work is charged.
 */
function rsaShareOf(profileFile: string): {
  sampledMs: number;
  rsaMs: number;
  top: { frame: string; ms: number }[];
} {
  const profile = JSON.parse(readFileSync(profileFile, 'utf8')) as {
    nodes: { id: number; callFrame: { functionName: string; url: string } }[];
    samples: number[];
    timeDeltas: number[];
  };
  const nodes = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  let sampledUs = 0;
  let rsaUs = 0;
  const selfUs = new Map<string, number>();
  profile.samples.forEach((id, index) => {
    const frame = nodes.get(id);
    const delta = profile.timeDeltas[index] ?? 0;
    if (!frame || frame.functionName === '(idle)') {
      return;
    }
    sampledUs += delta;
    const name = `${frame.functionName || '(anonymous)'} ${frame.url.replace(/^.*node_modules\//, '')}`;
    selfUs.set(name, (selfUs.get(name) ?? 0) + delta);
    if (frame.url === 'node:internal/crypto/sig') {
      rsaUs += delta;
    }
  });
  const top = [...selfUs]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 12)
    .map(([frame, us]) => ({ frame, ms: us / 1000 }));
  return { sampledMs: sampledUs / 1000, rsaMs: rsaUs / 1000, top };
}

function orderBody(payment: PaymentSetup): object {
  const sku = SKUS[Math.floor(Math.random() * SKUS.length)];
  return {
    storefrontOrderId: `bench-${randomUUID()}`,
    customer: { id: 'bench-customer', email: 'bench@example.com' },
    lines: [{ sku, quantity: 1, unitPrice: 1999 }],
    currency: payment.currency,
    shippingAddress: { line1: '1 Bench Street', city: 'Berlin', postalCode: '10115', country: 'DE' },
    payment: { provider: payment.provider, token: payment.token },
  };
}

async function main(): Promise<void> {
  const infra = await testInfrastructure();
  const brokers = infra.kafkaBrokers;
  const topicPrefix = `bench.saga.${Date.now()}.`;
  const kafka = createKafka({ clientId: 'bench-saga', brokers });
  const orderTopic = `${topicPrefix}waybill.order.events`;
  const paymentTopic = `${topicPrefix}waybill.payment.events`;
  await ensureTopics(kafka, [orderTopic, `${topicPrefix}waybill.inventory.events`, paymentTopic]);

  const payment = await paymentSetup(PROVIDER);
  const profileDir = CPU_PROFILE ? mkdtempSync(join(os.tmpdir(), 'bench-saga-profile-')) : undefined;
  const services: RunningService[] = [];
  // For the RSA share: every order the run posted (warm-up included, as the profile is), and the
  // CPU an order took in the throughput run, of the payment service and of the whole machine.
  let posted = 0;
  let paymentCpuPerOrder = Number.NaN;
  let machineCpuPerOrder = Number.NaN;
  try {
    for (const name of ['order', 'inventory', 'payment']) {
      services.push(
        await startBenchService(name, {
          brokers,
          topicPrefix,
          apiKeys: API_KEYS,
          env: name === 'payment' ? payment.env : {},
          profileDir: name === 'payment' ? profileDir : undefined,
        }),
      );
    }
    const [order, inventory, paymentService] = services as [RunningService, RunningService, RunningService];
    payment.pointAt(paymentService.url);
    await seedBenchStock(inventory.url, ADMIN_KEY, SKUS);

    // Orders are matched to their confirmation by id; the clock starts when the POST is sent.
    const sentAt = new Map<string, number>();
    const confirmedAt = new Map<string, number>();
    const consumer = kafka.consumer({ groupId: `${topicPrefix}bench-observer` });
    await consumer.connect();
    await consumer.subscribe({ topics: [orderTopic, paymentTopic], fromBeginning: true });
    // Only the CloudEvents headers are read, but for a redirect the buyer must open: the observer
    // stands apart from the system measured and should take as little of the shared cores as it can.
    await consumer.run({
      eachBatch: async ({ batch }) => {
        const now = performance.now();
        for (const message of batch.messages) {
          const type = message.headers?.ce_type?.toString();
          if (type === ACTION_REQUIRED) {
            const nextAction = (
              decodeCloudEvent(message).data as { nextAction?: { type: string; url?: string } }
            ).nextAction;
            if (nextAction?.type === 'redirect' && nextAction.url) {
              // The buyer's browser opens the payment page; the fake's buyer pays after PAY_AFTER_MS.
              void fetch(nextAction.url).then(
                (page) => page.arrayBuffer(),
                () => undefined,
              );
            }
            continue;
          }
          if (type !== CONFIRMED) {
            continue;
          }
          const subject = message.headers?.ce_subject?.toString();
          if (subject) {
            confirmedAt.set(subject, now);
          }
        }
      },
    });

    const ordersUrl = new URL(`${order.url}/v1/orders`);
    async function post(): Promise<void> {
      const started = performance.now();
      const response = await postJson(ordersUrl, STOREFRONT_KEY, orderBody(payment));
      const id = response.location?.split('/').pop();
      if (response.status !== 201 || !id) {
        throw new Error(`POST /v1/orders answered ${response.status}: ${response.body}`);
      }
      sentAt.set(id, started);
      posted += 1;
    }

    async function confirmedAll(ids: () => string[], timeoutMs: number): Promise<void> {
      await waitFor(() => ids().every((id) => confirmedAt.has(id)), {
        timeoutMs,
        intervalMs: 50,
        description: 'every order confirmed',
      });
    }

    // Warm-up: connections, JIT, consumer groups settled.
    await Promise.all(Array.from({ length: 100 }, () => post()));
    await confirmedAll(() => [...sentAt.keys()], 120_000);
    sentAt.clear();

    // 1. Sustained throughput, and the CPU each part takes for it.
    const cpuBefore = services.map((service) => cpuMsOf(service.child.pid));
    const benchCpuBefore = process.cpuUsage();
    const machineBefore = machineBusyMs();
    const throughputStart = performance.now();
    await inFlight(CONCURRENCY, ORDERS, post);
    const throughputIds = [...sentAt.keys()];
    await confirmedAll(() => throughputIds, 300_000);
    const lastConfirmed = Math.max(...throughputIds.map((id) => confirmedAt.get(id) ?? Number.NaN));
    const cpuPerOrder = services.map(
      (service, index) => (cpuMsOf(service.child.pid) - (cpuBefore[index] ?? Number.NaN)) / ORDERS,
    );
    const benchCpu = process.cpuUsage(benchCpuBefore);
    const benchCpuPerOrder = (benchCpu.user + benchCpu.system) / 1000 / ORDERS;
    const machinePerOrder = (machineBusyMs() - machineBefore) / ORDERS;
    paymentCpuPerOrder = cpuPerOrder[2] ?? Number.NaN;
    machineCpuPerOrder = machinePerOrder;
    const sustained = ORDERS / ((lastConfirmed - throughputStart) / 1000);
    console.log(
      `sustained: ${ORDERS} orders in ${((lastConfirmed - throughputStart) / 1000).toFixed(1)} s = ${sustained.toFixed(0)} orders/s`,
    );
    sentAt.clear();

    // 2. Latency at a steady rate, paced in 10 ms ticks.
    const perTick = RATE / 100;
    const posts: Promise<void>[] = [];
    const start = performance.now();
    let owed = 0;
    for (let tick = 0; tick < SECONDS * 100; tick += 1) {
      const wait = start + tick * 10 - performance.now();
      if (wait > 0) {
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
      owed += perTick;
      for (; owed >= 1; owed -= 1) {
        posts.push(post());
      }
    }
    await Promise.all(posts);
    const latencyIds = [...sentAt.keys()];
    await confirmedAll(() => latencyIds, 120_000);
    const latencies = latencyIds
      .map((id) => (confirmedAt.get(id) ?? Number.NaN) - (sentAt.get(id) ?? Number.NaN))
      .sort((a, b) => a - b);
    await consumer.disconnect();

    const machine = machineLine();
    console.log(
      `\n### bench:saga (${PROVIDER}) — ${new Date().toISOString().slice(0, 10)}\nMachine: ${machine}\n`,
    );
    console.log('| measure | value | target |\n| --- | --- | --- |');
    console.log(
      `| sustained POST → CONFIRMED (${ORDERS} orders, ${CONCURRENCY} in flight) | ${sustained.toFixed(0)} orders/s | ≥ 200 orders/s |`,
    );
    console.log(
      `| POST → CONFIRMED p50 at ${RATE} orders/s (${latencies.length} orders) | ${percentile(latencies, 50).toFixed(0)} ms | |`,
    );
    console.log(
      `| POST → CONFIRMED p99 at ${RATE} orders/s | ${percentile(latencies, 99).toFixed(0)} ms | ≤ 1000 ms |`,
    );
    console.log(
      `| CPU per order in the throughput run: ${services.map((service, index) => `${service.name} ${cpuPerOrder[index]?.toFixed(2)}`).join(', ')}, storefront + observer + fakes ${benchCpuPerOrder.toFixed(2)}; machine ${machinePerOrder.toFixed(2)} | ms | |`,
    );
  } finally {
    for (const service of [...services].reverse()) {
      await stopBenchService(service).catch(() => undefined);
    }
    await payment.stop();
    await infra.stop();
  }
  if (profileDir) {
    const [file] = readdirSync(profileDir).filter((name) => name.endsWith('.cpuprofile'));
    if (file) {
      // The profile spans the whole process, start-up (ts-node compiling) included, so the share
      // is taken per order: RSA time over all orders, against the CPU an order takes when measured.
      const { rsaMs, sampledMs, top } = rsaShareOf(join(profileDir, file));
      const rsaPerOrder = rsaMs / posted;
      console.log(
        `| RSA sign + verify in the payment service, per order (profiled, ${posted} orders) | ${rsaPerOrder.toFixed(2)} ms = ${((100 * rsaPerOrder) / paymentCpuPerOrder).toFixed(1)} % of its CPU per order, ${((100 * rsaPerOrder) / machineCpuPerOrder).toFixed(1)} % of the machine's | |`,
      );
      console.log(
        `\nThe payment service's most expensive frames (self time, whole run, of ${sampledMs.toFixed(0)} ms):`,
      );
      for (const { frame, ms } of top) {
        console.log(`- ${ms.toFixed(0)} ms ${frame}`);
      }
    } else {
      console.log('(the payment service wrote no CPU profile)');
    }
    rmSync(profileDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
