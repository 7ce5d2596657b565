import { Describe, IsExternalId, IsSlug } from './field-rules';

/**
 * How the customer pays, as Waybill passes it between services. Never a card number or a
 * one-time token: events are stored in outboxes, topics and DLQs for days.
 */
export class PaymentMethodRef {
  @Describe('Payment provider, e.g. stripe; the name used in /v1/webhooks/payments/:provider.')
  @IsSlug()
  provider!: string;

  @Describe(
    "Reference to the payment method at the provider (e.g. a vaulted payment method id), usable only with Waybill's provider credentials.",
  )
  @IsExternalId(256)
  paymentMethodRef!: string;
}
