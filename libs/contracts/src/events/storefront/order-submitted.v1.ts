import { EventContract } from '../../registry/event-contract';
import { TOPICS } from '../../topics';
import { Customer } from '../common/customer';
import {
  Describe,
  IsCurrencyCode,
  IsExternalId,
  IsMoney,
  IsNestedArray,
  IsNestedObject,
  IsSlug,
  IsTimestamp,
  MAX_LINES,
  OptionalProperty,
} from '../common/field-rules';
import { OrderLine } from '../common/order-line';
import { PaymentToken } from '../common/payment-token';
import { PostalAddress } from '../common/postal-address';

/** The Kafka alternative to `POST /v1/orders`; (storefrontId, storefrontOrderId) makes a resend harmless. */
@EventContract({
  type: 'waybill.storefront.order-submitted.v1',
  topic: TOPICS.storefrontOrders,
  description:
    'A storefront submits an order (instead of POST /v1/orders). Key and ce_subject: storefrontOrderId; ce_source: /storefronts/<storefrontId>.',
})
export class StorefrontOrderSubmittedV1 {
  @IsSlug()
  storefrontId!: string;

  @Describe("The storefront's own order id; resubmitting the same id places no second order.")
  @IsExternalId()
  storefrontOrderId!: string;

  @IsNestedObject(() => Customer)
  customer!: Customer;

  @IsNestedArray(() => OrderLine, 1, MAX_LINES)
  lines!: OrderLine[];

  @IsCurrencyCode()
  currency!: string;

  @OptionalProperty()
  @Describe(
    'What the customer pays in total, in minor units, including shipping and tax; the sum of the lines if absent.',
  )
  @IsMoney()
  totalAmount?: number;

  @IsNestedObject(() => PostalAddress)
  shippingAddress!: PostalAddress;

  @IsNestedObject(() => PaymentToken)
  payment!: PaymentToken;

  @OptionalProperty()
  @Describe('When the customer checked out.')
  @IsTimestamp()
  submittedAt?: string;
}
