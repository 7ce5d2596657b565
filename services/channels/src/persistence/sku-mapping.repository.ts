import { Injectable } from '@nestjs/common';
import { queryRows, SqlQueryable } from '@waybill/eventing';
import type { SkuRule, SkuTable } from '../domain/sku-mapping';

export interface SkuMappingRecord {
  readonly connectionId: string;
  readonly channelSku: string;
  readonly rule: SkuRule;
  readonly updatedAt: Date;
}

interface Row {
  connection_id: string;
  channel_sku: string;
  rule: SkuRule;
  updated_at: Date;
}

function toRecord(row: Row): SkuMappingRecord {
  return {
    connectionId: row.connection_id,
    channelSku: row.channel_sku,
    rule: row.rule,
    updatedAt: row.updated_at,
  };
}

/** The per-connection SKU tables in SQL. */
@Injectable()
export class SkuMappingRepository {
  /** The connection's whole table, as the mapping reads it. */
  async table(db: SqlQueryable, connectionId: string): Promise<SkuTable> {
    const rows = await queryRows<Row>(
      db,
      `SELECT connection_id, channel_sku, rule, updated_at FROM channel_sku_mappings WHERE connection_id = $1`,
      [connectionId],
    );
    return new Map(rows.map((row) => [row.channel_sku, row.rule]));
  }

  async put(
    db: SqlQueryable,
    connectionId: string,
    channelSku: string,
    rule: SkuRule,
  ): Promise<SkuMappingRecord> {
    const [row] = await queryRows<Row>(
      db,
      `INSERT INTO channel_sku_mappings (connection_id, channel_sku, rule, updated_at) VALUES ($1, $2, $3, now())
       ON CONFLICT (connection_id, channel_sku) DO UPDATE SET rule = EXCLUDED.rule, updated_at = EXCLUDED.updated_at
       RETURNING connection_id, channel_sku, rule, updated_at`,
      [connectionId, channelSku, JSON.stringify(rule)],
    );
    if (!row) {
      throw new Error(`SKU mapping ${connectionId}/${channelSku} was not written`);
    }
    return toRecord(row);
  }

  async get(
    db: SqlQueryable,
    connectionId: string,
    channelSku: string,
  ): Promise<SkuMappingRecord | undefined> {
    const [row] = await queryRows<Row>(
      db,
      `SELECT connection_id, channel_sku, rule, updated_at FROM channel_sku_mappings
        WHERE connection_id = $1 AND channel_sku = $2`,
      [connectionId, channelSku],
    );
    return row && toRecord(row);
  }

  /** By channel SKU; `after` is the previous page's last channel SKU. */
  async list(
    db: SqlQueryable,
    connectionId: string,
    page: { after?: string; limit: number },
  ): Promise<SkuMappingRecord[]> {
    const rows = await queryRows<Row>(
      db,
      `SELECT connection_id, channel_sku, rule, updated_at FROM channel_sku_mappings
        WHERE connection_id = $1 AND ($2::text IS NULL OR channel_sku > $2) ORDER BY channel_sku LIMIT $3`,
      [connectionId, page.after ?? null, page.limit],
    );
    return rows.map(toRecord);
  }
}
