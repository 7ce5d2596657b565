import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Orders, their timeline and the HTTP idempotency keys.
 *
 * - `orders (storefront_id, storefront_order_id)` is UNIQUE: a storefront's resend, over HTTP or
 *   Kafka, can never place a second order, however the requests race.
 * - The payment token is not stored here: it leaves only in order.placed (as paymentMethodRef).
 * - `idempotency_keys` keeps a digest of the request, never the body.
 */
export class OrderTables1764140100000 implements MigrationInterface {
  name = 'OrderTables1764140100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE orders (
        id                   uuid PRIMARY KEY,
        storefront_id        text NOT NULL,
        storefront_order_id  text NOT NULL,
        status               text NOT NULL CHECK (status IN
                               ('PENDING','RESERVED','CONFIRMED','SHIPPED','DELIVERED','REJECTED','CANCELLED')),
        status_reason        text,
        currency             char(3) NOT NULL,
        subtotal             bigint NOT NULL CHECK (subtotal >= 0),
        total_amount         bigint NOT NULL CHECK (total_amount >= 0),
        customer             jsonb NOT NULL,
        lines                jsonb NOT NULL,
        shipping_address     jsonb NOT NULL,
        payment_provider     text NOT NULL,
        reservation_id       uuid,
        payment_id           uuid,
        payment_authorized   boolean NOT NULL DEFAULT false,
        shipment_id          uuid,
        created_at           timestamptz NOT NULL DEFAULT now(),
        updated_at           timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT orders_storefront_order_unique UNIQUE (storefront_id, storefront_order_id)
      )`);
    await queryRunner.query(`
      CREATE TABLE order_timeline (
        id           bigserial PRIMARY KEY,
        order_id     uuid NOT NULL REFERENCES orders (id),
        status       text NOT NULL,
        reason       text,
        event_id     uuid NOT NULL,
        event_type   text NOT NULL,
        occurred_at  timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
    await queryRunner.query(`CREATE INDEX order_timeline_order ON order_timeline (order_id, id)`);
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
    await queryRunner.query(`DROP TABLE order_timeline`);
    await queryRunner.query(`DROP TABLE orders`);
  }
}
