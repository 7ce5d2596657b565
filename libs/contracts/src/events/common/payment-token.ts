import { Describe, IsExternalId, IsSlug } from './field-rules';

/**
 * What a storefront hands over to pay: the token its provider SDK returned. Only this inbound
 * event carries it; Waybill's own events carry a PaymentMethodRef instead.
 */
export class PaymentToken {
  @IsSlug()
  provider!: string;

  @Describe("Token from the provider's client SDK. Secret: never logged, never republished.")
  @IsExternalId(512)
  token!: string;
}
