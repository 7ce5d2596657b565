import { Controller, Logger } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { StorefrontOrderSubmittedV1 } from '@waybill/contracts';
import { EventContext, PermanentEventError } from '@waybill/eventing';
import { InvalidOrder } from '../order-errors';
import { PlaceOrder } from '../place-order/place-order.service';

/**
 * The Kafka way in for storefronts: the same use case as POST /v1/orders. A resend of an order
 * already placed (same storefront order id) is ignored; a contract-valid order that breaks a
 * business rule goes to the DLQ at once instead of being retried. So does one whose `ce_source`
 * is not `/storefronts/<storefrontId>`: over HTTP the API key decides the storefront, here the
 * envelope must at least agree with the body, so a misconfigured publisher cannot place orders
 * under another storefront's name by a typo in one of the two.
 */
@Controller()
export class StorefrontEventHandlers {
  private readonly logger = new Logger('StorefrontOrders');

  constructor(private readonly placeOrder: PlaceOrder) {}

  @EventPattern('waybill.storefront.order-submitted.v1')
  async onOrderSubmitted(
    @Payload() submitted: StorefrontOrderSubmittedV1,
    @Ctx() ctx: EventContext,
  ): Promise<void> {
    const expectedSource = `/storefronts/${submitted.storefrontId}`;
    if (ctx.event.source !== expectedSource) {
      throw new PermanentEventError(
        'ORDER.SOURCE_MISMATCH',
        `ce_source ${JSON.stringify(ctx.event.source)} does not name storefront ${submitted.storefrontId} (expected ${expectedSource})`,
      );
    }
    try {
      const outcome = await this.placeOrder.execute(ctx, {
        storefrontId: submitted.storefrontId,
        storefrontOrderId: submitted.storefrontOrderId,
        customer: submitted.customer,
        lines: submitted.lines,
        currency: submitted.currency,
        totalAmount: submitted.totalAmount,
        shippingAddress: submitted.shippingAddress,
        payment: submitted.payment,
        cause: ctx.cause,
      });
      if (outcome.kind === 'duplicate') {
        this.logger.log(
          `storefront ${submitted.storefrontId} resent order ${submitted.storefrontOrderId} (already order ${outcome.orderId}); ignored`,
        );
      }
    } catch (error) {
      if (error instanceof InvalidOrder) {
        throw new PermanentEventError(error.code, error.message);
      }
      throw error;
    }
  }
}
