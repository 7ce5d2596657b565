import { Controller, Logger } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { StorefrontOrderCancellationRequestedV1, StorefrontOrderSubmittedV1 } from '@waybill/contracts';
import { EventContext, PermanentEventError } from '@waybill/eventing';
import { CancelStorefrontOrder } from '../advance-order/cancel-storefront-order.service';
import { InvalidOrder } from '../order-errors';
import { PlaceOrder } from '../place-order/place-order.service';

/**
 * The Kafka way in for storefronts: the same use cases as POST /v1/orders and its cancel. A resend
 * of an order already placed (same storefront order id) is ignored; a contract-valid order that
 * breaks a business rule goes to the DLQ at once instead of being retried. So does an event whose
 * `ce_source` is not `/storefronts/<storefrontId>`: over HTTP the API key decides the storefront,
 * here the envelope must at least agree with the body, so a misconfigured publisher cannot place or
 * cancel orders under another storefront's name by a typo in one of the two.
 */
@Controller()
export class StorefrontEventHandlers {
  private readonly logger = new Logger('StorefrontOrders');

  constructor(
    private readonly placeOrder: PlaceOrder,
    private readonly cancelStorefrontOrder: CancelStorefrontOrder,
  ) {}

  @EventPattern('waybill.storefront.order-submitted.v1')
  async onOrderSubmitted(
    @Payload() submitted: StorefrontOrderSubmittedV1,
    @Ctx() ctx: EventContext,
  ): Promise<void> {
    requireSourceOf(submitted.storefrontId, ctx);
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

  /**
   * A cancellation shares its submission's topic and key (storefrontOrderId), so it is consumed
   * after the submission it follows: an order not found is not one still on its way. Either its
   * submission never placed an order (it went to the DLQ), it was placed over HTTP under another
   * id, or the publisher sent the two the wrong way round. Retrying cannot help and ignoring it
   * could ship goods the customer cancelled, so it goes to the DLQ, where it can be replayed once
   * the order exists. Too late (shipped, delivered, rejected) is the answer the customer would get
   * over HTTP, a business outcome: logged, not a dead letter. Already cancelled changes nothing.
   */
  @EventPattern('waybill.storefront.order-cancellation-requested.v1')
  async onOrderCancellationRequested(
    @Payload() requested: StorefrontOrderCancellationRequestedV1,
    @Ctx() ctx: EventContext,
  ): Promise<void> {
    requireSourceOf(requested.storefrontId, ctx);
    const { storefrontId, storefrontOrderId } = requested;
    const outcome = await this.cancelStorefrontOrder.execute(ctx, {
      storefrontId,
      storefrontOrderId,
      cause: ctx.cause,
    });
    const order = `storefront ${storefrontId} order ${storefrontOrderId}`;
    switch (outcome.kind) {
      case 'not-found':
        throw new PermanentEventError(
          'ORDER.STOREFRONT_ORDER_NOT_FOUND',
          `cancellation requested for ${order}, which placed no order`,
        );
      case 'not-cancellable':
        this.logger.warn(
          `cancellation requested for ${order} (order ${outcome.orderId}), which is ${outcome.status} and can no longer be cancelled; ignored`,
        );
        return;
      case 'already-cancelled':
        this.logger.log(`cancellation requested for ${order} (order ${outcome.orderId}), already cancelled`);
        return;
      case 'cancelled':
        // The reason is the storefront's free text: quoted, so it cannot forge a log line.
        this.logger.log(
          `cancelled ${order} (order ${outcome.orderId}) at the storefront's request${
            requested.reason === undefined ? '' : `: ${JSON.stringify(requested.reason)}`
          }`,
        );
        return;
    }
  }
}

function requireSourceOf(storefrontId: string, ctx: EventContext): void {
  const expectedSource = `/storefronts/${storefrontId}`;
  if (ctx.event.source !== expectedSource) {
    throw new PermanentEventError(
      'ORDER.SOURCE_MISMATCH',
      `ce_source ${JSON.stringify(ctx.event.source)} does not name storefront ${storefrontId} (expected ${expectedSource})`,
    );
  }
}
