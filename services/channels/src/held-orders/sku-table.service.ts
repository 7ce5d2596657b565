import { Injectable } from '@nestjs/common';
import type { UnitOfWork } from '@waybill/eventing';
import { Page, pageOf } from '@waybill/platform';
import { DataSource } from 'typeorm';
import { ConnectionQueries } from '../policies/connection-queries';
import type { SkuRule } from '../domain/sku-mapping';
import { SkuMappingRecord, SkuMappingRepository } from '../persistence/sku-mapping.repository';

export interface SkuMappingView {
  readonly channelSku: string;
  readonly rule: SkuRule;
  readonly updatedAt: string;
}

export type SkuMappingPage = Page<SkuMappingView>;

function viewOf(record: SkuMappingRecord): SkuMappingView {
  return { channelSku: record.channelSku, rule: record.rule, updatedAt: record.updatedAt.toISOString() };
}

/**
 * A connection's SKU table. Changing a rule does not touch orders already held: the operator
 * releases them (HeldOrders.release), so what gets submitted is always a deliberate act.
 */
@Injectable()
export class SkuTable {
  constructor(
    private readonly dataSource: DataSource,
    private readonly skus: SkuMappingRepository,
    private readonly connections: ConnectionQueries,
  ) {}

  async put(
    uow: UnitOfWork,
    connectionId: string,
    channelSku: string,
    rule: SkuRule,
  ): Promise<SkuMappingView> {
    await this.connections.get(connectionId);
    return viewOf(await this.skus.put(uow.manager, connectionId, channelSku, rule));
  }

  async list(connectionId: string, page: { cursor?: string; limit: number }): Promise<SkuMappingPage> {
    await this.connections.get(connectionId);
    const rows = await this.skus.list(this.dataSource, connectionId, {
      after: page.cursor,
      limit: page.limit + 1,
    });
    return pageOf(rows, page.limit, viewOf, (view) => view.channelSku);
  }
}
