import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The relay remembers how far it has published as one position, (xid, id), instead of stamping
 * every row. That is sound because it only ever reads rows whose xid is below the snapshot's
 * xmin: every transaction that could add a row before the position has finished, so the rows up
 * to the position never change. One small UPDATE per batch replaces an UPDATE of every row (and
 * the dead tuples that slowed the next SELECT).
 *
 * `outbox_pending` shows what Kafka has not acknowledged yet, for operators and tests.
 */
export class OutboxRelayPosition1764140000002 implements MigrationInterface {
  name = 'OutboxRelayPosition1764140000002';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE outbox_relay_position (
        singleton   boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        xid         xid8 NOT NULL,
        id          bigint NOT NULL,
        updated_at  timestamptz NOT NULL DEFAULT now()
      )`);
    // Start after the last row the old scheme marked published, so nothing is sent twice.
    await queryRunner.query(`
      INSERT INTO outbox_relay_position (xid, id)
      SELECT coalesce(last.xid, '0'::xid8), coalesce(last.id, 0)
        FROM (SELECT 1) AS one
        LEFT JOIN LATERAL (
          SELECT xid, id FROM outbox WHERE published_at IS NOT NULL ORDER BY xid DESC, id DESC LIMIT 1
        ) AS last ON true`);
    await queryRunner.query(`CREATE INDEX outbox_position ON outbox (xid, id)`);
    await queryRunner.query(`DROP INDEX outbox_unpublished`);
    await queryRunner.query(`DROP INDEX outbox_published_at`);
    await queryRunner.query(`ALTER TABLE outbox DROP COLUMN published_at`);
    await queryRunner.query(`
      CREATE VIEW outbox_pending AS
      SELECT o.* FROM outbox o, outbox_relay_position p WHERE (o.xid, o.id) > (p.xid, p.id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP VIEW outbox_pending`);
    await queryRunner.query(`ALTER TABLE outbox ADD COLUMN published_at timestamptz`);
    await queryRunner.query(`
      UPDATE outbox o SET published_at = now() FROM outbox_relay_position p
       WHERE (o.xid, o.id) <= (p.xid, p.id)`);
    await queryRunner.query(`CREATE INDEX outbox_unpublished ON outbox (xid, id) WHERE published_at IS NULL`);
    await queryRunner.query(
      `CREATE INDEX outbox_published_at ON outbox (published_at) WHERE published_at IS NOT NULL`,
    );
    await queryRunner.query(`DROP INDEX outbox_position`);
    await queryRunner.query(`DROP TABLE outbox_relay_position`);
  }
}
