import { DataSource } from 'typeorm';

/** Where a consumer group is on one partition. */
export interface PartitionAt {
  readonly consumer: string;
  readonly topic: string;
  readonly partition: number;
}

/**
 * Attempts that outlive the process (the `consumer_attempts` table). Failures a handler throws
 * are counted in memory and retried in place; a handler that kills the process leaves nothing in
 * memory, so before a batch is worked on its offset range is written here, and a range found
 * still here when the partition is fetched again was cut short by the process dying.
 *
 * Then the batch is worked one message at a time, each written here first with how many starts
 * it has had: a message that has started `maxAttempts` times without finishing goes to the DLQ.
 * A finished batch needs no write: the next batch begins past its range. Costs one statement per
 * batch in normal running.
 */
export class ConsumerAttempts {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Writes [first, last] as in progress; answers whether an earlier range of this partition that
   * reaches `first` was left unfinished.
   */
  async beginBatch(at: PartitionAt, first: string, last: string): Promise<boolean> {
    const rows = await this.dataSource.query<{ unfinished: boolean | null }[]>(
      `WITH previous AS (
         SELECT last_offset FROM consumer_attempts WHERE consumer = $1 AND topic = $2 AND partition = $3
       ), saved AS (
         INSERT INTO consumer_attempts (consumer, topic, partition, first_offset, last_offset, starts)
         VALUES ($1, $2, $3, $4, $5, 1)
         ON CONFLICT (consumer, topic, partition) DO UPDATE
           SET first_offset = excluded.first_offset, last_offset = excluded.last_offset, starts = 1,
               updated_at = now()
           -- An unfinished range stays as it is: its message-by-message starts are being counted.
           WHERE consumer_attempts.last_offset < excluded.first_offset
       )
       SELECT (SELECT last_offset FROM previous) >= $4::bigint AS unfinished`,
      [at.consumer, at.topic, at.partition, first, last],
    );
    return rows[0]?.unfinished === true;
  }

  /** Writes one message as in progress; answers how many times it has started (this one included). */
  async beginMessage(at: PartitionAt, offset: string): Promise<number> {
    const rows = await this.dataSource.query<{ starts: number }[]>(
      `INSERT INTO consumer_attempts (consumer, topic, partition, first_offset, last_offset, starts)
       VALUES ($1, $2, $3, $4, $4, 1)
       ON CONFLICT (consumer, topic, partition) DO UPDATE
         SET starts = CASE WHEN consumer_attempts.first_offset = excluded.first_offset
                            AND consumer_attempts.last_offset = excluded.first_offset
                           THEN consumer_attempts.starts + 1 ELSE 1 END,
             first_offset = excluded.first_offset, last_offset = excluded.first_offset, updated_at = now()
       RETURNING starts`,
      [at.consumer, at.topic, at.partition, offset],
    );
    return rows[0]?.starts ?? 1;
  }

  /**
   * The batch ended early with the process alive (shutdown, rebalance, an error thrown): nothing
   * in [first, last] is left in progress by a death. Only this range, in case another member has
   * written its own since.
   */
  async abandon(at: PartitionAt, first: string, last: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE consumer_attempts SET last_offset = -1, updated_at = now()
        WHERE consumer = $1 AND topic = $2 AND partition = $3
          AND first_offset >= $4::bigint AND last_offset <= $5::bigint`,
      [at.consumer, at.topic, at.partition, first, last],
    );
  }
}
