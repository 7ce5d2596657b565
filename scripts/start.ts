/**
 * `npm start`: the whole suite on this machine with simulated traffic, until Ctrl-C.
 *
 * Kafka: KAFKA_BROKERS, else a broker answering on localhost:9092, else (Docker engine) the Compose
 * file's broker, else the local cluster "local" (kept between runs). PostgreSQL: DATABASE_URL, else
 * 127.0.0.1:5432, else (Docker engine) the Compose file's server, else a private cluster. What this
 * run started it stops on exit; containers are stopped, not removed, so their data stays. Each service gets
 * its own database `<WAYBILL_DATABASE_PREFIX><service>` and runs its migrations at start.
 *
 * Unless `--no-simulate`, the outside parties are played over their real interfaces
 * (tools/simulators): a storefront placing `--rate` orders/s, Stripe, WeChat Pay, Alipay and
 * UnionPay, EasyPost, SF, ZTO and Kuaidi100, a supplier, and one store each on Shopify, WooCommerce
 * and Youzan, which take a fifth of the orders and send them to channels as their own webhooks.
 * Demo keys and secrets live in $WAYBILL_HOME (tools/start/state.ts); logs, pids and the final
 * summary in a run folder under it. The terminal shows one status block instead of logs.
 */
import { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import { dockerAvailable } from '@waybill/testing/infrastructure';
import { errorMessage, sleep, spawnTypeScript, tailFile, type Logger } from '../libs/local-infra/src/common';
import {
  ensureKafkaJars,
  kafkaAnswers,
  startKafkaCluster,
  type KafkaClusterHandle,
} from '../libs/local-infra/src/kafka-runtime';
import {
  databaseUrl,
  DEFAULT_LOCAL_POSTGRES_URL,
  ensureDatabase,
  postgresAnswers,
  resolvePostgres,
  type ResolvedPostgres,
} from '../libs/local-infra/src/postgres-runtime';
import { startCarrier } from '../tools/simulators/carrier';
import { startChinaCarriers } from '../tools/simulators/china-carriers';
import { seedDemoCatalogue } from '../tools/simulators/demo-catalogue';
import type { PartySimulator } from '../tools/simulators/party';
import { startPaymentProvider } from '../tools/simulators/payment-provider';
import { startPaymentGateways } from '../tools/simulators/payment-gateways';
import { startStorefront, type Storefront } from '../tools/simulators/storefront';
import {
  PLATFORM_ORDER_EVERY,
  PREPAID_STOREFRONTS,
  startStorefrontPlatforms,
  type StorefrontPlatforms,
} from '../tools/simulators/storefront-platforms';
import { startSupplier } from '../tools/simulators/supplier';
import { startComposeInfra, type ComposeInfra, type ComposeService } from '../tools/start/compose-infra';
import { FigureSources, SERVICE_NAMES, type ServiceName } from '../tools/start/figures';
import { FlagError, parseStartFlags, USAGE, type StartFlags } from '../tools/start/flags';
import { RunFolder, type StartedProcess } from '../tools/start/run-folder';
import {
  demoApiKeyEntries,
  demoChannelsSecretsKey,
  loadOrCreateState,
  waybillHome,
  type DemoState,
} from '../tools/start/state';
import {
  redraw,
  statusBlock,
  statusLine,
  summarize,
  summaryText,
  type Endpoint,
  type StatusSnapshot,
} from '../tools/start/status-view';

const DEFAULT_PORTS: Record<ServiceName, number> = {
  order: 3001,
  inventory: 3002,
  payment: 3003,
  logistics: 3004,
  channels: 3005,
};
const READY_TIMEOUT_MS = 300_000;
const TTY_REFRESH_MS = 1000;
const PLAIN_LINE_EVERY_MS = 10_000;
const RATE_WINDOW_MS = 10_000;

/** Everything this run started, so Ctrl-C stops exactly that and nothing else. */
const started: {
  kafka?: KafkaClusterHandle;
  postgres?: ResolvedPostgres;
  compose?: ComposeInfra;
  services: { name: ServiceName; child: ChildProcess }[];
  simulators: { name: string; stop(): Promise<void> }[];
  storefront?: Storefront;
  figures?: FigureSources;
  run?: RunFolder;
  statusTimer?: NodeJS.Timeout;
} = { services: [], simulators: [] };
let stopping = false;

const say = (line: string): void => void process.stdout.write(`${line}\n`);

/**
 * Kafka and PostgreSQL: KAFKA_BROKERS / DATABASE_URL when set; else what answers on localhost:9092
 * and 127.0.0.1:5432; else, where a Docker engine runs, the Compose file's containers; else the
 * local runtimes (Kafka from the Maven jars, a private initdb cluster). WAYBILL_START_INFRA=local
 * skips the Docker check.
 */
async function infrastructure(state: DemoState): Promise<{ brokers: string; postgres: ResolvedPostgres }> {
  const kafkaFromEnv = process.env.KAFKA_BROKERS?.trim();
  const postgresFromEnv = process.env.DATABASE_URL?.trim();
  const kafkaRunning = !kafkaFromEnv && (await kafkaAnswers(['localhost:9092'], 3000));
  const postgresRunning = !postgresFromEnv && (await postgresAnswers(DEFAULT_LOCAL_POSTGRES_URL));
  const missing: ComposeService[] = [];
  if (!kafkaFromEnv && !kafkaRunning) {
    missing.push('kafka');
  }
  if (!postgresFromEnv && !postgresRunning) {
    missing.push('postgres');
  }
  if (missing.length > 0 && process.env.WAYBILL_START_INFRA !== 'local' && (await dockerAvailable())) {
    started.compose = await startComposeInfra(missing, state, say);
  }

  let brokers = kafkaFromEnv || (kafkaRunning ? 'localhost:9092' : started.compose?.kafkaBrokers);
  if (!brokers) {
    await ensureKafkaJars({ log: say });
    started.kafka = await startKafkaCluster({ name: 'local', brokers: 1, basePort: 9092, log: say });
    brokers = started.kafka.bootstrap.join(',');
  }
  const composePostgres = started.compose?.postgresAdminUrl;
  const postgres = await resolvePostgres({
    log: say,
    ...(composePostgres && { env: { DATABASE_URL: composePostgres } }),
  });
  return { brokers, postgres };
}

/** The demo keys, plus any the operator configured (WAYBILL_API_KEYS keeps working). */
function apiKeys(state: DemoState): string {
  const own = process.env.WAYBILL_API_KEYS?.trim();
  let extra: unknown[] = [];
  if (own) {
    try {
      extra = JSON.parse(own) as unknown[];
    } catch {
      throw new Error('WAYBILL_API_KEYS is not a JSON array');
    }
  }
  return JSON.stringify([...extra, ...demoApiKeyEntries(state)]);
}

function servicePort(name: ServiceName): number {
  const raw = process.env[`${name.toUpperCase()}_PORT`]?.trim();
  return raw ? Number(raw) : DEFAULT_PORTS[name];
}

function recordPids(): void {
  const processes: StartedProcess[] = [
    { name: 'start', pid: process.pid },
    ...started.services.flatMap(({ name, child }) => (child.pid ? [{ name, pid: child.pid }] : [])),
    ...(started.kafka?.pids ?? []).map((pid) => ({ name: 'kafka', pid })),
  ];
  started.run?.recordPids(processes);
}

function spawnService(name: ServiceName, run: RunFolder, env: NodeJS.ProcessEnv): ChildProcess {
  const log = run.openForChild(`${name}.log`);
  const child = spawnTypeScript(`services/${name}/src/main.ts`, [], { stdio: ['ignore', log, log], env });
  fs.closeSync(log);
  child.once('exit', (code, signal) => {
    if (stopping) {
      return;
    }
    say(`\n${name} exited (${signal ?? code}); its log ends:\n${tailFile(run.file(`${name}.log`), 15)}`);
    void shutdown(1);
  });
  started.services.push({ name, child });
  recordPids();
  return child;
}

async function waitUntilReady(name: ServiceName, url: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!stopping) {
    const status = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(5000) })
      .then((response) => response.status)
      .catch(() => 0);
    if (status === 200) {
      return;
    }
    if (Date.now() > deadline) {
      throw new Error(`${name} was not ready after ${READY_TIMEOUT_MS / 1000} s`);
    }
    await sleep(500);
  }
}

