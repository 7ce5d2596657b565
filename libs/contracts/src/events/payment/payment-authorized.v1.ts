import { IsUUID } from 'class-validator';
import { EventContract } from '../../registry/event-contract';
import { TOPICS } from '../../topics';
import {
  Describe,
  IsCurrencyCode,
  IsExternalId,
  IsMoney,
  IsSlug,
  IsTimestamp,
  OptionalProperty,
} from '../common/field-rules';

@EventContract({
  type: 'waybill.payment.authorized.v1',
  topic: TOPICS.payment,
  description: 'The provider authorized the order amount; it is held, not yet captured. Key: orderId.',
})
export class PaymentAuthorizedV1 {
  @IsUUID()
  orderId!: string;

  @IsUUID()
  paymentId!: string;

  @IsSlug()
  provider!: string;

  @Describe("The provider's id of the payment, for support and reconciliation.")
  @IsExternalId()
  providerPaymentRef!: string;

  @IsMoney()
  amount!: number;

  @IsCurrencyCode()
  currency!: string;

  @IsTimestamp()
  authorizedAt!: string;

  @OptionalProperty()
  @Describe('When the provider drops the authorization unless it is captured.')
  @IsTimestamp()
  expiresAt?: string;
}
