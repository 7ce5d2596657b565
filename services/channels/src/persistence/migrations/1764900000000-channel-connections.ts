import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One row per store a merchant connected. The signing secret and the API credentials live only in
 * `secrets`, sealed with AES-256-GCM (SecretBox) under the key `secrets_key_id` names, so a dump
 * of the database gives away no platform access; `credential_names` says which credentials are
 * there without them. A store belongs to one connection: two would take every order in twice.
 */
export class ChannelConnections1764900000000 implements MigrationInterface {
  name = 'ChannelConnections1764900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE channel_connections (
        id                text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9_-]{0,63}$'),
        channel           text NOT NULL CHECK (channel IN ('shopify', 'woocommerce', 'youzan')),
        store             text NOT NULL,
        storefront_id     text NOT NULL,
        api_base          text NOT NULL,
        credential_names  text[] NOT NULL,
        default_currency  text NOT NULL CHECK (default_currency ~ '^[A-Z]{3}$'),
        default_timezone  text NOT NULL,
        mapping           jsonb,
        mapping_version   integer NOT NULL DEFAULT 1 CHECK (mapping_version >= 1),
        secrets_key_id    text NOT NULL,
        secrets           bytea NOT NULL,
        created_at        timestamptz NOT NULL DEFAULT now(),
        updated_at        timestamptz NOT NULL DEFAULT now(),
        UNIQUE (channel, store)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE channel_connections`);
  }
}
