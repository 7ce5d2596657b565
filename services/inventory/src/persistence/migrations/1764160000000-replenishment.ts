import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Replenishment: policies per SKU, purchase orders (one line: one SKU each, since a policy and a
 * cycle are per SKU), their transition history, the receipts booked against them, and the
 * messages suppliers posted (deduplicated by their webhook-id).
 *
 * "At most one open purchase order per SKU" is the partial unique index
 * `purchase_orders_one_open_per_sku`: every trigger inserts with ON CONFLICT DO NOTHING, so racing
 * triggers cannot both win whatever they read before. `(sku, cycle)` is unique as well.
 * `stock.incoming` is kept in the same transactions that open, receive and close orders; the CHECKs
 * make a bookkeeping bug fail its transaction instead of writing a negative count.
 */
export class Replenishment1764160000000 implements MigrationInterface {
  name = 'Replenishment1764160000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE stock
        ADD COLUMN incoming integer NOT NULL DEFAULT 0,
        ADD CONSTRAINT stock_incoming_range CHECK (incoming >= 0 AND incoming <= 1000000000)`);
    await queryRunner.query(`
      CREATE TABLE replenishment_policies (
        sku                 text COLLATE "C" PRIMARY KEY,
        reorder_point       integer NOT NULL CHECK (reorder_point >= 0),
        order_up_to         integer CHECK (order_up_to > reorder_point),
        reorder_quantity    integer CHECK (reorder_quantity >= 1),
        min_order_quantity  integer NOT NULL DEFAULT 1 CHECK (min_order_quantity >= 1),
        pack_size           integer NOT NULL DEFAULT 1 CHECK (pack_size >= 1),
        lead_time_days      integer NOT NULL CHECK (lead_time_days >= 0),
        supplier            text NOT NULL,
        created_at          timestamptz NOT NULL DEFAULT now(),
        updated_at          timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT replenishment_policies_one_quantity_rule
          CHECK ((order_up_to IS NULL) <> (reorder_quantity IS NULL))
      )`);
    await queryRunner.query(`CREATE SEQUENCE purchase_order_number_seq`);
    await queryRunner.query(`
      CREATE TABLE purchase_orders (
        id                   uuid PRIMARY KEY,
        po_number            text NOT NULL UNIQUE,
        sequence             bigint NOT NULL UNIQUE,
        sku                  text COLLATE "C" NOT NULL,
        supplier             text NOT NULL,
        cycle                integer NOT NULL,
        ordered              integer NOT NULL CHECK (ordered >= 1),
        received             integer NOT NULL DEFAULT 0,
        state                text NOT NULL,
        trigger              text NOT NULL,
        replenishment_id     uuid NOT NULL,
        expected_by          timestamptz NOT NULL,
        correlation_id       text,
        dispatch_attempts    integer NOT NULL DEFAULT 0,
        next_dispatch_at     timestamptz,
        last_dispatch_error  text,
        created_at           timestamptz NOT NULL DEFAULT now(),
        updated_at           timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT purchase_orders_state CHECK (state IN
          ('DRAFT', 'SENT', 'ACKNOWLEDGED', 'PARTIALLY_RECEIVED', 'RECEIVED', 'REJECTED', 'CANCELLED')),
        CONSTRAINT purchase_orders_received_range CHECK (received >= 0 AND received <= ordered),
        CONSTRAINT purchase_orders_cycle_once UNIQUE (sku, cycle)
      )`);
    await queryRunner.query(`
      CREATE UNIQUE INDEX purchase_orders_one_open_per_sku ON purchase_orders (sku)
        WHERE state IN ('DRAFT', 'SENT', 'ACKNOWLEDGED', 'PARTIALLY_RECEIVED')`);
    // What the dispatcher scans: orders not yet handed to their supplier.
    await queryRunner.query(
      `CREATE INDEX purchase_orders_to_dispatch ON purchase_orders (next_dispatch_at) WHERE state = 'DRAFT'`,
    );
    await queryRunner.query(`CREATE INDEX purchase_orders_listing ON purchase_orders (sku, sequence DESC)`);
    await queryRunner.query(`
      CREATE TABLE purchase_order_transitions (
        id                 bigserial PRIMARY KEY,
        purchase_order_id  uuid NOT NULL REFERENCES purchase_orders (id),
        from_state         text,
        to_state           text NOT NULL,
        cause              text NOT NULL,
        detail             jsonb,
        at                 timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(
      `CREATE INDEX purchase_order_transitions_by_order ON purchase_order_transitions (purchase_order_id, id)`,
    );
    await queryRunner.query(`
      CREATE TABLE purchase_order_receipts (
        purchase_order_id  uuid NOT NULL REFERENCES purchase_orders (id),
        receipt_ref        text NOT NULL,
        lines              jsonb NOT NULL,
        message_id         text NOT NULL,
        received_at        timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (purchase_order_id, receipt_ref)
      )`);
    await queryRunner.query(`
      CREATE TABLE supplier_messages (
        supplier     text NOT NULL,
        message_id   text NOT NULL,
        type         text NOT NULL,
        po_number    text NOT NULL,
        raw_body     bytea NOT NULL,
        received_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (supplier, message_id)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE supplier_messages`);
    await queryRunner.query(`DROP TABLE purchase_order_receipts`);
    await queryRunner.query(`DROP TABLE purchase_order_transitions`);
    await queryRunner.query(`DROP TABLE purchase_orders`);
    await queryRunner.query(`DROP SEQUENCE purchase_order_number_seq`);
    await queryRunner.query(`DROP TABLE replenishment_policies`);
    await queryRunner.query(`ALTER TABLE stock DROP COLUMN incoming`);
  }
}
