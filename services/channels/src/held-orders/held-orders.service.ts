import { Injectable } from '@nestjs/common';
import type { UnitOfWork } from '@waybill/eventing';
import { DomainError, Page, pageOf } from '@waybill/platform';
import { DataSource } from 'typeorm';
import { ConnectionQueries } from '../policies/connection-queries';
import type { HoldReason } from '../domain/canonical-order';
import { TakeInOrder } from '../policies/take-in-order';
import { ChannelOrderRecord, ChannelOrderRepository } from '../persistence/channel-order.repository';

/** A channel order as operators see it: what it is, why it waits, never the buyer's data. */
export interface ChannelOrderView {
  readonly id: string;
  readonly connectionId: string;
  readonly channel: string;
  readonly store: string;
  readonly externalOrderId: string | null;
  readonly status: ChannelOrderRecord['status'];
  readonly receivedVia: ChannelOrderRecord['receivedVia'];
  readonly mappingVersion: string;
  readonly reasons: readonly HoldReason[];
  readonly waybillOrderId?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export function channelOrderView(order: ChannelOrderRecord): ChannelOrderView {
  return {
    id: order.id,
    connectionId: order.connectionId,
    channel: order.channel,
    store: order.store,
    externalOrderId: order.externalOrderId,
    status: order.status,
    receivedVia: order.receivedVia,
    mappingVersion: order.mappingVersion,
    reasons: order.holdReasons ?? [],
    ...(order.waybillOrderId && { waybillOrderId: order.waybillOrderId }),
    createdAt: order.createdAt.toISOString(),
    updatedAt: order.updatedAt.toISOString(),
  };
}

export type HeldOrderPage = Page<ChannelOrderView>;

export class ChannelOrderNotFound extends DomainError {
  constructor(id: string) {
    super('CHANNELS.ORDER_NOT_FOUND', `channel order ${id} does not exist`, {
      kind: 'not-found',
      details: { id },
    });
  }
}

export class ChannelOrderNotHeld extends DomainError {
  constructor(id: string, status: string) {
    super(
      'CHANNELS.ORDER_NOT_HELD',
      `channel order ${id} is ${status}, not held: there is nothing to release`,
      {
        kind: 'conflict',
        details: { id, status },
      },
    );
  }
}

export class ChannelOrderStillHeld extends DomainError {
  constructor(id: string, reasons: readonly HoldReason[]) {
    super(
      'CHANNELS.ORDER_STILL_HELD',
      `channel order ${id} still cannot be mapped: ${reasons.map((reason) => reason.message).join('; ')}`,
      { kind: 'conflict', details: { id, reasons } },
    );
  }
}

/** The orders that wait for an operator: listed, and released once the SKU table or mapping is fixed. */
@Injectable()
export class HeldOrders {
  constructor(
    private readonly dataSource: DataSource,
    private readonly orders: ChannelOrderRepository,
    private readonly connections: ConnectionQueries,
    private readonly takeIn: TakeInOrder,
  ) {}

  async list(page: { connectionId?: string; cursor?: string; limit: number }): Promise<HeldOrderPage> {
    const rows = await this.orders.listHeld(this.dataSource, {
      connectionId: page.connectionId,
      after: page.cursor,
      limit: page.limit + 1,
    });
    return pageOf(rows, page.limit, channelOrderView, (view) => view.id);
  }

  async get(id: string): Promise<ChannelOrderView> {
    const order = await this.orders.get(this.dataSource, id);
    if (!order) {
      throw new ChannelOrderNotFound(id);
    }
    return channelOrderView(order);
  }

  /**
   * Maps the stored payload again with today's SKU table and mapping; submitted if it now maps.
   * If it still does not, nothing changes and the answer (409) names every reason left.
   */
  async release(uow: UnitOfWork, id: string): Promise<ChannelOrderView> {
    const order = await this.orders.lock(uow.manager, id);
    if (!order) {
      throw new ChannelOrderNotFound(id);
    }
    if (order.status !== 'held') {
      throw new ChannelOrderNotHeld(id, order.status);
    }
    const connection = await this.connections.get(order.connectionId);
    const released = await this.takeIn.release(uow, connection, order);
    if (released.reasons) {
      throw new ChannelOrderStillHeld(id, released.reasons);
    }
    return channelOrderView(released.order);
  }
}
