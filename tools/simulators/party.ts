import type { Logger } from '../local-infra/common';

/** A simulated outside party as `npm start` runs it: the settings that point a service at it, and a way to stop. */
export interface PartySimulator {
  /** Environment for the service that calls this party (its API base, keys, webhook secrets). */
  readonly env: Readonly<Record<string, string>>;
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
