/**
 * `npm test`: the whole suite against real Kafka and PostgreSQL, no Docker needed.
 *
 * 1. Kafka: KAFKA_BROKERS if set; else a broker already answering on localhost:9092; else a
 *    local 1-broker cluster ("test", fresh data) started here.
 * 2. PostgreSQL: DATABASE_URL, else 127.0.0.1:5432, else a private cluster started here.
 * 3. Steps, stopping at the first failure: typecheck, lint (when an ESLint config exists),
 *    unit tests, integration tests (in band).
 * 4. Stops exactly what it started — also on failure and on SIGINT/SIGTERM — and exits with the
 *    failing step's code.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  ensureKafkaJars,
  kafkaAnswers,
  startKafkaCluster,
  stopKafkaCluster,
  type KafkaClusterHandle,
} from '../libs/local-infra/src/kafka-runtime';
import { resolvePostgres, type ResolvedPostgres } from '../libs/local-infra/src/postgres-runtime';

const ROOT = path.resolve(__dirname, '..');
const KAFKA_CLUSTER = 'test';
/** The local broker's port; WAYBILL_TEST_KAFKA_PORT moves it (and its controller, port + 1). */
const KAFKA_PORT = Number(process.env.WAYBILL_TEST_KAFKA_PORT ?? 9092);
/** `npm test -- <jest args>` narrows both Jest runs, e.g. `npm test -- libs/eventing`. */
const JEST_ARGS = process.argv.slice(2);
/** WAYBILL_TEST_SKIP=typecheck,lint skips steps by id (typecheck, lint, unit, integration). */
const SKIP = new Set((process.env.WAYBILL_TEST_SKIP ?? '').split(',').map((id) => id.trim()));
const ESLINT_CONFIGS = [
  'eslint.config.js',
  'eslint.config.mjs',
  'eslint.config.cjs',
  'eslint.config.ts',
  'eslint.config.mts',
  'eslint.config.cts',
  '.eslintrc',
  '.eslintrc.js',
  '.eslintrc.cjs',
  '.eslintrc.json',
  '.eslintrc.yml',
  '.eslintrc.yaml',
];

interface Step {
  id: 'typecheck' | 'lint' | 'unit' | 'integration';
  title: string;
  command: string;
  args: string[];
}

let kafkaStarting = false;
let kafka: KafkaClusterHandle | undefined;
let postgres: ResolvedPostgres | undefined;
let current: ChildProcess | undefined;
let cleaning: Promise<void> | undefined;
let interrupted = false;

function header(title: string): void {
  console.log(`\n━━━ ${title} ━━━`);
}

