import { EntityManager } from 'typeorm';

/**
 * The idempotent consumer's memory: a row per (consumer, event id), written in the same
 * transaction as the effect. A second delivery of the same event finds the row and does nothing.
 */
export async function claimInboxEntry(
  manager: EntityManager,
  consumer: string,
  eventId: string,
  eventType: string,
): Promise<boolean> {
  const rows: unknown[] = await manager.query(
    `INSERT INTO inbox (consumer, event_id, event_type) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING 1`,
    [consumer, eventId, eventType],
  );
  return rows.length === 1;
}
