/**
 * Finds (or makes) a PostgreSQL server for local runs and tests, without Docker:
 *   1. `DATABASE_URL` when set;
 *   2. else a server answering on 127.0.0.1:5432 as user postgres, database postgres;
 *   3. else a private cluster made with initdb (trust auth on 127.0.0.1, port 55432), started with
 *      pg_ctl as a non-root user (PostgreSQL refuses to run as root).
 * Plus helpers to create and drop databases.
 */
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { Client } from 'pg';
import {
  errorMessage,
  runCommand,
  stderrLogger,
  tailFile,
  waybillCacheDir,
  withDirLock,
  type Logger,
} from './common';

export const DEFAULT_LOCAL_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
export const PRIVATE_POSTGRES_PORT = 55432;

export type PostgresSource = 'env' | 'local' | 'private';

export interface ResolvedPostgres {
  /** Connection URL with rights to create databases (the "postgres" database). */
  adminUrl: string;
  source: PostgresSource;
  /** True when this call started the private cluster: the caller should `stop()` it when done. */
  startedByUs: boolean;
  /** Private cluster data directory (source "private" only). */
  dataDir?: string;
  /** Stops the private cluster if this call started it; otherwise does nothing. */
  stop(): Promise<void>;
}

export interface ResolvePostgresOptions {
  /** Environment to read DATABASE_URL from. Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Try 127.0.0.1:5432 before making a private cluster. Default true. */
  probeDefault?: boolean;
  defaultUrl?: string;
  privatePort?: number;
  /** Where the private cluster lives. Default $WAYBILL_PG_DIR, else see `privatePostgresDir()`. */
  privateDir?: string;
  log?: Logger;
}

/** True when a PostgreSQL server accepts this URL within `timeoutMs`. */
export async function postgresAnswers(url: string, timeoutMs = 2000): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/**
 * Default home of the private cluster. As root it cannot live under ~/.cache (root's home is not
 * readable by the postgres user), so it goes to /var/tmp/waybill/postgres.
 */
export function privatePostgresDir(): string {
  const fromEnv = process.env.WAYBILL_PG_DIR;
  if (fromEnv && fromEnv.trim() !== '') {
    return path.resolve(fromEnv);
  }
  return isRoot() ? path.join('/var/tmp', 'waybill', 'postgres') : path.join(waybillCacheDir(), 'postgres');
}

/** The non-root account PostgreSQL runs as when we are root. */
async function runAsUser(): Promise<string | undefined> {
  if (!isRoot()) {
    return undefined;
  }
  for (const user of ['postgres', 'nobody']) {
    const result = await runCommand('id', ['-u', user]).catch(() => undefined);
    if (result?.code === 0) {
      return user;
    }
  }
  throw new Error('running as root and no "postgres" (or "nobody") user to run PostgreSQL as');
}

async function runPgTool(user: string | undefined, tool: string, args: string[], cwd: string) {
  const [command, fullArgs] = user ? ['runuser', ['-u', user, '--', tool, ...args]] : [tool, args];
  return runCommand(command, fullArgs, { cwd, timeoutMs: 120_000 }).catch((error: unknown) => {
    throw new Error(`${errorMessage(error)} — a private PostgreSQL needs initdb and pg_ctl on PATH`);
  });
}

interface PrivateCluster {
  dir: string;
  dataDir: string;
  logFile: string;
  port: number;
  user: string | undefined;
}

async function privateCluster(options: ResolvePostgresOptions): Promise<PrivateCluster> {
  const dir = path.resolve(options.privateDir ?? privatePostgresDir());
  return {
    dir,
    dataDir: path.join(dir, 'data'),
    logFile: path.join(dir, 'postgres.log'),
    port: options.privatePort ?? PRIVATE_POSTGRES_PORT,
    user: await runAsUser(),
  };
}

function privateUrl(port: number): string {
  return `postgres://postgres@127.0.0.1:${port}/postgres`;
}

