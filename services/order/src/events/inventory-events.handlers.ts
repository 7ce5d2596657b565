import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { StockRejectedV1, StockReleasedV1, StockReservedV1 } from '@waybill/contracts';
import { EventContext } from '@waybill/eventing';
import { AdvanceOrder } from '../advance-order/advance-order.service';
import { advanceOnEvent } from './advance-on-event';

/** Inventory's answers move the order saga: reserved, rejected, released. */
@Controller()
export class InventoryEventHandlers {
  constructor(private readonly advanceOrder: AdvanceOrder) {}

  @EventPattern('waybill.inventory.stock-reserved.v1')
  async onStockReserved(@Payload() event: StockReservedV1, @Ctx() ctx: EventContext): Promise<void> {
    await advanceOnEvent(this.advanceOrder, ctx, event.orderId, {
      type: 'stock-reserved',
      reservationId: event.reservationId,
    });
  }

  @EventPattern('waybill.inventory.stock-rejected.v1')
  async onStockRejected(@Payload() event: StockRejectedV1, @Ctx() ctx: EventContext): Promise<void> {
    await advanceOnEvent(this.advanceOrder, ctx, event.orderId, {
      type: 'stock-rejected',
      reason: event.reason,
      shortLines: event.shortLines,
    });
  }

  @EventPattern('waybill.inventory.stock-released.v1')
  async onStockReleased(@Payload() event: StockReleasedV1, @Ctx() ctx: EventContext): Promise<void> {
    await advanceOnEvent(this.advanceOrder, ctx, event.orderId, {
      type: 'stock-released',
      reservationId: event.reservationId,
      reason: event.reason,
    });
  }
}
