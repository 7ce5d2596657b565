import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { SqlQueryable } from '../persistence/query-rows';
import type { HeldKey } from './idempotency-key';

/** TypeORM's postgres driver answers UPDATE and DELETE with `[rows, affected]`. */
type UpdateResult = [unknown[], number];

export interface KeyClaim {
  readonly principal: string;
  readonly key: string;
  /** Proves ownership when completing or releasing: a takeover mints a new token. */
  readonly lockToken: string;
}

export interface HeldKeyRecord extends HeldKey {
  readonly responseStatus?: number;
  readonly responseBody?: unknown;
}

/**
 * The `idempotency_keys` table (`IDEMPOTENCY_MIGRATIONS`, or the order service's first migration,
 * which made the same table). Keys are scoped to the principal that sent them. Claims are short autocommitted statements, so a key is visibly
 * in flight to every concurrent request before the (longer) order transaction starts.
 */
@Injectable()
export class IdempotencyKeyStore {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Takes the key for this request, or returns undefined when someone holds it. An expired key is
   * free for any request; an in-flight one whose owner went silent (crashed) for `abandonAfterSeconds`
   * may be taken over by a retry of the same request.
   */
  async claim(
    principal: string,
    key: string,
    requestHash: string,
    ttlHours: number,
    abandonAfterSeconds: number,
  ): Promise<KeyClaim | undefined> {
    const lockToken = randomUUID();
    const rows: { lock_token: string }[] = await this.dataSource.query(
      `INSERT INTO idempotency_keys (principal, idempotency_key, request_hash, state, lock_token, expires_at)
       VALUES ($1, $2, $3, 'in_flight', $4, now() + make_interval(hours => $5))
       ON CONFLICT (principal, idempotency_key) DO UPDATE
          SET request_hash = EXCLUDED.request_hash, state = 'in_flight', lock_token = EXCLUDED.lock_token,
              locked_at = now(), created_at = now(), expires_at = EXCLUDED.expires_at,
              response_status = NULL, response_body = NULL
        WHERE idempotency_keys.expires_at <= now()
           OR (idempotency_keys.state = 'in_flight'
               AND idempotency_keys.request_hash = EXCLUDED.request_hash
               AND idempotency_keys.locked_at < now() - make_interval(secs => $6))
       RETURNING lock_token`,
      [principal, key, requestHash, lockToken, ttlHours, abandonAfterSeconds],
    );
    return rows[0]?.lock_token === lockToken ? { principal, key, lockToken } : undefined;
  }

  /** The live row holding the key, if any (an expired one counts as gone). */
  async find(principal: string, key: string): Promise<HeldKeyRecord | undefined> {
    const rows: {
      request_hash: string;
      state: 'in_flight' | 'completed';
      response_status: number | null;
      response_body: unknown;
    }[] = await this.dataSource.query(
      `SELECT request_hash, state, response_status, response_body FROM idempotency_keys
        WHERE principal = $1 AND idempotency_key = $2 AND expires_at > now()`,
      [principal, key],
    );
    const row = rows[0];
    if (!row) {
      return undefined;
    }
    return {
      requestHash: row.request_hash,
      state: row.state,
      ...(row.response_status !== null && {
        responseStatus: row.response_status,
        responseBody: row.response_body,
      }),
    };
  }

  /** Stores the response in the request's own transaction; false if the claim was taken over meanwhile. */
  async complete(manager: SqlQueryable, claim: KeyClaim, status: number, body: unknown): Promise<boolean> {
    const result = (await manager.query(
      `UPDATE idempotency_keys SET state = 'completed', response_status = $4, response_body = $5
        WHERE principal = $1 AND idempotency_key = $2 AND lock_token = $3 AND state = 'in_flight'`,
      [claim.principal, claim.key, claim.lockToken, status, JSON.stringify(body)],
    )) as UpdateResult;
    return result[1] === 1;
  }

  /** Gives the key back after an unexpected failure, so the client's retry can run. */
  async release(claim: KeyClaim): Promise<void> {
    await this.dataSource.query(
      `DELETE FROM idempotency_keys
        WHERE principal = $1 AND idempotency_key = $2 AND lock_token = $3 AND state = 'in_flight'`,
      [claim.principal, claim.key, claim.lockToken],
    );
  }

  async purgeExpired(): Promise<number> {
    const result: UpdateResult = await this.dataSource.query(
      `DELETE FROM idempotency_keys WHERE expires_at <= now()`,
    );
    return result[1];
  }
}
