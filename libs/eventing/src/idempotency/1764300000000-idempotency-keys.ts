import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `idempotency_keys` for a service that takes `Idempotency-Key` headers (`IdempotentRequests`).
 * Keeps a digest of the request, never the body. The order service made the same table in its
 * first migration and does not run this one.
 */
export class IdempotencyKeys1764300000000 implements MigrationInterface {
  name = 'IdempotencyKeys1764300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE idempotency_keys (
        principal        text NOT NULL,
        idempotency_key  text NOT NULL,
        request_hash     char(64) NOT NULL,
        state            text NOT NULL CHECK (state IN ('in_flight', 'completed')),
        lock_token       uuid NOT NULL,
        locked_at        timestamptz NOT NULL DEFAULT now(),
        response_status  integer,
        response_body    jsonb,
        created_at       timestamptz NOT NULL DEFAULT now(),
        expires_at       timestamptz NOT NULL,
        PRIMARY KEY (principal, idempotency_key)
      )`);
    await queryRunner.query(`CREATE INDEX idempotency_keys_expires_at ON idempotency_keys (expires_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE idempotency_keys`);
  }
}

/** Add to a service's migrations when it takes Idempotency-Keys. */
export const IDEMPOTENCY_MIGRATIONS = [IdempotencyKeys1764300000000];
