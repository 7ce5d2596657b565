import { EventContract } from '../../registry/event-contract';
import { TOPICS } from '../../topics';
import { Describe, IsExternalId, IsSlug, IsText, IsTimestamp, OptionalProperty } from '../common/field-rules';

/**
 * On the same topic and key as the submission, so a cancellation published after its order is
 * consumed after it too.
 */
@EventContract({
  type: 'waybill.storefront.order-cancellation-requested.v1',
  topic: TOPICS.storefrontOrders,
  description:
    'A storefront asks to cancel an order it submitted, as its customer would (e.g. the order was cancelled on Shopify). Key and ce_subject: storefrontOrderId; ce_source: /storefronts/<storefrontId>.',
})
export class StorefrontOrderCancellationRequestedV1 {
  @IsSlug()
  storefrontId!: string;

  @Describe('The storefront order id the order was submitted with.')
  @IsExternalId()
  storefrontOrderId!: string;

  @OptionalProperty()
  @Describe("Why, in the storefront's words; for people reading the log, not acted on.")
  @IsText(500)
  reason?: string;

  @Describe('When the customer or merchant asked for the cancellation.')
  @IsTimestamp()
  requestedAt!: string;
}
