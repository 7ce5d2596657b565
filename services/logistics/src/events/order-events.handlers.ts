import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { OrderCancelledV1, OrderConfirmedV1 } from '@waybill/contracts';
import { EventContext, OWN_TRANSACTION } from '@waybill/eventing';
import { BookShipment } from '../book-shipment/book-shipment.service';
import { CancelShipment } from '../cancel-shipment/cancel-shipment.service';

/**
 * The order events logistics acts on. Both call a carrier, so each message gets its own
 * transaction: a slow or failing carrier call must not hold or roll back a run of other orders.
 */
@Controller()
export class OrderEventHandlers {
  constructor(
    private readonly book: BookShipment,
    private readonly cancel: CancelShipment,
  ) {}

  @EventPattern('waybill.order.confirmed.v1', OWN_TRANSACTION)
  orderConfirmed(@Payload() order: OrderConfirmedV1, @Ctx() ctx: EventContext): Promise<void> {
    return this.book.execute(ctx, { order });
  }

  @EventPattern('waybill.order.cancelled.v1', OWN_TRANSACTION)
  orderCancelled(@Payload() cancelled: OrderCancelledV1, @Ctx() ctx: EventContext): Promise<void> {
    return this.cancel.execute(ctx, { cancelled });
  }
}
