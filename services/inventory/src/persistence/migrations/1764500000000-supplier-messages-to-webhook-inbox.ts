import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Supplier messages moved to the shared webhook inbox (created by WebhookInbox1764200000000, which
 * runs first), the one store of every service's webhooks: what is there is copied as processed
 * (it was applied when it arrived), the old table dropped, and `supplier_messages` stays as a view
 * for the queries operators already run.
 */
export class SupplierMessagesToWebhookInbox1764500000000 implements MigrationInterface {
  name = 'SupplierMessagesToWebhookInbox1764500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      INSERT INTO webhook_inbox (source, external_id, event_type, raw_body, received_at, processed_at, attempts)
      SELECT supplier, message_id, type, raw_body, received_at, received_at, 1 FROM supplier_messages
      ON CONFLICT (source, external_id) DO NOTHING`);
    await queryRunner.query(`DROP TABLE supplier_messages`);
    // Every stored supplier message was verified to be a JSON object with a poNumber.
    await queryRunner.query(`
      CREATE VIEW supplier_messages AS
      SELECT source AS supplier, external_id AS message_id, event_type AS type,
             convert_from(raw_body, 'UTF8')::jsonb ->> 'poNumber' AS po_number, raw_body, received_at
        FROM webhook_inbox`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP VIEW supplier_messages`);
    await queryRunner.query(`
      CREATE TABLE supplier_messages (
        supplier     text NOT NULL,
        message_id   text NOT NULL,
        type         text NOT NULL,
        po_number    text NOT NULL,
        raw_body     bytea NOT NULL,
        received_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (supplier, message_id)
      )`);
    await queryRunner.query(`
      INSERT INTO supplier_messages (supplier, message_id, type, po_number, raw_body, received_at)
      SELECT source, external_id, event_type, convert_from(raw_body, 'UTF8')::jsonb ->> 'poNumber',
             raw_body, received_at
        FROM webhook_inbox`);
  }
}
