import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Provider webhooks moved to the shared webhook inbox (created by WebhookInbox1764200000000, which
 * runs first): copy what is there, pending ones included, and drop the old table.
 */
export class WebhookReceiptsToInbox1764210000000 implements MigrationInterface {
  name = 'WebhookReceiptsToInbox1764210000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      INSERT INTO webhook_inbox
        (source, external_id, event_type, raw_body, received_at, processed_at, attempts, next_attempt_at, last_error)
      SELECT provider, provider_event_id, event_type, raw_body, received_at, processed_at, attempts,
             next_attempt_at, last_error
        FROM webhook_receipts
      ON CONFLICT (source, external_id) DO NOTHING`);
    await queryRunner.query(`DROP TABLE webhook_receipts`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE webhook_receipts (
        id                 bigserial PRIMARY KEY,
        provider           text NOT NULL,
        provider_event_id  text NOT NULL,
        event_type         text NOT NULL,
        raw_body           bytea NOT NULL,
        received_at        timestamptz NOT NULL DEFAULT now(),
        processed_at       timestamptz,
        attempts           integer NOT NULL DEFAULT 0,
        next_attempt_at    timestamptz NOT NULL DEFAULT now(),
        last_error         text,
        UNIQUE (provider, provider_event_id)
      )`);
    await queryRunner.query(
      `CREATE INDEX webhook_receipts_pending ON webhook_receipts (next_attempt_at, id) WHERE processed_at IS NULL`,
    );
    await queryRunner.query(`
      INSERT INTO webhook_receipts
        (provider, provider_event_id, event_type, raw_body, received_at, processed_at, attempts, next_attempt_at, last_error)
      SELECT source, external_id, event_type, raw_body, received_at, processed_at, attempts, next_attempt_at, last_error
        FROM webhook_inbox`);
  }
}
