import type { Logger } from '@waybill/local-infra';

/** A simulated outside party as `npm start` runs it: the settings that point a service at it, and a way to stop. */
export interface PartySimulator {
  /** Environment for the service that calls this party (its API base, keys, webhook secrets). */
  readonly env: Readonly<Record<string, string>>;
  /** The payment providers it plays, for the storefront to pay with. */
  readonly providers?: readonly string[];
  /** Stops sending (pending webhooks are dropped) and closes its server. */
  stop(): Promise<void>;
}

/** What every simulated party is told: the Waybill service it talks to, and where to log. */
export interface PartyOptions {
  /** Base URL of that service: its webhooks go there. */
  readonly serviceUrl: string;
  readonly log: Logger;
}

/** A party that acts over time (a parcel's journey, a supplier's answers): one step every `stepMs`. */
export interface PacedPartyOptions extends PartyOptions {
  readonly stepMs: number;
}

/** Three tries a second apart: enough for a local demo whose service may be busy or restarting. */
const WEBHOOK_ATTEMPTS = 3;
const WEBHOOK_RETRY_MS = 1000;

/**
 * Posts a signed webhook as a real party does: a timeout per try and a few tries, the same bytes
 * and signature each time (the receiver's inbox recognises a repeat). Returns the last status, or
 * undefined when no answer came.
 */
export async function deliverWebhook(
  url: string,
  message: { readonly rawBody: string | Buffer; readonly headers: Readonly<Record<string, string>> },
  options: { readonly what: string; readonly log: Logger; readonly stopped: () => boolean },
): Promise<number | undefined> {
  let status: number | undefined;
  for (let attempt = 1; attempt <= WEBHOOK_ATTEMPTS && !options.stopped(); attempt++) {
    if (attempt > 1) {
      await new Promise((resolve) => setTimeout(resolve, WEBHOOK_RETRY_MS));
    }
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: message.headers,
        body: message.rawBody,
        signal: AbortSignal.timeout(15_000),
      });
      status = response.status;
      options.log(`${options.what} → ${status}`);
      if (response.ok) {
        return status;
      }
    } catch (error) {
      options.log(`${options.what} failed: ${(error as Error).message}`);
    }
  }
  return status;
}

/** Runs steps `stepMs` apart, and forgets the pending ones on stop. */
export class Pacer {
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(private readonly stepMs: number) {}

  get isStopped(): boolean {
    return this.stopped;
  }

  /** Runs `step` one step from now (not at all once stopped). */
  later(step: () => Promise<void> | void): void {
    if (this.stopped) {
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void step();
    }, this.stepMs);
    this.timers.add(timer);
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) {
      clearTimeout(timer);
    }
  }
}