/** Stops what this script started, once. */
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    if (kafka || kafkaStarting) {
      header(`stopping Kafka cluster "${KAFKA_CLUSTER}"`);
      try {
        if (kafka) {
          await kafka.stop();
        } else {
          await stopKafkaCluster(KAFKA_CLUSTER, { timeoutMs: 10_000 });
        } // interrupted mid-start
      } catch (error) {
        console.error(`could not stop Kafka: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    if (postgres?.startedByUs) {
      header('stopping the private PostgreSQL');
      await postgres.stop().catch((error: unknown) => {
        console.error(`could not stop PostgreSQL: ${error instanceof Error ? error.message : String(error)}`);
      });
    }
  })();
  return cleaning;
}

function onSignal(signal: NodeJS.Signals): void {
  if (interrupted) {
    return;
  }
  interrupted = true;
  console.error(`\nreceived ${signal}; cleaning up…`);
  current?.kill(signal);
  const code = signal === 'SIGINT' ? 130 : 143;
  void cleanup().finally(() => process.exit(code));
}

function run(step: Step, env: NodeJS.ProcessEnv): Promise<number> {
  header(step.title);
  console.log(`$ ${[step.command, ...step.args].join(' ')}`);
  return new Promise((resolve) => {
    const child = spawn(step.command, step.args, { cwd: ROOT, env, stdio: 'inherit' });
    current = child;
    child.once('error', (error) => {
      console.error(`cannot run ${step.command}: ${error.message}`);
      current = undefined;
      resolve(127);
    });
    child.once('exit', (code, signal) => {
      current = undefined;
      resolve(code ?? (signal === 'SIGINT' ? 130 : 1));
    });
  });
}

async function prepareKafka(): Promise<string> {
  header('Kafka');
  await ensureKafkaJars({ log: (line) => console.log(line) });
  const fromEnv = process.env.KAFKA_BROKERS?.trim();
  if (fromEnv) {
    console.log(`using KAFKA_BROKERS=${fromEnv}`);
    return fromEnv;
  }
  const address = `localhost:${KAFKA_PORT}`;
  if (await kafkaAnswers([address], 3000)) {
    console.log(`using the broker already answering at ${address} (left running)`);
    return address;
  }
  const started = Date.now();
  kafkaStarting = true;
  kafka = await startKafkaCluster({
    name: KAFKA_CLUSTER,
    brokers: 1,
    basePort: KAFKA_PORT,
    fresh: true,
    log: (line) => console.log(line),
  });
  console.log(
    `started Kafka "${KAFKA_CLUSTER}" at ${kafka.bootstrap.join(',')} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  return kafka.bootstrap.join(',');
}

async function preparePostgres(): Promise<string> {
  header('PostgreSQL');
  postgres = await resolvePostgres({ log: (line) => console.log(line) });
  const description = {
    env: 'DATABASE_URL',
    local: 'the server on 127.0.0.1:5432',
    private: `a private cluster (${postgres.startedByUs ? 'started now' : 'already running'})`,
  }[postgres.source];
  console.log(`using ${description}`);
  return postgres.adminUrl;
}

function steps(): Step[] {
  const list: Step[] = [
    { id: 'typecheck', title: 'typecheck', command: 'npx', args: ['tsc', '-p', 'tsconfig.json', '--noEmit'] },
  ];
  if (ESLINT_CONFIGS.some((file) => fs.existsSync(path.join(ROOT, file)))) {
    list.push({ id: 'lint', title: 'lint', command: 'npx', args: ['eslint', '.'] });
  }
  // Patterns go first: after --selectProjects they would be read as more project names.
  const extra = JEST_ARGS.length > 0 ? [...JEST_ARGS, '--passWithNoTests'] : [];
  list.push({
    id: 'unit',
    title: 'unit tests',
    command: 'npx',
    args: ['jest', ...extra, '--selectProjects', 'unit'],
  });
  list.push({
    id: 'integration',
    title: 'integration tests',
    command: 'npx',
    args: ['jest', ...extra, '--selectProjects', 'integration', '--runInBand'],
  });
  for (const step of list.filter((s) => SKIP.has(s.id))) {
    console.log(`(skipping ${step.title}: WAYBILL_TEST_SKIP)`);
  }
  return list.filter((step) => !SKIP.has(step.id));
}

async function main(): Promise<number> {
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let exitCode = 0;
  try {
    const brokers = await prepareKafka();
    const databaseUrl = await preparePostgres();
    const env: NodeJS.ProcessEnv = { ...process.env, KAFKA_BROKERS: brokers, DATABASE_URL: databaseUrl };
    for (const step of steps()) {
      if (interrupted) {
        break;
      }
      const code = await run(step, env);
      if (code !== 0) {
        console.error(`\n✗ ${step.title} failed (exit ${code})`);
        exitCode = code;
        break;
      }
    }
  } catch (error) {
    console.error(`\n✗ ${error instanceof Error ? error.message : String(error)}`);
    exitCode = 1;
  } finally {
    await cleanup();
  }
  if (exitCode === 0) {
    console.log('\n✓ all steps passed');
  }
  return exitCode;
}

void main().then((code) => process.exit(code));