/** Makes (initdb) and starts the private cluster unless it already answers. Returns true if it started it. */
export async function startPrivatePostgres(options: ResolvePostgresOptions = {}): Promise<boolean> {
  const cluster = await privateCluster(options);
  const log = options.log ?? stderrLogger;
  const url = privateUrl(cluster.port);
  if (await postgresAnswers(url)) {
    return false;
  }
  await fsp.mkdir(cluster.dir, { recursive: true });
  return withDirLock(
    `${cluster.dir}.lock`,
    async () => {
      if (await postgresAnswers(url)) {
        return false;
      }
      if (cluster.user) {
        await runCommand('chown', ['-R', `${cluster.user}:`, cluster.dir]);
      }
      if (!fs.existsSync(path.join(cluster.dataDir, 'PG_VERSION'))) {
        log(`Creating a private PostgreSQL cluster in ${cluster.dataDir}…`);
        await fsp.rm(cluster.dataDir, { recursive: true, force: true });
        const init = await runPgTool(
          cluster.user,
          'initdb',
          ['-D', cluster.dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C'],
          cluster.dir,
        );
        if (init.code !== 0) {
          throw new Error(`initdb failed (exit ${init.code}):\n${init.stdout}${init.stderr}`);
        }
      }
      log(`Starting the private PostgreSQL on 127.0.0.1:${cluster.port}…`);
      const start = await runPgTool(
        cluster.user,
        'pg_ctl',
        [
          '-D',
          cluster.dataDir,
          '-l',
          cluster.logFile,
          '-w',
          '-t',
          '60',
          '-o',
          `-p ${cluster.port} -c listen_addresses=127.0.0.1 -k ${cluster.dir}`,
          'start',
        ],
        cluster.dir,
      );
      if (start.code !== 0 || !(await postgresAnswers(url, 5000))) {
        throw new Error(
          `pg_ctl start failed (exit ${start.code}):\n${start.stdout}${start.stderr}\n${tailFile(cluster.logFile, 20)}`,
        );
      }
      return true;
    },
    { staleMs: 5 * 60_000, description: 'another process is starting the private PostgreSQL' },
  );
}

/** Stops the private cluster (pg_ctl stop -m fast). Returns false when it was not running. */
export async function stopPrivatePostgres(options: ResolvePostgresOptions = {}): Promise<boolean> {
  const cluster = await privateCluster(options);
  if (!fs.existsSync(path.join(cluster.dataDir, 'postmaster.pid'))) {
    return false;
  }
  const result = await runPgTool(
    cluster.user,
    'pg_ctl',
    ['-D', cluster.dataDir, '-m', 'fast', '-w', 'stop'],
    cluster.dir,
  );
  if (result.code !== 0) {
    if (!(await postgresAnswers(privateUrl(cluster.port), 1000))) {
      return false;
    }
    throw new Error(`pg_ctl stop failed (exit ${result.code}):\n${result.stdout}${result.stderr}`);
  }
  return true;
}

/** Finds the PostgreSQL to use (see the file comment); starts the private cluster only if needed. */
export async function resolvePostgres(options: ResolvePostgresOptions = {}): Promise<ResolvedPostgres> {
  const env = options.env ?? process.env;
  const fromEnv = env.DATABASE_URL;
  const noop = async (): Promise<void> => undefined;
  if (fromEnv && fromEnv.trim() !== '') {
    return { adminUrl: fromEnv, source: 'env', startedByUs: false, stop: noop };
  }
  const defaultUrl = options.defaultUrl ?? DEFAULT_LOCAL_POSTGRES_URL;
  if ((options.probeDefault ?? true) && (await postgresAnswers(defaultUrl))) {
    return { adminUrl: defaultUrl, source: 'local', startedByUs: false, stop: noop };
  }
  const cluster = await privateCluster(options);
  const startedByUs = await startPrivatePostgres(options);
  return {
    adminUrl: privateUrl(cluster.port),
    source: 'private',
    startedByUs,
    dataDir: cluster.dataDir,
    stop: startedByUs ? async () => void (await stopPrivatePostgres(options)) : noop,
  };
}

function quoteIdentifier(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_$-]{0,62}$/.test(name)) {
    throw new Error(`invalid database name ${JSON.stringify(name)}`);
  }
  return `"${name}"`;
}

async function withClient<T>(url: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Creates the database unless it exists. Safe when several processes race: PostgreSQL reports a
 * concurrent creation as duplicate_database (42P04) or a unique violation on pg_database (23505).
 * Returns true when this call created it.
 */
export async function ensureDatabase(adminUrl: string, name: string): Promise<boolean> {
  const quoted = quoteIdentifier(name);
  return withClient(adminUrl, async (client) => {
    const existing = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (existing.rowCount) {
      return false;
    }
    try {
      await client.query(`CREATE DATABASE ${quoted}`);
      return true;
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === '42P04' || code === '23505') {
        return false;
      }
      throw error;
    }
  });
}

/** Drops the database if it exists, disconnecting its sessions (`WITH (FORCE)`, PostgreSQL 13+). */
export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  const quoted = quoteIdentifier(name);
  await withClient(adminUrl, async (client) => {
    await client.query(`DROP DATABASE IF EXISTS ${quoted} WITH (FORCE)`);
  });
}

/** The same server and credentials as `adminUrl`, on database `name`. */
export function databaseUrl(adminUrl: string, name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${encodeURIComponent(name)}`;
  return url.toString();
}
