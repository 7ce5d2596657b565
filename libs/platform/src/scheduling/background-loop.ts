import { Logger } from '@nestjs/common';

/**
 * Background work for a Nest provider: `work` runs once per `intervalMs` after the previous run
 * finished (runs never overlap within an instance; across instances the work itself uses SKIP
 * LOCKED), and `kick()` asks for a run now — or right after the one in progress, so work that
 * arrives mid-run is not left for the next interval. `stop()` waits for the run in progress: call
 * it before application shutdown, since a run holds pooled connections and the pool closes then.
 */
export class BackgroundLoop {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  private stopped = true;

  constructor(
    private readonly name: string,
    private readonly intervalMs: number,
    private readonly work: (shouldContinue: () => boolean) => Promise<void>,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  kick(): void {
    if (this.stopped) {
      return;
    }
    if (this.running) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.running = this.runOnce().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        this.kick();
      } else {
        this.schedule();
      }
    });
  }

  /** One run now; failures are logged, never thrown (the next run tries again). */
  async runOnce(): Promise<void> {
    try {
      await this.work(() => !this.stopped);
    } catch (error) {
      this.logger.error(`${this.name} failed: ${(error as Error).message}`);
    }
  }

  private schedule(): void {
    if (this.stopped) {
      return;
    }
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.kick(), this.intervalMs);
  }
}
