import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Outbox } from '@waybill/eventing';
import { AdvanceOrder } from '../advance-order/advance-order.service';
import { OrderNotFound } from '../order-errors';
import { OrderQueries } from '../query-orders/order-queries.service';
import { OrderReader } from '../query-orders/order-reader';
import { OrderView } from '../query-orders/order-view';

/**
 * `POST /v1/orders/:id/cancel`: a storefront cancels for its customer, an operator for itself.
 * Cancelling a cancelled order answers with it unchanged; a shipped, delivered or rejected order
 * is refused (409 naming the status).
 */
@Injectable()
export class CancelOrder {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    private readonly advanceOrder: AdvanceOrder,
    private readonly queries: OrderQueries,
  ) {}

  async execute(reader: OrderReader, orderId: string): Promise<OrderView> {
    return this.dataSource.transaction(async (manager) => {
      await this.advanceOrder.apply(
        { manager, publish: (events) => this.outbox.enqueue(manager, events) },
        orderId,
        { type: 'cancel-requested', requestedBy: reader.kind === 'admin' ? 'operator' : 'customer' },
        { reader },
      );
      const view = await this.queries.viewOf(manager, orderId);
      if (!view) {
        throw new OrderNotFound(orderId);
      }
      return view;
    });
  }
}