function printWelcome(state: DemoState, home: string, endpoints: readonly Endpoint[]): void {
  const inventory =
    endpoints.find((endpoint) => endpoint.name === 'inventory')?.url ?? '(inventory not started)';
  say(`
Services (OpenAPI docs at /docs):
${endpoints.map((endpoint) => `  ${endpoint.name.padEnd(10)}  ${endpoint.url}  ${endpoint.url}/docs`).join('\n')}

Demo API keys (kept in ${home}/state.json, readable by you only — a local demo, not a secret store):
  storefront  Authorization: Bearer ${state.keys.storefront}   (orders:write, orders:read)
  admin       Authorization: Bearer ${state.keys.admin}
Try:  curl -H "Authorization: Bearer ${state.keys.admin}" ${inventory}/v1/stock/DEMO-MUG
`);
}

function startStatus(flags: StartFlags, endpoints: Endpoint[], run: RunFolder, figures: FigureSources): void {
  const tty = process.stdout.isTTY === true;
  const activity = flags.simulate
    ? `storefront ${flags.rate} orders/s, 1 in ${PLATFORM_ORDER_EVERY} via Shopify/WooCommerce/Youzan`
    : 'no simulators';
  const startedAt = Date.now();
  // The rate over the last few seconds: the relays publish in batches, so one second may see none.
  const history: { at: number; events: number }[] = [];
  let drawnLines = 0;
  let lastPlainLine = 0;
  let busy = false;
  const log = run.logger('status.log');
  const tick = async (): Promise<void> => {
    if (busy || stopping) {
      return;
    }
    busy = true;
    try {
      const [read, events] = await Promise.all([figures.read(), figures.eventsProduced()]);
      const now = Date.now();
      if (events !== undefined) {
        history.push({ at: now, events });
      }
      while (history.length > 2 && now - history[0].at > RATE_WINDOW_MS) {
        history.shift();
      }
      const [oldest, newest] = [history[0], history.at(-1)];
      const eventsPerSecond =
        oldest && newest && newest.at > oldest.at
          ? Math.max(0, newest.events - oldest.events) / ((newest.at - oldest.at) / 1000)
          : undefined;
      const snapshot: StatusSnapshot = {
        figures: read,
        eventsPerSecond,
        uptimeSeconds: (now - startedAt) / 1000,
      };
      if (stopping) {
        return;
      }
      if (tty) {
        // Lines wider than the terminal would wrap and break the count of lines to go back over.
        const width = process.stdout.columns || 120;
        const lines = statusBlock(snapshot, { endpoints, runFolder: run.dir, activity }).map((line) =>
          line.slice(0, width - 1),
        );
        process.stdout.write(redraw(drawnLines, lines));
        drawnLines = lines.length;
      } else if (now - lastPlainLine >= PLAIN_LINE_EVERY_MS) {
        lastPlainLine = now;
        say(statusLine(snapshot));
      }
    } catch (error) {
      // Kept out of the terminal: a read fails now and then while a service restarts.
      log(`status read failed: ${errorMessage(error)}`);
    } finally {
      busy = false;
    }
  };
  void tick();
  started.statusTimer = setInterval(() => void tick(), TTY_REFRESH_MS);
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      return resolve();
    }
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 20_000).unref();
  });
}

