/** Who looks at orders: a storefront sees only its own, an operator sees all. */
export type OrderReader =
  { readonly kind: 'admin' } | { readonly kind: 'storefront'; readonly storefrontId: string };

export function canSee(reader: OrderReader, order: { readonly storefrontId: string }): boolean {
  return reader.kind === 'admin' || reader.storefrontId === order.storefrontId;
}
