import { ContractViolation, EnvelopeError } from '@waybill/contracts';

/** Thrown by a handler when retrying cannot help (the event contradicts our state for good). */
export class PermanentEventError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'PermanentEventError';
  }
}

export interface RetryPolicy {
  /** Handler attempts before the message goes to the DLQ (default 5). */
  readonly maxAttempts: number;
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 5,
  initialBackoffMs: 200,
  maxBackoffMs: 5000,
};

/** Exponential backoff with full jitter, so retries of many partitions do not move in step. */
export function backoffMs(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxBackoffMs, policy.initialBackoffMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

const PG_UNAVAILABLE = new Set([
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  '53300',
]);
const NET_UNAVAILABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
]);

/**
 * The service's own database is down or unreachable. Not the message's fault: the consumer
 * waits and retries without counting attempts, instead of dead-lettering every message it sees.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && (PG_UNAVAILABLE.has(code) || NET_UNAVAILABLE.has(code))) {
    return true;
  }
  return (
    typeof message === 'string' &&
    /Connection terminated|not queryable|Client has encountered a connection error|timeout exceeded when trying to connect/i.test(
      message,
    )
  );
}

export type FailureVerdict =
  | { readonly action: 'dead-letter'; readonly reason: string }
  | { readonly action: 'retry'; readonly counts: boolean };

/** Decides what a failed attempt leads to. Pure, so the rules are unit-tested. */
export function judgeFailure(error: unknown, attempt: number, policy: RetryPolicy): FailureVerdict {
  if (error instanceof EnvelopeError || error instanceof ContractViolation) {
    return { action: 'dead-letter', reason: error.code };
  }
  if (error instanceof PermanentEventError) {
    return { action: 'dead-letter', reason: error.code };
  }
  if (isDatabaseUnavailable(error)) {
    return { action: 'retry', counts: false };
  }
  if (attempt >= policy.maxAttempts) {
    return { action: 'dead-letter', reason: 'HANDLER.RETRIES_EXHAUSTED' };
  }
  return { action: 'retry', counts: true };
}
