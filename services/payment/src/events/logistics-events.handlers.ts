import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { ShipmentCreatedV1 } from '@waybill/contracts';
import { EventContext } from '@waybill/eventing';
import { AdvancePayment } from '../advance-payment/advance-payment.service';

/** The goods left: the authorized payment is captured. */
@Controller()
export class LogisticsEventHandlers {
  constructor(private readonly advancePayment: AdvancePayment) {}

  @EventPattern('waybill.shipment.created.v1')
  shipmentCreated(@Payload() shipment: ShipmentCreatedV1, @Ctx() ctx: EventContext): Promise<void> {
    return this.advancePayment.execute(ctx, { type: 'shipment-created', shipment });
  }
}