async function writeSummary(): Promise<void> {
  const { figures, run } = started;
  if (!figures || !run) {
    return;
  }
  const summary = summarize(await figures.read());
  run.writeJson('summary.json', summary);
  say(`\nSummary (from the databases and the DLQ topics):`);
  for (const line of summaryText(summary)) {
    say(`  ${line}`);
  }
  say(`  logs and summary.json: ${run.dir}`);
  // One machine-readable line, for scripts and the npm start test.
  say(`summary: ${JSON.stringify(summary)}`);
}

async function shutdown(code: number): Promise<void> {
  if (stopping) {
    return;
  }
  stopping = true;
  if (started.statusTimer) {
    clearInterval(started.statusTimer);
  }
  say('\nstopping what this run started…');
  const step = async (what: string, fn: () => Promise<unknown>): Promise<void> => {
    await fn().catch((error: unknown) => say(`${what}: ${errorMessage(error)}`));
  };
  // No new orders first; the services next, while the parties they call still answer; the parties;
  // then the summary, read once nothing moves any more.
  await step('storefront', async () => started.storefront?.stop());
  await Promise.all(started.services.map(({ child }) => stopChild(child)));
  await Promise.all(started.simulators.map((simulator) => step(simulator.name, () => simulator.stop())));
  await step('summary', writeSummary);
  await step('status', async () => started.figures?.close());
  await step('logs', async () => started.run?.close());
  const { kafka, postgres, compose } = started;
  if (kafka) {
    await step('kafka', () => kafka.stop());
  }
  if (postgres?.startedByUs) {
    await step('postgres', () => postgres.stop());
  }
  if (compose) {
    await step('docker compose', () => compose.stop());
  }
  process.exit(code);
}

