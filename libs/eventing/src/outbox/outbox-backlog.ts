import type { SqlQueryable } from '../persistence/query-rows';

export interface OutboxBacklog {
  /** Rows Kafka has not acknowledged yet. */
  readonly pending: number;
  /** Age of the oldest of them in whole seconds; 0 when there are none. */
  readonly oldestAgeSeconds: number;
}

/** What readiness and the metrics both report about the outbox. */
export async function readOutboxBacklog(db: SqlQueryable): Promise<OutboxBacklog> {
  const rows = (await db.query(
    `SELECT count(*) AS pending, extract(epoch FROM now() - min(created_at))::float8 AS oldest_age_seconds
       FROM outbox_pending`,
  )) as { pending: string; oldest_age_seconds: number | null }[];
  return {
    pending: Number(rows[0].pending),
    oldestAgeSeconds: Math.round(rows[0].oldest_age_seconds ?? 0),
  };
}
