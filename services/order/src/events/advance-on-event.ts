import { EventContext, PermanentEventError } from '@waybill/eventing';
import { AdvanceOrder } from '../advance-order/advance-order.service';
import type { SagaInput } from '../domain/order-saga';
import { OrderNotFound } from '../order-errors';

/**
 * What every saga event handler does: advance the order in the event's unit of work, the event
 * named as the cause. Our order row commits before order.placed leaves, so no other service can
 * know an order we do not: an unknown order goes to the DLQ at once, retrying cannot help.
 */
export async function advanceOnEvent(
  advanceOrder: AdvanceOrder,
  ctx: EventContext,
  orderId: string,
  input: SagaInput,
): Promise<void> {
  try {
    await advanceOrder.execute(ctx, {
      orderId,
      input,
      cause: ctx.cause,
    });
  } catch (error) {
    if (error instanceof OrderNotFound) {
      throw new PermanentEventError('ORDER.UNKNOWN_ORDER', error.message);
    }
    throw error;
  }
}
