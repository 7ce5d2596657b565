export interface WaitForOptions {
  /** Give up after this long. Default 10 s. */
  timeoutMs?: number;
  /** Pause between attempts. Default 100 ms. */
  intervalMs?: number;
  /** What is awaited, for the timeout message ("the order to be CONFIRMED"). */
  description?: string;
}

/**
 * Polls `predicate` until it returns a truthy value, and resolves with that value. A predicate
 * that throws counts as "not yet"; on timeout the error names what was awaited and the last
 * error or value seen.
 */
export async function waitFor<T>(
  predicate: () => T | Promise<T>,
  options: WaitForOptions = {},
): Promise<NonNullable<T>> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const intervalMs = options.intervalMs ?? 100;
  const description = options.description ?? 'a condition';
  const started = Date.now();
  let attempts = 0;
  let last: { error: unknown } | { value: unknown } | undefined;
  for (;;) {
    attempts++;
    try {
      const value = await predicate();
      if (value) {
        return value;
      }
      last = { value };
    } catch (error) {
      last = { error };
    }
    const elapsed = Date.now() - started;
    if (elapsed >= timeoutMs) {
      const detail =
        last === undefined
          ? ''
          : 'error' in last
            ? `; last error: ${last.error instanceof Error ? last.error.message : String(last.error)}`
            : `; last value: ${describeValue(last.value)}`;
      throw new Error(
        `Timed out after ${timeoutMs} ms waiting for ${description} (${attempts} attempts${detail})`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(intervalMs, timeoutMs - elapsed)));
  }
}

function describeValue(value: unknown): string {
  try {
    const text = JSON.stringify(value);
    return text === undefined ? String(value) : text.length > 200 ? `${text.slice(0, 200)}…` : text;
  } catch {
    return String(value);
  }
}
