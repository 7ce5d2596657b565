import { Injectable } from '@nestjs/common';
import { queryRows, SqlQueryable } from '@waybill/eventing';

/** The pg_notify channel an operator's "poll now" wakes the poller on. */
export const POLL_CHANNEL = 'waybill_channel_polls';

export interface PollState {
  readonly connectionId: string;
  /** The newest platform modification time taken in; the next poll starts a little before it. */
  readonly watermark: Date | null;
  readonly lastRunAt: Date | null;
  readonly lastOutcome: string | null;
  readonly lastError: string | null;
  readonly ordersFound: number;
  readonly ordersTakenIn: number;
  readonly nextRunAt: Date;
}

interface Row {
  connection_id: string;
  watermark: Date | null;
  last_run_at: Date | null;
  last_outcome: string | null;
  last_error: string | null;
  orders_found: number;
  orders_taken_in: number;
  next_run_at: Date;
}

const COLUMNS = `connection_id, watermark, last_run_at, last_outcome, last_error, orders_found, orders_taken_in, next_run_at`;

function toState(row: Row): PollState {
  return {
    connectionId: row.connection_id,
    watermark: row.watermark,
    lastRunAt: row.last_run_at,
    lastOutcome: row.last_outcome,
    lastError: row.last_error,
    ordersFound: row.orders_found,
    ordersTakenIn: row.orders_taken_in,
    nextRunAt: row.next_run_at,
  };
}

/** Each connection's reconciliation poller state in SQL. */
@Injectable()
export class PollStateRepository {
  /**
   * Leases the connections whose poll is due: a state row is made for a connection that has none
   * (its first watermark `initialLookbackMs` before it was created), then the due rows move their
   * next run `leaseMs` ahead, committed at once, so a crashed poll is taken up again later and two
   * replicas never poll one store at the same time.
   */
  async leaseDue(
    db: SqlQueryable,
    now: Date,
    options: { limit: number; leaseMs: number; initialLookbackMs: number },
  ): Promise<PollState[]> {
    await db.query(
      `INSERT INTO channel_poll_state (connection_id, watermark, next_run_at)
       SELECT id, created_at - make_interval(secs => $1 / 1000.0), $2 FROM channel_connections
       ON CONFLICT (connection_id) DO NOTHING`,
      [options.initialLookbackMs, now],
    );
    const rows = await queryRows<Row>(
      db,
      `UPDATE channel_poll_state SET next_run_at = $1::timestamptz + make_interval(secs => $3 / 1000.0)
        WHERE connection_id IN (SELECT connection_id FROM channel_poll_state WHERE next_run_at <= $1
                                 ORDER BY next_run_at LIMIT $2 FOR UPDATE SKIP LOCKED)
        RETURNING ${COLUMNS}`,
      [now, options.limit, options.leaseMs],
    );
    return rows.map(toState);
  }

  /** Moves the watermark forward (never back) as pages are taken in, so a crash mid-run resumes there. */
  async advance(db: SqlQueryable, connectionId: string, watermark: Date): Promise<void> {
    await db.query(
      `UPDATE channel_poll_state SET watermark = greatest(watermark, $2) WHERE connection_id = $1`,
      [connectionId, watermark],
    );
  }

  async finish(
    db: SqlQueryable,
    connectionId: string,
    run: {
      readonly at: Date;
      readonly outcome: 'ok' | 'retry' | 'failed';
      readonly error?: string;
      readonly ordersFound: number;
      readonly ordersTakenIn: number;
      readonly nextRunAt: Date;
    },
  ): Promise<void> {
    await db.query(
      `UPDATE channel_poll_state SET last_run_at = $2, last_outcome = $3, last_error = $4,
         orders_found = $5, orders_taken_in = $6, next_run_at = $7
       WHERE connection_id = $1`,
      [
        connectionId,
        run.at,
        run.outcome,
        run.error ?? null,
        run.ordersFound,
        run.ordersTakenIn,
        run.nextRunAt,
      ],
    );
  }

  async get(db: SqlQueryable, connectionId: string): Promise<PollState | undefined> {
    const [row] = await queryRows<Row>(
      db,
      `SELECT ${COLUMNS} FROM channel_poll_state WHERE connection_id = $1`,
      [connectionId],
    );
    return row && toState(row);
  }

  /** An operator's "poll now": due at once, and the poller woken. */
  async dueNow(db: SqlQueryable, connectionId: string, now: Date, initialLookbackMs: number): Promise<void> {
    await db.query(
      `INSERT INTO channel_poll_state (connection_id, watermark, next_run_at)
       SELECT id, created_at - make_interval(secs => $3 / 1000.0), $2 FROM channel_connections WHERE id = $1
       ON CONFLICT (connection_id) DO UPDATE SET next_run_at = least(channel_poll_state.next_run_at, $2)`,
      [connectionId, now, initialLookbackMs],
    );
    await db.query(`SELECT pg_notify($1, '')`, [POLL_CHANNEL]);
  }
}