/** A second Ctrl-C: whoever is tired of waiting for a clean stop gets a quick one. */
function forceStop(): void {
  say('\nforced: killing the services (Kafka and PostgreSQL are left running)');
  for (const { child } of started.services) {
    child.kill('SIGKILL');
  }
  process.exit(130);
}

async function main(): Promise<void> {
  let flags: StartFlags;
  try {
    flags = parseStartFlags(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof FlagError)) {
      throw error;
    }
    process.stderr.write(`npm start: ${error.message}\n\n${USAGE}\n`);
    process.exit(2);
  }
  if (flags.help) {
    return say(USAGE);
  }
  process.on('SIGINT', () => (stopping ? forceStop() : void shutdown(0)));
  process.on('SIGTERM', () => void shutdown(0));

  const home = waybillHome();
  const { state, created } = loadOrCreateState(home);
  const run = RunFolder.create(home);
  started.run = run;
  recordPids();
  say(`${created ? 'First start: demo keys and secrets made in' : 'Reusing the demo state in'} ${home}`);
  say(`Logs: ${run.dir}`);

  const infra = await infrastructure(state);
  const brokers = infra.brokers;
  started.postgres = infra.postgres;
  const databasePrefix = process.env.WAYBILL_DATABASE_PREFIX?.trim() || 'waybill_';
  const urls = Object.fromEntries(
    SERVICE_NAMES.map((name) => [name, `http://127.0.0.1:${servicePort(name)}`]),
  ) as Record<ServiceName, string>;
  const databaseUrls = {} as Record<ServiceName, string>;
  for (const name of SERVICE_NAMES) {
    const own = process.env[`${name.toUpperCase()}_DATABASE_URL`]?.trim();
    if (own) {
      databaseUrls[name] = own;
    } else {
      await ensureDatabase(started.postgres.adminUrl, `${databasePrefix}${name}`);
      databaseUrls[name] = databaseUrl(started.postgres.adminUrl, `${databasePrefix}${name}`);
    }
  }

  // The demo's Shopify, WooCommerce and Youzan stores sell orders paid on their platform: the
  // order service takes `prepaid` from those storefronts only, and payment records it.
  const envOf: Record<ServiceName, Record<string, string>> = {
    order: { ORDER_PREPAID_STOREFRONTS: PREPAID_STOREFRONTS.join(',') },
    inventory: {},
    payment: {
      PAYMENT_SANDBOX_WEBHOOK_SECRET: state.sandbox.paymentWebhookSecret,
      PAYMENT_PREPAID_ENABLED: 'true',
    },
    logistics: { LOGISTICS_SANDBOX_WEBHOOK_SECRET: state.sandbox.carrierWebhookSecret },
    channels: { CHANNELS_SECRETS_KEY: demoChannelsSecretsKey(state) },
  };
  const gateways: string[] = [];
  if (flags.simulate) {
    const simulator = async (
      name: string,
      service: ServiceName,
      begin: (log: Logger) => Promise<PartySimulator>,
    ): Promise<void> => {
      const handle = await begin(run.logger(`${name}.log`));
      started.simulators.push({ name, stop: () => handle.stop() });
      Object.assign(envOf[service], handle.env);
      gateways.push(...(handle.providers ?? []));
    };
    await simulator('stripe', 'payment', (log) =>
      startPaymentProvider({ serviceUrl: urls.payment, ...state.stripe, log }),
    );
    await simulator('gateways', 'payment', (log) => startPaymentGateways({ serviceUrl: urls.payment, log }));
    await simulator('easypost', 'logistics', (log) =>
      startCarrier({ serviceUrl: urls.logistics, ...state.easypost, stepMs: flags.stepMs, log }),
    );
    await simulator('china-carriers', 'logistics', (log) =>
      startChinaCarriers({ serviceUrl: urls.logistics, stepMs: flags.stepMs, log }),
    );
    await simulator('supplier', 'inventory', (log) =>
      startSupplier({ serviceUrl: urls.inventory, ...state.supplier, stepMs: flags.stepMs, log }),
    );
  }

  const keys = apiKeys(state);
  // The storefront alone sends `rate` orders a second on one key, and reads a gateway order back a
  // few times until it shows the buyer's next action; the default limit is per minute.
  const rateLimit =
    process.env.RATE_LIMIT_PER_MINUTE ?? String(Math.max(600, Math.ceil(flags.rate * 60 * 6)));
  for (const name of SERVICE_NAMES) {
    if (stopping) {
      return;
    }
    spawnService(name, run, {
      ...process.env,
      PORT: String(servicePort(name)),
      KAFKA_BROKERS: brokers,
      [`${name.toUpperCase()}_DATABASE_URL`]: databaseUrls[name],
      WAYBILL_API_KEYS: keys,
      RATE_LIMIT_PER_MINUTE: rateLimit,
      ...envOf[name],
    });
  }
  say(`Starting order, inventory, payment, logistics and channels (Kafka ${brokers})…`);
  await Promise.all(SERVICE_NAMES.map((name) => waitUntilReady(name, urls[name])));
  if (stopping) {
    return;
  }

  await seedDemoCatalogue({
    inventoryUrl: urls.inventory,
    adminKey: state.keys.admin,
    withPolicies: flags.simulate,
    log: run.logger('start.log'),
  });
  const endpoints = SERVICE_NAMES.map((name) => ({ name, url: urls[name] }));
  printWelcome(state, home, endpoints);
  if (flags.simulate) {
    // After the services are up: the stores are connected through the channels API.
    const platforms: StorefrontPlatforms = await startStorefrontPlatforms({
      serviceUrl: urls.channels,
      adminKey: state.keys.admin,
      log: run.logger('storefront-platforms.log'),
      onTrackingReported: (tracking) => run.appendJsonLine('platform-tracking.jsonl', tracking),
    });
    started.simulators.push({ name: 'storefront platforms', stop: () => platforms.stop() });
    started.storefront = startStorefront({
      orderUrl: `${urls.order}/v1/orders`,
      apiKey: state.keys.storefront,
      rate: flags.rate,
      log: run.logger('storefront.log'),
      gateways,
      platforms: { every: PLATFORM_ORDER_EVERY, send: (choice) => platforms.send(choice) },
    });
  }
  started.figures = new FigureSources(
    databaseUrls,
    brokers.split(','),
    process.env.KAFKA_TOPIC_PREFIX ?? '',
    SERVICE_NAMES.map((name) => urls[name]),
  );
  startStatus(flags, endpoints, run, started.figures);
}

main().catch(async (error: unknown) => {
  say(`npm start: ${errorMessage(error)}`);
  await shutdown(1);
});
