import { IsExternalId, IsSlug, OptionalProperty } from '@waybill/contracts';

/** `GET /v1/orders?storefrontOrderId=…` (operators may add `storefrontId=…`). */
export class FindOrdersQuery {
  @IsExternalId()
  storefrontOrderId!: string;

  /** Ignored for storefronts, which only ever see their own orders. */
  @OptionalProperty()
  @IsSlug()
  storefrontId?: string;
}
