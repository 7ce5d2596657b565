export interface ConfigIssue {
  /** The environment variable, e.g. `DATABASE_URL`. */
  readonly variable: string;
  /** Why it was rejected; never contains the value of a `@Secret()` property. */
  readonly reason: string;
}

/** Thrown by `loadConfig`: every offending variable at once, so one restart fixes them all. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(
    readonly schema: string,
    readonly issues: readonly ConfigIssue[],
  ) {
    super(
      [
        `invalid configuration for ${schema}:`,
        ...issues.map(({ variable, reason }) => `  - ${variable}: ${reason}`),
      ].join('\n'),
    );
  }
}
