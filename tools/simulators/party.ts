/** A simulated outside party as `npm start` runs it: the settings that point a service at it, and a way to stop. */
export interface PartySimulator {
  /** Environment for the service that calls this party (its API base, keys, webhook secrets). */
  readonly env: Readonly<Record<string, string>>;
  /** Stops sending (pending webhooks are dropped) and closes its server. */
  stop(): Promise<void>;
}
