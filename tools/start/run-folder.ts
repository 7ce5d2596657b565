/**
 * One folder per `npm start` under `<WAYBILL_HOME>/runs/<timestamp>/`: every service's and every
 * simulator's log, the pids of the processes it started (`pids.json`) and, after Ctrl-C,
 * `summary.json`; `platform-tracking.jsonl`, the parcels the simulated storefront platforms were told
 * about, one per line as each platform recorded it. Logs go here rather than to the terminal, which shows the status block instead.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Logger } from '@waybill/local-infra';

export interface StartedProcess {
  readonly name: string;
  readonly pid: number;
}

export class RunFolder {
  private readonly streams: fs.WriteStream[] = [];

  private constructor(readonly dir: string) {}

  static create(home: string, now = new Date()): RunFolder {
    const dir = path.join(home, 'runs', now.toISOString().replace(/[:.]/g, '-'));
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    return new RunFolder(dir);
  }

  file(name: string): string {
    return path.join(this.dir, name);
  }

  /** A file descriptor a child process writes its stdout and stderr to (close it after spawning). */
  openForChild(name: string): number {
    return fs.openSync(this.file(name), 'a', 0o600);
  }

  /** A logger that appends timestamped lines to `<name>`. */
  logger(name: string): Logger {
    const stream = fs.createWriteStream(this.file(name), { flags: 'a', mode: 0o600 });
    this.streams.push(stream);
    return (line) => stream.write(`${new Date().toISOString()} ${line}\n`);
  }

  /** Rewritten whenever a process starts, so it is complete even if `npm start` is killed. */
  recordPids(processes: readonly StartedProcess[]): void {
    this.writeJson('pids.json', processes);
  }

  writeJson(name: string, value: unknown): void {
    fs.writeFileSync(this.file(name), `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
  }

  /** One JSON value per line, appended: a record that grows while the run goes on (jsonl). */
  appendJsonLine(name: string, value: unknown): void {
    fs.appendFileSync(this.file(name), `${JSON.stringify(value)}\n`, { mode: 0o600 });
  }

  async close(): Promise<void> {
    await Promise.all(
      this.streams.map((stream) => new Promise<void>((resolve) => stream.end(() => resolve()))),
    );
  }
}
