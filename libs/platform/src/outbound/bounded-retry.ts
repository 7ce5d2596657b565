/**
 * Bounded retries for calls to outside parties (payment providers, carriers). Only failures that
 * leave the outcome unknown and may pass (network errors, timeouts, 5xx) are retried, always with
 * the same idempotency key, so the other side replays rather than repeats. A 4xx is an answer and
 * is never retried.
 */
export interface RetryOptions {
  readonly attempts: number;
  readonly initialBackoffMs: number;
}

/** The other side did not answer in time. */
export class ProviderTimeoutError extends Error {
  constructor(message = 'the provider did not answer in time') {
    super(message);
    this.name = 'ProviderTimeoutError';
  }
}

/** No usable answer: connection refused/reset, or a 5xx. */
export class ProviderUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProviderUnavailableError';
  }
}

export type RetryFailure = {
  readonly kind: 'timed-out' | 'unavailable';
  readonly message: string;
  readonly attempts: number;
};

export async function withBoundedRetries<T>(
  options: RetryOptions,
  call: (attempt: number) => Promise<T>,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
): Promise<{ readonly ok: true; readonly value: T } | ({ readonly ok: false } & RetryFailure)> {
  let last: RetryFailure = { kind: 'unavailable', message: 'not attempted', attempts: 0 };
  for (let attempt = 1; attempt <= options.attempts; attempt++) {
    try {
      return { ok: true, value: await call(attempt) };
    } catch (error) {
      if (error instanceof ProviderTimeoutError) {
        last = { kind: 'timed-out', message: error.message, attempts: attempt };
      } else if (error instanceof ProviderUnavailableError) {
        last = { kind: 'unavailable', message: error.message, attempts: attempt };
      } else {
        throw error;
      }
      if (attempt < options.attempts) {
        await sleep(options.initialBackoffMs * 2 ** (attempt - 1));
      }
    }
  }
  return { ok: false, ...last };
}
