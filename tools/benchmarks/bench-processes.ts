/**
 * What the benchmarks share: a service started as its own process (as deployed) on a fresh
 * database, and the CPU it and the machine used, read from Linux /proc.
 */
import { ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import os from 'node:os';
import { createTestDatabase, freePort, spawnTypeScript, TestDatabase, waitFor } from '@waybill/testing';

export interface RunningService {
  readonly name: string;
  readonly url: string;
  readonly child: ChildProcess;
  readonly database: TestDatabase;
  output: string;
}

export interface BenchServiceOptions {
  readonly brokers: readonly string[];
  readonly topicPrefix: string;
  /** The `WAYBILL_API_KEYS` JSON the service trusts. */
  readonly apiKeys: string;
  readonly env?: Readonly<Record<string, string>>;
  /** Write a V8 CPU profile of the service here when it exits. */
  readonly profileDir?: string;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Starts `services/<name>/src/main.ts` in production mode and waits until it is ready. */
export async function startBenchService(name: string, options: BenchServiceOptions): Promise<RunningService> {
  const database = await createTestDatabase(`bench_${name}`);
  const port = await freePort();
  const child = spawnTypeScript(`services/${name}/src/main.ts`, [], {
    env: {
      ...process.env,
      ...options.env,
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      PORT: String(port),
      KAFKA_BROKERS: options.brokers.join(','),
      [`${name.toUpperCase()}_DATABASE_URL`]: database.url,
      KAFKA_TOPIC_PREFIX: options.topicPrefix,
      WAYBILL_API_KEYS: options.apiKeys,
      RATE_LIMIT_PER_MINUTE: '1000000',
    },
    nodeArgs: options.profileDir
      ? [
          '--cpu-prof',
          `--cpu-prof-dir=${options.profileDir}`,
          '-r',
          join(__dirname, 'exit-after-shutdown.js'),
        ]
      : [],
  });
  const service: RunningService = { name, url: `http://127.0.0.1:${port}`, child, database, output: '' };
  child.stdout?.on('data', (chunk: Buffer) => (service.output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (service.output += chunk.toString()));
  await waitFor(
    async () => (await fetch(`${service.url}/health/ready`).catch(() => undefined))?.status === 200,
    { timeoutMs: 90_000, intervalMs: 250, description: `${name} ready` },
  ).catch((error: Error) => {
    throw new Error(`${error.message}\n${service.output}`);
  });
  return service;
}

export async function stopBenchService(service: RunningService): Promise<void> {
  const exited = new Promise((resolve) => service.child.once('exit', resolve));
  service.child.kill('SIGTERM');
  await exited;
  await service.database.drop();
}

/** user + system CPU a process has used, in ms (Linux /proc; clock ticks are 10 ms here). */
export function cpuMsOf(pid: number | undefined): number {
  if (pid === undefined) {
    return Number.NaN;
  }
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  // utime and stime are fields 14 and 15 of stat, 12 and 13 after the command name.
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Busy CPU of the whole machine, in ms, from /proc/stat (everything but idle and iowait). */
export function machineBusyMs(): number {
  const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  const values = ticks.map(Number);
  const total = values.reduce((a, b) => a + b, 0);
  return (total - values[3] - values[4]) * 10;
}

/** The value below which p % of `sorted` lie (nearest rank, as every figure in BENCHMARKS.md). */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/** The line every figure in BENCHMARKS.md carries. */
export function machineLine(): string {
  return `${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, Kafka 3.9.1 (1 broker, KRaft), PostgreSQL local`;
}

/** A storefront's key and the admin key for one run, and the `WAYBILL_API_KEYS` JSON that trusts them. */
export function benchApiKeys(): { storefrontKey: string; adminKey: string; apiKeys: string } {
  const storefrontKey = `bench_${randomBytes(16).toString('hex')}`;
  const adminKey = `bench_${randomBytes(16).toString('hex')}`;
  const apiKeys = JSON.stringify([
    {
      sha256: sha256Hex(storefrontKey),
      principal: 'storefront/bench',
      scopes: ['orders:write', 'orders:read'],
    },
    { sha256: sha256Hex(adminKey), principal: 'admin', scopes: [] },
  ]);
  return { storefrontKey, adminKey, apiKeys };
}

/** Puts so much stock on every SKU that no order of a run is ever short. */
export async function seedBenchStock(
  inventoryUrl: string,
  adminKey: string,
  skus: readonly string[],
): Promise<void> {
  for (const sku of skus) {
    const response = await fetch(`${inventoryUrl}/v1/stock/${sku}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ onHand: 1_000_000 }),
    });
    if (!response.ok) {
      throw new Error(`PUT stock answered ${response.status}: ${await response.text()}`);
    }
  }
}

/** Calls `send` `count` times with at most `concurrency` calls in flight; the results, in the order they came. */
export async function inFlight<T>(concurrency: number, count: number, send: () => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  let issued = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (issued < count) {
        issued += 1;
        results.push(await send());
      }
    }),
  );
  return results;
}
