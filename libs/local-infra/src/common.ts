/**
 * Small helpers shared by the local Kafka and PostgreSQL runtimes: the cache directory, a
 * cross-process lock, child-process execution, TCP probes and log tails.
 */
import { spawn, type SpawnOptions } from 'node:child_process';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

/** Repository root (this file lives in libs/local-infra/src). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

/** Where downloads and local clusters live: `$WAYBILL_CACHE_DIR`, else `~/.cache/waybill` (outside git). */
export function waybillCacheDir(): string {
  const fromEnv = process.env.WAYBILL_CACHE_DIR;
  return fromEnv && fromEnv.trim() !== ''
    ? path.resolve(fromEnv)
    : path.join(os.homedir(), '.cache', 'waybill');
}

export type Logger = (line: string) => void;

export const stderrLogger: Logger = (line) => process.stderr.write(`${line}\n`);

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** True when something accepts TCP connections on host:port within timeoutMs. */
export function canConnect(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean): void => {
      socket.removeAllListeners();
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** The last `lines` lines of a (possibly large) text file; '' when it does not exist. */
export function tailFile(file: string, lines = 30, maxBytes = 16 * 1024): string {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'r');
    const size = fs.fstatSync(fd).size;
    const length = Math.min(size, maxBytes);
    const buffer = Buffer.alloc(length);
    fs.readSync(fd, buffer, 0, length, size - length);
    return buffer
      .toString('utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .slice(-lines)
      .join('\n');
  } catch {
    return '';
  } finally {
    if (fd !== undefined) {
      fs.closeSync(fd);
    }
  }
}

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion, capturing its output (never throws for a non-zero exit). */
export function runCommand(
  command: string,
  args: readonly string[],
  options: Pick<SpawnOptions, 'cwd' | 'env'> & { timeoutMs?: number } = {},
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer =
      options.timeoutMs !== undefined
        ? setTimeout(() => {
            stderr += `\n[killed after ${options.timeoutMs} ms]`;
            child.kill('SIGKILL');
          }, options.timeoutMs)
        : undefined;
    child.once('error', (error) => {
      if (timer) {
        clearTimeout(timer);
      }
      reject(new Error(`cannot run ${command}: ${error.message}`));
    });
    child.once('close', (code, signal) => {
      if (timer) {
        clearTimeout(timer);
      }
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
  });
}

/** True when a process with this pid exists (and is not a zombie). */
export function pidExists(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) {
    return false;
  }
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  if (!fs.existsSync('/proc/self/stat')) {
    return true;
  } // not Linux: kill(0) is all we have
  // A zombie has exited but was not reaped yet. Careful with multi-threaded processes (a JVM): the
  // main thread can be a zombie while other threads still run and hold the sockets open, so the
  // process is gone only when no thread is left but a zombie main thread.
  try {
    const tasks = fs.readdirSync(`/proc/${pid}/task`);
    return tasks.some((tid) => threadState(pid, tid) !== 'Z');
  } catch {
    return false; // vanished while looking
  }
}

function threadState(pid: number, tid: string): string | undefined {
  try {
    // ".../stat": "tid (comm) S ..." — the state follows the last ')'.
    const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    const end = stat.lastIndexOf(')');
    return stat.slice(end + 2, end + 3);
  } catch {
    return 'Z'; // thread gone
  }
}

/** The command line of a live process, or undefined when unknown (dead, or no /proc). */
export function processCommandLine(pid: number): string[] | undefined {
  try {
    return fs
      .readFileSync(`/proc/${pid}/cmdline`, 'utf8')
      .split('\0')
      .filter((part) => part !== '');
  } catch {
    return undefined;
  }
}

/**
 * Runs `fn` while holding a lock shared by every process on this machine (an atomic mkdir).
 * A lock whose owner died, or older than `staleMs`, is taken over.
 */
export async function withDirLock<T>(
  lockDir: string,
  fn: () => Promise<T>,
  options: { staleMs?: number; waitMs?: number; description?: string } = {},
): Promise<T> {
  const staleMs = options.staleMs ?? 15 * 60_000;
  const deadline = Date.now() + (options.waitMs ?? 15 * 60_000);
  await fsp.mkdir(path.dirname(lockDir), { recursive: true });
  for (;;) {
    try {
      await fsp.mkdir(lockDir);
      await fsp.writeFile(path.join(lockDir, 'owner'), `${process.pid}\n`);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw error;
      }
      const ownerPid = Number.parseInt(
        await fsp.readFile(path.join(lockDir, 'owner'), 'utf8').catch(() => ''),
        10,
      );
      const age = await fsp
        .stat(lockDir)
        .then((s) => Date.now() - s.mtimeMs)
        .catch(() => 0);
      const ownerGone = Number.isInteger(ownerPid) ? !pidExists(ownerPid) : age > 10_000;
      if (ownerGone || age > staleMs) {
        await fsp.rm(lockDir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new Error(
          `timed out waiting for the lock ${lockDir} (${options.description ?? 'held by pid ' + ownerPid})`,
        );
      }
      await sleep(250);
    }
  }
  try {
    return await fn();
  } finally {
    await fsp.rm(lockDir, { recursive: true, force: true });
  }
}

/**
 * Runs a TypeScript entry point (a service's main.ts, a test's child script) in its own Node
 * process, with the repo's path aliases, as `npm start` and the tests do.
 */
export function spawnTypeScript(
  file: string,
  args: readonly string[] = [],
  options: Pick<SpawnOptions, 'env' | 'stdio'> & { readonly nodeArgs?: readonly string[] } = {},
): ReturnType<typeof spawn> {
  return spawn(
    process.execPath,
    [
      // e.g. WAYBILL_CHILD_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the services a
      // benchmark starts (Node refuses --cpu-prof in NODE_OPTIONS); nodeArgs for one child only.
      ...(process.env.WAYBILL_CHILD_NODE_ARGS?.split(/\s+/).filter(Boolean) ?? []),
      ...(options.nodeArgs ?? []),
      '-r',
      'ts-node/register/transpile-only',
      '-r',
      'tsconfig-paths/register',
      file,
      ...args,
    ],
    {
      cwd: REPO_ROOT,
      stdio: options.stdio ?? 'pipe',
      env: { ...(options.env ?? process.env), TS_NODE_PROJECT: path.join(REPO_ROOT, 'tsconfig.json') },
    },
  );
}
