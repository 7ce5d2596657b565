import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One shipment per order (the UNIQUE order_id is what makes "never booked twice" hold across
 * redeliveries and replicas), every tracking event it received — applied or only recorded — and a
 * count of carrier codes no mapping table knows.
 */
export class LogisticsTables1764220000000 implements MigrationInterface {
  name = 'LogisticsTables1764220000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE shipments (
        id                   uuid PRIMARY KEY,
        order_id             uuid NOT NULL UNIQUE,
        storefront_id        text NOT NULL,
        carrier              text NOT NULL,
        tracking_number      text NOT NULL,
        carrier_shipment_id  text,
        label_ref            text,
        status               text NOT NULL CHECK (status IN ('label_created', 'in_transit', 'out_for_delivery',
                               'delivery_attempt_failed', 'available_for_pickup', 'delivered', 'exception',
                               'returned', 'cancelled')),
        status_occurred_at   timestamptz NOT NULL,
        weight_grams         integer NOT NULL CHECK (weight_grams >= 0),
        destination_country  char(2) NOT NULL,
        traceparent          text,
        correlation_id       text,
        created_at           timestamptz NOT NULL DEFAULT now(),
        updated_at           timestamptz NOT NULL DEFAULT now(),
        UNIQUE (carrier, tracking_number)
      )`);
    // Aggregators (AfterShip) report parcels by tracking number alone.
    await queryRunner.query(`CREATE INDEX shipments_tracking_number ON shipments (tracking_number)`);
    await queryRunner.query(`
      CREATE TABLE shipment_tracking_events (
        id                  bigserial PRIMARY KEY,
        shipment_id         uuid NOT NULL REFERENCES shipments (id),
        source              text NOT NULL,
        carrier_status      text NOT NULL,
        status              text NOT NULL,
        mapped              boolean NOT NULL,
        applied             boolean NOT NULL,
        not_applied_reason  text,
        occurred_at         timestamptz NOT NULL,
        location            text,
        message             text,
        webhook_id          bigint,
        recorded_at         timestamptz NOT NULL DEFAULT now(),
        UNIQUE (shipment_id, source, carrier_status, status, occurred_at)
      )`);
    await queryRunner.query(`
      CREATE TABLE unmapped_carrier_statuses (
        carrier         text NOT NULL,
        carrier_status  text NOT NULL,
        occurrences     bigint NOT NULL,
        first_seen_at   timestamptz NOT NULL DEFAULT now(),
        last_seen_at    timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (carrier, carrier_status)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE unmapped_carrier_statuses`);
    await queryRunner.query(`DROP TABLE shipment_tracking_events`);
    await queryRunner.query(`DROP TABLE shipments`);
  }
}
