/**
 * `npm start`: the whole suite on this machine, until Ctrl-C.
 *
 * Kafka: KAFKA_BROKERS, else a broker answering on localhost:9092, else the local cluster "local"
 * (kept between runs, stopped on exit only if started here). PostgreSQL: DATABASE_URL, else
 * 127.0.0.1:5432, else a private cluster. Each service gets its own database and runs its
 * migrations at start. Without WAYBILL_API_KEYS a one-off admin key is made and printed, so a
 * newcomer can call the APIs at once; it is never written anywhere.
 */
import { ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { spawnTypeScript } from '../tools/local-infra/common';
import {
  ensureKafkaJars,
  kafkaAnswers,
  startKafkaCluster,
  type KafkaClusterHandle,
} from '../tools/local-infra/kafka-runtime';
import {
  databaseUrl,
  ensureDatabase,
  resolvePostgres,
  type ResolvedPostgres,
} from '../tools/local-infra/postgres-runtime';

const SERVICES = [
  { name: 'order', port: 3001 },
  { name: 'inventory', port: 3002 },
  { name: 'payment', port: 3003 },
  { name: 'logistics', port: 3004 },
] as const;

let kafka: KafkaClusterHandle | undefined;
let postgres: ResolvedPostgres | undefined;
const children: ChildProcess[] = [];
let stopping = false;

async function brokers(): Promise<string> {
  const fromEnv = process.env.KAFKA_BROKERS?.trim();
  if (fromEnv) return fromEnv;
  await ensureKafkaJars({ log: (line) => console.log(line) });
  if (await kafkaAnswers(['localhost:9092'], 3000)) return 'localhost:9092';
  kafka = await startKafkaCluster({
    name: 'local',
    brokers: 1,
    basePort: 9092,
    log: (line) => console.log(line),
  });
  return kafka.bootstrap.join(',');
}

function apiKeys(): string {
  if (process.env.WAYBILL_API_KEYS) return process.env.WAYBILL_API_KEYS;
  const key = `wb_dev_${randomBytes(24).toString('base64url')}`;
  console.log(`\nNo WAYBILL_API_KEYS set: this run's admin key is\n\n  Authorization: Bearer ${key}\n`);
  return JSON.stringify([
    { sha256: createHash('sha256').update(key).digest('hex'), principal: 'admin', scopes: [] },
  ]);
}

async function shutdown(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    console.log('\nstopping the services…');
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
            setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
          }),
      ),
    );
    if (kafka) await kafka.stop().catch((error: unknown) => console.error(String(error)));
    if (postgres?.startedByUs) await postgres.stop().catch((error: unknown) => console.error(String(error)));
  }
  process.exit(code);
}

async function main(): Promise<void> {
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));
  const kafkaBrokers = await brokers();
  postgres = await resolvePostgres({ log: (line) => console.log(line) });
  const keys = apiKeys();
  for (const service of SERVICES) {
    await ensureDatabase(postgres.adminUrl, `waybill_${service.name}`);
    const upper = service.name.toUpperCase();
    const child = spawnTypeScript(`services/${service.name}/src/main.ts`, [], {
      stdio: 'inherit',
      env: {
        ...process.env,
        PORT: process.env[`${upper}_PORT`] ?? String(service.port),
        KAFKA_BROKERS: kafkaBrokers,
        [`${upper}_DATABASE_URL`]:
          process.env[`${upper}_DATABASE_URL`] ?? databaseUrl(postgres.adminUrl, `waybill_${service.name}`),
        WAYBILL_API_KEYS: keys,
      },
    });
    child.once('exit', (code, signal) => {
      if (stopping) return;
      console.error(`${service.name} exited (${signal ?? code}); stopping the rest`);
      void shutdown(1);
    });
    children.push(child);
  }
  console.log(
    `Waybill: order :3001, inventory :3002, payment :3003, logistics :3004 — Kafka ${kafkaBrokers}. Ctrl-C stops.`,
  );
}

main().catch(async (error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  await shutdown(1);
});
