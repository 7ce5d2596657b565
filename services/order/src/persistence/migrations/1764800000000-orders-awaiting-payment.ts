import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Orders whose buyer must act before the payment goes through (a QR code to scan, a redirect):
 * the AWAITING_PAYMENT status, and what the buyer must do, shown by GET /v1/orders/:id.
 */
export class OrdersAwaitingPayment1764800000000 implements MigrationInterface {
  name = 'OrdersAwaitingPayment1764800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE orders ADD COLUMN payment_action jsonb`);
    await queryRunner.query(`ALTER TABLE orders DROP CONSTRAINT orders_status_check`);
    await queryRunner.query(`
      ALTER TABLE orders ADD CONSTRAINT orders_status_check CHECK (status IN
        ('PENDING','RESERVED','AWAITING_PAYMENT','CONFIRMED','SHIPPED','DELIVERED','REJECTED','CANCELLED'))
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE orders DROP CONSTRAINT orders_status_check`);
    await queryRunner.query(`
      ALTER TABLE orders ADD CONSTRAINT orders_status_check CHECK (status IN
        ('PENDING','RESERVED','CONFIRMED','SHIPPED','DELIVERED','REJECTED','CANCELLED'))
    `);
    await queryRunner.query(`ALTER TABLE orders DROP COLUMN payment_action`);
  }
}
