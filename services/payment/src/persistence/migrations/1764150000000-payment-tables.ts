import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One payment per order (created by whichever of order.placed / stock-reserved arrives first),
 * its refunds, and the raw copies of provider webhooks, processed after they were answered.
 */
export class PaymentTables1764150000000 implements MigrationInterface {
  name = 'PaymentTables1764150000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE payments (
        id                        uuid PRIMARY KEY,
        order_id                  uuid NOT NULL UNIQUE,
        status                    text NOT NULL CHECK (status IN ('PENDING', 'AUTHORIZING', 'REQUIRES_ACTION',
                                    'AUTHORIZED', 'CAPTURED', 'REFUNDED', 'FAILED', 'VOIDED')),
        provider                  text,
        payment_method_ref        text,
        amount                    bigint CHECK (amount >= 0),
        currency                  char(3),
        order_placed_seen_at      timestamptz,
        reservation_id            uuid,
        stock_reserved_seen_at    timestamptz,
        cancel_requested_at       timestamptz,
        provider_payment_ref      text,
        authorized_at             timestamptz,
        authorization_expires_at  timestamptz,
        captured_at               timestamptz,
        captured_amount           bigint NOT NULL DEFAULT 0,
        refunded_amount           bigint NOT NULL DEFAULT 0 CHECK (refunded_amount <= captured_amount),
        refund_count              integer NOT NULL DEFAULT 0,
        voided_at                 timestamptz,
        void_reason               text,
        failed_at                 timestamptz,
        failure_reason            text,
        decline_code              text,
        failure_message           text,
        created_at                timestamptz NOT NULL DEFAULT now(),
        updated_at                timestamptz NOT NULL DEFAULT now()
      )`);
    // Webhooks that lack our metadata are matched by the provider's id of the payment.
    await queryRunner.query(
      `CREATE INDEX payments_provider_ref ON payments (provider, provider_payment_ref) WHERE provider_payment_ref IS NOT NULL`,
    );
    await queryRunner.query(`
      CREATE TABLE payment_refunds (
        id                   uuid PRIMARY KEY,
        payment_id           uuid NOT NULL REFERENCES payments (id),
        sequence             integer NOT NULL,
        amount               bigint NOT NULL CHECK (amount > 0),
        reason               text,
        provider_refund_ref  text,
        refunded_at          timestamptz NOT NULL,
        UNIQUE (payment_id, sequence)
      )`);
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
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE webhook_receipts`);
    await queryRunner.query(`DROP TABLE payment_refunds`);
    await queryRunner.query(`DROP TABLE payments`);
  }
}
