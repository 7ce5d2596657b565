import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { OrderNotFound } from '../order-errors';
import { OrderRepository } from '../persistence/order.repository';
import { canSee, OrderReader } from '../policies/order-reader';
import { OrderView, orderViewOf, toOrderView } from '../policies/order-view';

@Injectable()
export class OrderQueries {
  constructor(
    private readonly dataSource: DataSource,
    private readonly orders: OrderRepository,
  ) {}

  /** Another storefront's order is reported exactly like an unknown one. */
  async get(reader: OrderReader, orderId: string): Promise<OrderView> {
    const view = await orderViewOf(this.orders, this.dataSource, orderId);
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
}
