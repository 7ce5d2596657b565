/**
 * The real Kafka and PostgreSQL that integration tests (and benchmarks) run against.
 *
 * Resolution, Kafka and PostgreSQL each on their own:
 *   1. `KAFKA_BROKERS` (comma list) / `DATABASE_URL` always win — `npm test` sets both;
 *   2. else, when a Docker engine answers (DOCKER_HOST or /var/run/docker.sock), Testcontainers,
 *      started once per Jest worker process;
 *   3. else the local runtime: Kafka at localhost:9092 and PostgreSQL from `resolvePostgres()`
 *      (127.0.0.1:5432, or a private initdb cluster).
 * `WAYBILL_TEST_INFRA=local|testcontainers` forces step 2 or 3.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import os from 'node:os';
import { kafkaAnswers, startKafkaCluster, type KafkaClusterHandle } from '@waybill/local-infra';
import { resolvePostgres } from '@waybill/local-infra';

export type KafkaSource = 'env' | 'testcontainers' | 'local';
export type PostgresSource = 'env' | 'testcontainers' | 'local' | 'private';

export interface TestInfrastructure {
  /** Kafka bootstrap addresses, e.g. ["localhost:9092"]. */
  readonly kafkaBrokers: string[];
  /** A PostgreSQL URL allowed to create databases (see `createTestDatabase`). */
  readonly databaseUrl: string;
  readonly kafkaSource: KafkaSource;
  readonly postgresSource: PostgresSource;
  /**
   * Stops what `testInfrastructure()` started in this process (containers, a Kafka it had to
   * start, a private PostgreSQL) and forgets it. Tests need not call it: containers are reaped
   * when the worker exits. Standalone programs (benchmarks) should.
   */
  stop(): Promise<void>;
}

export const DEFAULT_LOCAL_KAFKA = 'localhost:9092';
const KAFKA_IMAGE = process.env.WAYBILL_KAFKA_IMAGE ?? 'confluentinc/cp-kafka:7.9.0';
const POSTGRES_IMAGE = process.env.WAYBILL_POSTGRES_IMAGE ?? 'postgres:15-alpine';

interface WorkerState {
  infrastructure?: Promise<TestInfrastructure>;
}

/**
 * Jest gives every test file a fresh module registry and global object, so a module-level cache
 * would start containers once per *file*. Node's built-in modules, though, are the same objects
 * for every file a worker runs, so the per-worker state hangs off one of them (under a symbol).
 */
function workerState(): WorkerState {
  const host = os as unknown as Record<symbol, WorkerState | undefined>;
  const key = Symbol.for('waybill.testing.infrastructure');
  return (host[key] ??= {});
}

/** Resolves (once per process) the Kafka and PostgreSQL to test against. */
export function testInfrastructure(): Promise<TestInfrastructure> {
  const state = workerState();
  if (!state.infrastructure) {
    state.infrastructure = resolveInfrastructure().catch((error: unknown) => {
      state.infrastructure = undefined;
      throw error;
    });
  }
  return state.infrastructure;
}

function splitList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

async function resolveInfrastructure(): Promise<TestInfrastructure> {
  const envBrokers = splitList(process.env.KAFKA_BROKERS);
  const envDatabase = process.env.DATABASE_URL?.trim() || undefined;
  const stops: Array<() => Promise<void>> = [];
  const forced = process.env.WAYBILL_TEST_INFRA;
  const needContainers = envBrokers.length === 0 || envDatabase === undefined;
  const useContainers =
    needContainers && forced !== 'local' && (forced === 'testcontainers' || (await dockerAvailable()));

  let kafkaBrokers: string[];
  let kafkaSource: KafkaSource;
  let databaseUrl: string;
  let postgresSource: PostgresSource;
  try {
    if (envBrokers.length > 0) {
      kafkaBrokers = envBrokers;
      kafkaSource = 'env';
    } else if (useContainers) {
      const { KafkaContainer } = await import('@testcontainers/kafka');
      const container = await new KafkaContainer(KAFKA_IMAGE).withKraft().start();
      stops.push(async () => void (await container.stop()));
      kafkaBrokers = [`${container.getHost()}:${container.getMappedPort(9093)}`];
      kafkaSource = 'testcontainers';
    } else {
      kafkaBrokers = [DEFAULT_LOCAL_KAFKA];
      kafkaSource = 'local';
      if (!(await kafkaAnswers(kafkaBrokers, 5000))) {
        if (process.env.JEST_WORKER_ID !== undefined) {
          throw new Error(
            `No Kafka broker answers at ${DEFAULT_LOCAL_KAFKA} and no Docker engine is available. ` +
              'Run the integration tests with `npm test` (it starts Kafka), or start one with `npm run kafka:start`, ' +
              'or point KAFKA_BROKERS at a broker.',
          );
        }
        // A standalone program (a benchmark): bring a local broker up and take it down in stop().
        const cluster: KafkaClusterHandle = await startKafkaCluster({ name: 'test', fresh: true });
        stops.push(() => cluster.stop());
        kafkaBrokers = cluster.bootstrap;
      }
    }

    if (envDatabase !== undefined) {
      databaseUrl = envDatabase;
      postgresSource = 'env';
    } else if (useContainers) {
      const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
      const container = await new PostgreSqlContainer(POSTGRES_IMAGE).start();
      stops.push(async () => void (await container.stop()));
      databaseUrl = container.getConnectionUri();
      postgresSource = 'testcontainers';
    } else {
      const postgres = await resolvePostgres({ env: {} });
      stops.push(() => postgres.stop());
      databaseUrl = postgres.adminUrl;
      postgresSource = postgres.source === 'private' ? 'private' : 'local';
    }
  } catch (error) {
    await stopAll(stops);
    throw error;
  }

  return {
    kafkaBrokers,
    databaseUrl,
    kafkaSource,
    postgresSource,
    async stop() {
      workerState().infrastructure = undefined;
      await stopAll(stops);
    },
  };
}

async function stopAll(stops: Array<() => Promise<void>>): Promise<void> {
  const failures: unknown[] = [];
  for (const stop of stops.reverse()) {
    await stop().catch((error: unknown) => failures.push(error));
  }
  stops.length = 0;
  if (failures.length > 0) {
    throw failures[0];
  }
}

/**
 * True when a Docker engine answers `GET /_ping` within `timeoutMs`: at DOCKER_HOST
 * (unix:// or tcp://), else at /var/run/docker.sock.
 */
export async function dockerAvailable(timeoutMs = 1500): Promise<boolean> {
  const dockerHost = process.env.DOCKER_HOST?.trim();
  let target: http.RequestOptions;
  if (dockerHost) {
    if (dockerHost.startsWith('unix://')) {
      target = { socketPath: dockerHost.slice('unix://'.length) };
    } else if (dockerHost.startsWith('tcp://')) {
      // A TLS endpoint cannot be pinged without its client certificate; trust the configuration.
      if (process.env.DOCKER_TLS_VERIFY) {
        return true;
      }
      const url = new URL(`http://${dockerHost.slice('tcp://'.length)}`);
      target = { host: url.hostname, port: Number(url.port || 2375) };
    } else {
      return false;
    }
  } else if (fs.existsSync('/var/run/docker.sock')) {
    target = { socketPath: '/var/run/docker.sock' };
  } else {
    return false;
  }
  return new Promise((resolve) => {
    const request = http.get({ ...target, path: '/_ping', timeout: timeoutMs }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    request.on('timeout', () => {
      request.destroy();
      resolve(false);
    });
    request.on('error', () => resolve(false));
  });
}
