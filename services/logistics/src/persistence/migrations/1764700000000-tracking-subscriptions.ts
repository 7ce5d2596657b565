import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Parcels to subscribe with a tracking aggregator (Kuaidi100), one row per shipment, written in
 * the booking's transaction: the row is the durable "to be subscribed", so a crash between the
 * booking and the subscribe call loses nothing, and the worker retries it until it is done.
 * Only the phone's last 4 digits are kept: all SF asks for, and less to leak.
 */
export class TrackingSubscriptions1764700000000 implements MigrationInterface {
  name = 'TrackingSubscriptions1764700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE tracking_subscriptions (
        shipment_id      uuid PRIMARY KEY REFERENCES shipments (id),
        provider         text NOT NULL,
        company          text NOT NULL,
        tracking_number  text NOT NULL,
        phone            text CHECK (phone ~ '^[0-9]{4}$'),
        status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'subscribed', 'failed')),
        attempts         integer NOT NULL DEFAULT 0,
        next_attempt_at  timestamptz NOT NULL DEFAULT now(),
        last_error       text,
        subscribed_at    timestamptz,
        created_at       timestamptz NOT NULL DEFAULT now(),
        updated_at       timestamptz NOT NULL DEFAULT now()
      )`);
    // The worker's claim: only pending rows, by when they fall due.
    await queryRunner.query(
      `CREATE INDEX tracking_subscriptions_due ON tracking_subscriptions (next_attempt_at) WHERE status = 'pending'`,
    );
    // An abort push names the parcel by the aggregator and its tracking number.
    await queryRunner.query(
      `CREATE INDEX tracking_subscriptions_number ON tracking_subscriptions (provider, tracking_number)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE tracking_subscriptions`);
  }
}
