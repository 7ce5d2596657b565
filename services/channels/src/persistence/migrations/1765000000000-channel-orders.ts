import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the channel does with the orders it takes in, in one migration so the intake, the SKU
 * table, the reconciliation poller and the tracking-back dispatcher share one schema:
 *
 * - `channel_orders`: one row per platform order, unique on (channel, store, external order id) —
 *   what deduplicates a webhook, its retries and the poller's copy. The raw payload and the mapping
 *   version are kept with every row, mapped or held; `external_order_id` is null only for a body
 *   with no readable order id, which is held rather than dropped.
 * - `channel_refunds`: platform refunds, recorded once per refund id.
 * - `channel_sku_mappings`: the per-connection SKU table.
 * - `channel_poll_state`: each connection's poller watermark and last run, shown to operators.
 * - `channel_shipments`: what logistics said it shipped, by Waybill order id, kept until the order
 *   is known here (the order and logistics topics are consumed side by side, so a shipment can be
 *   read before the order.placed that tells which channel order it belongs to).
 * - `channel_tracking_reports`: one row per parcel to tell the platform, dispatched with retries as
 *   purchase orders are.
 */
export class ChannelOrders1765000000000 implements MigrationInterface {
  name = 'ChannelOrders1765000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE channel_orders (
        id                uuid PRIMARY KEY,
        connection_id     text NOT NULL REFERENCES channel_connections (id),
        channel           text NOT NULL,
        store             text NOT NULL,
        storefront_id     text NOT NULL,
        external_order_id text,
        status            text NOT NULL
                          CHECK (status IN ('awaiting_payment', 'held', 'submitted', 'cancelled')),
        received_via      text NOT NULL CHECK (received_via IN ('webhook', 'poll', 'release')),
        payload_format    text NOT NULL,
        raw_payload       text NOT NULL,
        mapping_version   text NOT NULL,
        hold_reasons      jsonb,
        canonical_order   jsonb,
        waybill_order_id  uuid UNIQUE,
        submitted_at      timestamptz,
        cancelled_at      timestamptz,
        created_at        timestamptz NOT NULL DEFAULT now(),
        updated_at        timestamptz NOT NULL DEFAULT now(),
        UNIQUE (channel, store, external_order_id)
      )`);
    await queryRunner.query(
      `CREATE INDEX channel_orders_held ON channel_orders (connection_id, id) WHERE status = 'held'`,
    );
    await queryRunner.query(
      `CREATE INDEX channel_orders_storefront ON channel_orders (storefront_id, external_order_id)`,
    );
    await queryRunner.query(`
      CREATE TABLE channel_refunds (
        channel           text NOT NULL,
        store             text NOT NULL,
        refund_id         text NOT NULL,
        connection_id     text NOT NULL REFERENCES channel_connections (id),
        external_order_id text NOT NULL,
        amount            bigint,
        currency          text,
        raw_payload       text NOT NULL,
        created_at        timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (channel, store, refund_id)
      )`);
    await queryRunner.query(`
      CREATE TABLE channel_sku_mappings (
        connection_id text NOT NULL REFERENCES channel_connections (id),
        channel_sku   text NOT NULL,
        rule          jsonb NOT NULL,
        updated_at    timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (connection_id, channel_sku)
      )`);
    await queryRunner.query(`
      CREATE TABLE channel_poll_state (
        connection_id   text PRIMARY KEY REFERENCES channel_connections (id),
        watermark       timestamptz,
        cursor          text,
        last_run_at     timestamptz,
        last_outcome    text,
        last_error      text,
        orders_found    integer NOT NULL DEFAULT 0,
        orders_taken_in integer NOT NULL DEFAULT 0,
        next_run_at     timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE channel_shipments (
        waybill_order_id uuid NOT NULL,
        shipment_id      uuid NOT NULL,
        carrier          text NOT NULL,
        tracking_number  text NOT NULL,
        tracking_url     text,
        shipped_at       timestamptz NOT NULL,
        created_at       timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (waybill_order_id, shipment_id)
      )`);
    await queryRunner.query(`
      CREATE TABLE channel_tracking_reports (
        id                uuid PRIMARY KEY,
        channel_order_id  uuid NOT NULL REFERENCES channel_orders (id),
        shipment_id       uuid NOT NULL,
        carrier           text NOT NULL,
        tracking_number   text NOT NULL,
        tracking_url      text,
        shipped_at        timestamptz NOT NULL,
        status            text NOT NULL CHECK (status IN ('pending', 'reported', 'failed')),
        attempts          integer NOT NULL DEFAULT 0,
        next_attempt_at   timestamptz NOT NULL DEFAULT now(),
        last_error        text,
        platform_ref      text,
        reported_at       timestamptz,
        created_at        timestamptz NOT NULL DEFAULT now(),
        updated_at        timestamptz NOT NULL DEFAULT now(),
        UNIQUE (shipment_id, tracking_number)
      )`);
    await queryRunner.query(
      `CREATE INDEX channel_tracking_reports_due ON channel_tracking_reports (next_attempt_at) WHERE status = 'pending'`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'channel_tracking_reports',
      'channel_shipments',
      'channel_poll_state',
      'channel_sku_mappings',
      'channel_refunds',
      'channel_orders',
    ]) {
      await queryRunner.query(`DROP TABLE ${table}`);
    }
  }
}
