import { IsUUID } from 'class-validator';
import { EventContract } from '../../registry/event-contract';
import { TOPICS } from '../../topics';
import { Customer } from '../common/customer';
import {
  Describe,
  IsCurrencyCode,
  IsMoney,
  IsNestedArray,
  IsNestedObject,
  IsSlug,
  IsTimestamp,
  MAX_LINES,
} from '../common/field-rules';
import { OrderLine } from '../common/order-line';
import { PostalAddress } from '../common/postal-address';

/**
 * Carries what logistics needs to book the shipment (lines, address, customer), so logistics does
 * not have to keep a copy of every order.placed it sees.
 */
@EventContract({
  type: 'waybill.order.confirmed.v1',
  topic: TOPICS.order,
  description: 'Stock is reserved and payment authorized: the order can be shipped. Key: orderId.',
})
export class OrderConfirmedV1 {
  @IsUUID()
  orderId!: string;

  @IsSlug()
  storefrontId!: string;

  @IsUUID()
  reservationId!: string;

  @IsUUID()
  paymentId!: string;

  @IsNestedObject(() => Customer)
  customer!: Customer;

  @IsNestedArray(() => OrderLine, 1, MAX_LINES)
  lines!: OrderLine[];

  @IsCurrencyCode()
  currency!: string;

  @Describe('What the customer pays in total, in minor units.')
  @IsMoney()
  totalAmount!: number;

  @IsNestedObject(() => PostalAddress)
  shippingAddress!: PostalAddress;

  @IsTimestamp()
  confirmedAt!: string;
}
