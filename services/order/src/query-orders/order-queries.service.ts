import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { OrderNotFound } from '../order-errors';
import { OrderRepository, Queryable } from '../persistence/order.repository';
import { canSee, OrderReader } from './order-reader';
import { OrderView, toOrderView } from './order-view';

@Injectable()
export class OrderQueries {
  constructor(
    private readonly dataSource: DataSource,
    private readonly orders: OrderRepository,
  ) {}

  /** Another storefront's order is reported exactly like an unknown one. */
  async get(reader: OrderReader, orderId: string): Promise<OrderView> {
    const view = await this.viewOf(this.dataSource, orderId);
    if (!view || !canSee(reader, view)) {
      throw new OrderNotFound(orderId);
    }
    return view;
  }

  async findByStorefrontOrderId(
    reader: OrderReader,
    storefrontOrderId: string,
    storefrontId?: string,
  ): Promise<OrderView[]> {
    const scope = reader.kind === 'storefront' ? reader.storefrontId : storefrontId;
    const orders = await this.orders.findByStorefrontOrderId(this.dataSource, storefrontOrderId, scope);
    return Promise.all(
      orders.map(async (order) => toOrderView(order, await this.orders.timeline(this.dataSource, order.id))),
    );
  }

  /** The order with its timeline, read through `manager` (inside a transaction, its own writes). */
  async viewOf(manager: Queryable, orderId: string): Promise<OrderView | undefined> {
    const order = await this.orders.find(manager, orderId);
    return order && toOrderView(order, await this.orders.timeline(manager, orderId));
  }
}
