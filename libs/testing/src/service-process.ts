import { ChildProcess } from 'node:child_process';
import { spawnTypeScript } from '@waybill/local-infra';
import { createTestDatabase, TestDatabase } from './database';
import { freePort } from './free-port';
import { testInfrastructure } from './infrastructure';
import { waitFor } from './wait-for';

export interface ServiceExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A service running as its own process from its main.ts, exactly as deployed. */
export interface ServiceProcess {
  readonly service: string;
  readonly child: ChildProcess;
  /** `http://127.0.0.1:<port>`. */
  readonly baseUrl: string;
  readonly database: TestDatabase;
  /** Everything it wrote to stdout and stderr so far. */
  output(): string;
  /** Its stdout lines that are JSON log records. */
  logRecords(): Record<string, unknown>[];
  readonly exited: Promise<ServiceExit>;
  /** SIGTERM, wait for the exit, drop the database. */
  stop(): Promise<ServiceExit>;
}

/** Spawns `services/<service>/src/main.ts` with `env` on top of the test's environment. */
export function spawnService(service: string, env: Readonly<Record<string, string>>) {
  const child = spawnTypeScript(`services/${service}/src/main.ts`, [], { env: { ...process.env, ...env } });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<ServiceExit>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, output: () => output, exited };
}

/**
 * Starts a service process on a free port with a fresh database and the test Kafka, and waits
 * until `/health/ready` answers 200.
 */
export async function startServiceProcess(
  service: string,
  options: { readonly topicPrefix: string; readonly env?: Readonly<Record<string, string>> },
): Promise<ServiceProcess> {
  const infra = await testInfrastructure();
  const database = await createTestDatabase(`proc_${service}`);
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const running = spawnService(service, {
    PORT: String(port),
    KAFKA_BROKERS: infra.kafkaBrokers.join(','),
    [`${service.toUpperCase()}_DATABASE_URL`]: database.url,
    KAFKA_TOPIC_PREFIX: options.topicPrefix.endsWith('.') ? options.topicPrefix : `${options.topicPrefix}.`,
    OUTBOX_POLL_INTERVAL_MS: '200',
    ...options.env,
  });
  const stop = async (): Promise<ServiceExit> => {
    if (running.child.exitCode === null && running.child.signalCode === null) {
      running.child.kill('SIGTERM');
    }
    const exit = await running.exited;
    await database.drop();
    return exit;
  };
  try {
    await waitFor(
      async () => (await fetch(`${baseUrl}/health/ready`).catch(() => undefined))?.status === 200,
      { timeoutMs: 90_000, intervalMs: 250, description: `${service} ready` },
    );
  } catch (error) {
    running.child.kill('SIGKILL');
    await running.exited;
    await database.drop();
    throw new Error(`${(error as Error).message}\n--- ${service} output ---\n${running.output()}`);
  }
  return {
    service,
    child: running.child,
    baseUrl,
    database,
    output: running.output,
    logRecords: () =>
      running
        .output()
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    exited: running.exited,
    stop,
  };
}
