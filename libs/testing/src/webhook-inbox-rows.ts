import type { UseCaseHarness } from './use-case-harness';
import { waitFor } from './wait-for';

/** One delivery in `webhook_inbox`, as the use-case tier asserts on it. */
export interface StoredWebhookRow {
  readonly id: string;
  readonly processed_at: Date | null;
  readonly attempts: number;
  readonly headers: Record<string, string>;
}

/** The stored rows of one delivery (source, external id): none when it was refused or never stored. */
export function storedWebhookRows(
  harness: UseCaseHarness,
  source: string,
  externalId: string,
): Promise<StoredWebhookRow[]> {
  return harness.query<StoredWebhookRow>(
    `SELECT id::text AS id, processed_at, attempts, headers FROM webhook_inbox
      WHERE source = $1 AND external_id = $2`,
    [source, externalId],
  );
}

/**
 * Waits until the inbox worker has applied the delivery `attempts` times (1: once; 2: once more
 * after an operator's replay). The worker runs in the harness's application, woken by the store.
 */
export async function webhookApplied(
  harness: UseCaseHarness,
  source: string,
  externalId: string,
  attempts = 1,
): Promise<void> {
  await waitFor(
    async () =>
      (await storedWebhookRows(harness, source, externalId)).some(
        (row) => row.processed_at !== null && row.attempts >= attempts,
      ),
    { timeoutMs: 30_000, description: `${source} webhook ${externalId} to be applied ${attempts}×` },
  );
}
