import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The outbox and inbox every service owns in its own database.
 *
 * `outbox.xid` is the writing transaction's id (xid8). The relay only publishes rows whose xid is
 * below the current snapshot's xmin: every transaction that could still add a row ordered before
 * them has finished, so a serial id that commits late can never be skipped.
 */
export class EventingTables1764140000000 implements MigrationInterface {
  name = 'EventingTables1764140000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE outbox (
        id            bigserial PRIMARY KEY,
        xid           xid8 NOT NULL DEFAULT pg_current_xact_id(),
        event_id      uuid NOT NULL UNIQUE,
        event_type    text NOT NULL,
        topic         text NOT NULL,
        message_key   text NOT NULL,
        headers       jsonb NOT NULL,
        payload       text NOT NULL,
        created_at    timestamptz NOT NULL DEFAULT now(),
        published_at  timestamptz
      )`);
    await queryRunner.query(`CREATE INDEX outbox_unpublished ON outbox (xid, id) WHERE published_at IS NULL`);
    await queryRunner.query(
      `CREATE INDEX outbox_published_at ON outbox (published_at) WHERE published_at IS NOT NULL`,
    );
    // A statement-level trigger: one wake-up per INSERT statement, not per row. NOTIFY serialises
    // commits on a global lock, so it only wakes the relay; the relay also polls.
    await queryRunner.query(`
      CREATE FUNCTION waybill_outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('waybill_outbox', '');
        RETURN NULL;
      END $$`);
    await queryRunner.query(
      `CREATE TRIGGER outbox_notify AFTER INSERT ON outbox FOR EACH STATEMENT EXECUTE FUNCTION waybill_outbox_notify()`,
    );
    await queryRunner.query(`
      CREATE TABLE inbox (
        consumer     text NOT NULL,
        event_id     uuid NOT NULL,
        event_type   text NOT NULL,
        received_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer, event_id)
      )`);
    await queryRunner.query(`CREATE INDEX inbox_received_at ON inbox (received_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE inbox`);
    await queryRunner.query(`DROP TRIGGER outbox_notify ON outbox`);
    await queryRunner.query(`DROP FUNCTION waybill_outbox_notify()`);
    await queryRunner.query(`DROP TABLE outbox`);
  }
}
