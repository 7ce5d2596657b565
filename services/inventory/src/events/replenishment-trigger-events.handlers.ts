import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { ReplenishmentRunRequestedV1 } from '@waybill/contracts';
import { EventContext, OWN_TRANSACTION } from '@waybill/eventing';
import { RunReplenishment } from '../replenishment/replenishment.service';

/** Runs asked for by an ERP or planner on `waybill.replenishment.triggers`; invalid ones go to the DLQ. */
@Controller()
export class ReplenishmentTriggerEventHandlers {
  constructor(private readonly runReplenishment: RunReplenishment) {}

  // Locks stock rows that many messages share: never in a run with other messages.
  @EventPattern('waybill.replenishment.run-requested.v1', OWN_TRANSACTION)
  async onRunRequested(
    @Payload() event: ReplenishmentRunRequestedV1,
    @Ctx() ctx: EventContext,
  ): Promise<void> {
    await this.runReplenishment.execute(ctx, { skus: event.skus, trigger: 'external' });
  }
}
