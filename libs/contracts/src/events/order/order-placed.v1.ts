import { IsUUID } from 'class-validator';
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
} from '../common/field-rules';
import { OrderLine } from '../common/order-line';
import { PaymentMethodRef } from '../common/payment-method';
import { PostalAddress } from '../common/postal-address';

@EventContract({
  type: 'waybill.order.placed.v1',
  topic: TOPICS.order,
  description: 'An order was accepted from a storefront and awaits stock and payment. Key: orderId.',
})
export class OrderPlacedV1 {
  @IsUUID()
  orderId!: string;

  @Describe('The storefront the order came from.')
  @IsSlug()
  storefrontId!: string;

  @Describe("The storefront's own order id; unique per storefront.")
  @IsExternalId()
  storefrontOrderId!: string;

  @IsNestedObject(() => Customer)
  customer!: Customer;

  @IsNestedArray(() => OrderLine, 1, MAX_LINES)
  lines!: OrderLine[];

  @IsCurrencyCode()
  currency!: string;

  @Describe('What the customer pays in total, in minor units; may include shipping and tax.')
  @IsMoney()
  totalAmount!: number;

  @IsNestedObject(() => PostalAddress)
  shippingAddress!: PostalAddress;

  @IsNestedObject(() => PaymentMethodRef)
  payment!: PaymentMethodRef;

  @IsTimestamp()
  placedAt!: string;
}
