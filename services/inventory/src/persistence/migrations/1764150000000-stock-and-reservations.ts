import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Stock per SKU and one reservation per order.
 *
 * `sku` is `COLLATE "C"` so `ORDER BY sku` (the order every transaction locks stock rows in) is
 * plain byte order, the same in every database whatever its default collation.
 * The CHECKs are the last line of defence against oversell: a bug elsewhere fails the transaction
 * instead of writing a negative available count.
 */
export class StockAndReservations1764150000000 implements MigrationInterface {
  name = 'StockAndReservations1764150000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE stock (
        sku         text COLLATE "C" PRIMARY KEY,
        on_hand     integer NOT NULL,
        reserved    integer NOT NULL DEFAULT 0,
        created_at  timestamptz NOT NULL DEFAULT now(),
        updated_at  timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT stock_on_hand_range CHECK (on_hand >= 0 AND on_hand <= 1000000000),
        CONSTRAINT stock_reserved_not_negative CHECK (reserved >= 0),
        CONSTRAINT stock_reserved_within_on_hand CHECK (reserved <= on_hand)
      )`);
    await queryRunner.query(`
      CREATE TABLE reservations (
        id              uuid PRIMARY KEY,
        order_id        uuid NOT NULL UNIQUE,
        status          text NOT NULL,
        lines           jsonb NOT NULL,
        expires_at      timestamptz,
        correlation_id  text,
        release_reason  text,
        created_at      timestamptz NOT NULL DEFAULT now(),
        updated_at      timestamptz NOT NULL DEFAULT now(),
        confirmed_at    timestamptz,
        committed_at    timestamptz,
        released_at     timestamptz,
        CONSTRAINT reservations_status CHECK
          (status IN ('RESERVED', 'CONFIRMED', 'COMMITTED', 'RELEASED', 'REJECTED')),
        CONSTRAINT reservations_expiry CHECK (status = 'REJECTED' OR expires_at IS NOT NULL)
      )`);
    // What the expiry sweeper scans: only reservations that can still expire.
    await queryRunner.query(
      `CREATE INDEX reservations_expiring ON reservations (expires_at) WHERE status = 'RESERVED'`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE reservations`);
    await queryRunner.query(`DROP TABLE stock`);
  }
}
