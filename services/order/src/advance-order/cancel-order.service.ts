import { Injectable } from '@nestjs/common';
import type { UnitOfWork } from '@waybill/eventing';
import { AdvanceOrder } from './advance-order.service';
import { OrderNotFound } from '../order-errors';
import { OrderRepository } from '../persistence/order.repository';
import { OrderReader } from '../policies/order-reader';
import { OrderView, orderViewOf } from '../policies/order-view';

export interface CancelOrderCommand {
  /** Who asks: a storefront cancels for its customer (only its own orders), an operator for itself. */
  readonly reader: OrderReader;
  readonly orderId: string;
}

/**
 * `POST /v1/orders/:id/cancel`. Cancelling a cancelled order answers with it unchanged; a shipped,
 * delivered or rejected order is refused (409 naming the status).
 */
@Injectable()
export class CancelOrder {
  constructor(
    private readonly advanceOrder: AdvanceOrder,
    private readonly orders: OrderRepository,
  ) {}

  async execute(uow: UnitOfWork, { reader, orderId }: CancelOrderCommand): Promise<OrderView> {
    await this.advanceOrder.execute(uow, {
      orderId,
      input: { type: 'cancel-requested', requestedBy: reader.kind === 'admin' ? 'operator' : 'customer' },
      reader,
    });
    const view = await orderViewOf(this.orders, uow.manager, orderId);
    if (!view) {
      throw new OrderNotFound(orderId);
    }
    return view;
  }
}
