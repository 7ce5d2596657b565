import {
  Customer,
  IsCurrencyCode,
  IsExternalId,
  IsMoney,
  IsNestedArray,
  IsNestedObject,
  MAX_LINES,
  OptionalProperty,
  OrderLine,
  PaymentToken,
  PostalAddress,
} from '@waybill/contracts';

/**
 * `POST /v1/orders`. The nested classes are the event contracts' own, so the HTTP and Kafka ways
 * in accept exactly the same orders; the storefront id comes from the API key, not the body.
 */
export class PlaceOrderBody {
  @IsExternalId()
  storefrontOrderId!: string;

  @IsNestedObject(() => Customer)
  customer!: Customer;

  @IsNestedArray(() => OrderLine, 1, MAX_LINES)
  lines!: OrderLine[];

  @IsCurrencyCode()
  currency!: string;

  @IsNestedObject(() => PostalAddress)
  shippingAddress!: PostalAddress;

  @IsNestedObject(() => PaymentToken)
  payment!: PaymentToken;

  /** Including shipping and tax; the sum of the lines when absent. */
  @OptionalProperty()
  @IsMoney()
  totalAmount?: number;
}
