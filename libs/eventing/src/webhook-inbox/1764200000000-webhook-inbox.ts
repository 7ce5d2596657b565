import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Verified webhooks from outside parties (payment providers, carriers, suppliers), kept raw so they
 * can be processed after the sender has its 2xx, retried, and replayed by an operator. One row per
 * (source, external id): the sender's own event id is what dedups its retries.
 */
export class WebhookInbox1764200000000 implements MigrationInterface {
  name = 'WebhookInbox1764200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE webhook_inbox (
        id               bigserial PRIMARY KEY,
        source           text NOT NULL,
        external_id      text NOT NULL,
        event_type       text NOT NULL,
        raw_body         bytea NOT NULL,
        headers          jsonb NOT NULL DEFAULT '{}',
        received_at      timestamptz NOT NULL DEFAULT now(),
        processed_at     timestamptz,
        attempts         integer NOT NULL DEFAULT 0,
        next_attempt_at  timestamptz NOT NULL DEFAULT now(),
        last_error       text,
        UNIQUE (source, external_id)
      )`);
    await queryRunner.query(
      `CREATE INDEX webhook_inbox_due ON webhook_inbox (next_attempt_at, id) WHERE processed_at IS NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE webhook_inbox`);
  }
}
