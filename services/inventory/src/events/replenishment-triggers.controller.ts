import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { ReplenishmentRunRequestedV1 } from '@waybill/contracts';
import { EventContext, OWN_TRANSACTION } from '@waybill/eventing';
import { ReplenishmentService } from '../replenishment/replenishment.service';

/** Runs asked for by an ERP or planner on `waybill.replenishment.triggers`; invalid ones go to the DLQ. */
@Controller()
export class ReplenishmentTriggersController {
  constructor(private readonly replenishment: ReplenishmentService) {}

  // Locks stock rows that many messages share: never in a run with other messages.
  @EventPattern('waybill.replenishment.run-requested.v1', OWN_TRANSACTION)
  async onRunRequested(
    @Payload() event: ReplenishmentRunRequestedV1,
    @Ctx() ctx: EventContext,
  ): Promise<void> {
    const { events } = await this.replenishment.runIn(ctx.manager, event.skus, 'external');
    await ctx.publish(events);
  }
}
