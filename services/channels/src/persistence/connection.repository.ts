import { Injectable } from '@nestjs/common';
import { queryRows, SqlQueryable } from '@waybill/eventing';
import type { ChannelKind, ConnectionMapping, ConnectionSettings } from '../domain/connection';
import type { SealedSecret } from './secret-box';

/** A connection's row: its settings, the names of its credentials and its sealed secrets. */
export interface ConnectionRecord extends ConnectionSettings {
  readonly credentialNames: readonly string[];
  readonly mappingVersion: number;
  readonly secrets: SealedSecret;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

interface Row {
  id: string;
  channel: ChannelKind;
  store: string;
  storefront_id: string;
  api_base: string;
  credential_names: string[];
  default_currency: string;
  default_timezone: string;
  mapping: ConnectionMapping | null;
  mapping_version: number;
  secrets_key_id: string;
  secrets: Buffer;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = `id, channel, store, storefront_id, api_base, credential_names, default_currency,
  default_timezone, mapping, mapping_version, secrets_key_id, secrets, created_at, updated_at`;

function toRecord(row: Row): ConnectionRecord {
  return {
    id: row.id,
    channel: row.channel,
    store: row.store,
    storefrontId: row.storefront_id,
    apiBase: row.api_base,
    credentialNames: row.credential_names,
    defaults: { currency: row.default_currency, timezone: row.default_timezone },
    ...(row.mapping !== null && { mapping: row.mapping }),
    mappingVersion: row.mapping_version,
    secrets: { keyId: row.secrets_key_id, sealed: row.secrets },
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Channel connections in SQL. */
@Injectable()
export class ConnectionRepository {
  async get(
    db: SqlQueryable,
    id: string,
    options: { forUpdate?: boolean } = {},
  ): Promise<ConnectionRecord | undefined> {
    const [row] = await queryRows<Row>(
      db,
      `SELECT ${COLUMNS} FROM channel_connections WHERE id = $1${options.forUpdate ? ' FOR UPDATE' : ''}`,
      [id],
    );
    return row && toRecord(row);
  }

  /** The connection that already has this store, other than `exceptId`. */
  async ownerOfStore(
    db: SqlQueryable,
    channel: ChannelKind,
    store: string,
    exceptId: string,
  ): Promise<string | undefined> {
    const [row] = await queryRows<{ id: string }>(
      db,
      `SELECT id FROM channel_connections WHERE channel = $1 AND store = $2 AND id <> $3`,
      [channel, store, exceptId],
    );
    return row?.id;
  }

  /** By id; `after` is the last id of the previous page. */
  async list(db: SqlQueryable, page: { after?: string; limit: number }): Promise<ConnectionRecord[]> {
    const rows = await queryRows<Row>(
      db,
      `SELECT ${COLUMNS} FROM channel_connections WHERE ($1::text IS NULL OR id > $1) ORDER BY id LIMIT $2`,
      [page.after ?? null, page.limit],
    );
    return rows.map(toRecord);
  }

  /** Creates or replaces the whole connection; answers the row as stored. */
  async put(
    db: SqlQueryable,
    settings: ConnectionSettings,
    extra: { credentialNames: readonly string[]; mappingVersion: number; secrets: SealedSecret; now: Date },
  ): Promise<ConnectionRecord> {
    const [row] = await queryRows<Row>(
      db,
      `INSERT INTO channel_connections (id, channel, store, storefront_id, api_base, credential_names,
         default_currency, default_timezone, mapping, mapping_version, secrets_key_id, secrets, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)
       ON CONFLICT (id) DO UPDATE SET channel = EXCLUDED.channel, store = EXCLUDED.store,
         storefront_id = EXCLUDED.storefront_id, api_base = EXCLUDED.api_base,
         credential_names = EXCLUDED.credential_names, default_currency = EXCLUDED.default_currency,
         default_timezone = EXCLUDED.default_timezone, mapping = EXCLUDED.mapping,
         mapping_version = EXCLUDED.mapping_version, secrets_key_id = EXCLUDED.secrets_key_id,
         secrets = EXCLUDED.secrets, updated_at = EXCLUDED.updated_at
       RETURNING ${COLUMNS}`,
      [
        settings.id,
        settings.channel,
        settings.store,
        settings.storefrontId,
        settings.apiBase,
        [...extra.credentialNames],
        settings.defaults.currency,
        settings.defaults.timezone,
        settings.mapping === undefined ? null : JSON.stringify(settings.mapping),
        extra.mappingVersion,
        extra.secrets.keyId,
        extra.secrets.sealed,
        extra.now,
      ],
    );
    if (!row) {
      throw new Error(`channel connection ${settings.id} was not written`);
    }
    return toRecord(row);
  }
}
