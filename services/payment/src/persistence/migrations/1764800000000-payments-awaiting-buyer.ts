import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Payments the buyer must complete (a QR code, a redirect) and providers that take money at once:
 * the capture mode a payment was opened with, what the buyer must do and until when, and when the
 * provider was last asked about it; and the provider's id of a capture (UnionPay refunds a
 * completed pre-authorisation by it). The partial index serves CheckAwaitedPayments' sweep.
 */
export class PaymentsAwaitingBuyer1764800000000 implements MigrationInterface {
  name = 'PaymentsAwaitingBuyer1764800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE payments
        ADD COLUMN capture_mode text CHECK (capture_mode IN ('manual', 'immediate')),
        ADD COLUMN next_action jsonb,
        ADD COLUMN action_expires_at timestamptz,
        ADD COLUMN action_queried_at timestamptz,
        ADD COLUMN capture_ref text
    `);
    await queryRunner.query(`
      CREATE INDEX payments_awaiting_buyer ON payments (action_expires_at)
        WHERE status = 'REQUIRES_ACTION' AND action_expires_at IS NOT NULL
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX payments_awaiting_buyer`);
    await queryRunner.query(`
      ALTER TABLE payments DROP COLUMN capture_mode, DROP COLUMN next_action,
        DROP COLUMN action_expires_at, DROP COLUMN action_queried_at, DROP COLUMN capture_ref
    `);
  }
}
