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

/**
 * Claims several events at once; returns the ids that were new. An id listed twice is claimed
 * once (the caller applies its first copy only).
 */
export async function claimInboxEntries(
  manager: EntityManager,
  consumer: string,
  events: readonly { readonly id: string; readonly type: string }[],
): Promise<Set<string>> {
  const rows: { event_id: string }[] = await manager.query(
    `INSERT INTO inbox (consumer, event_id, event_type)
     SELECT $1, e.id, e.type FROM unnest($2::uuid[], $3::text[]) AS e(id, type)
     ON CONFLICT DO NOTHING RETURNING event_id`,
    [consumer, events.map((event) => event.id), events.map((event) => event.type)],
  );
  return new Set(rows.map((row) => row.event_id));
}
