import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { StockReservedV1 } from '@waybill/contracts';
import { EventContext } from '@waybill/eventing';
import { AdvancePayment } from '../advance-payment/advance-payment.service';

/** Stock reserved: with the order placed seen too, the payment is authorized. */
@Controller()
export class InventoryEventHandlers {
  constructor(private readonly advancePayment: AdvancePayment) {}

  @EventPattern('waybill.inventory.stock-reserved.v1')
  stockReserved(@Payload() stock: StockReservedV1, @Ctx() ctx: EventContext): Promise<void> {
    return this.advancePayment.execute(ctx, { type: 'stock-reserved', stock });
  }
}
