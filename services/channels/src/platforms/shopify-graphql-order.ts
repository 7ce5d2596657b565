/**
 * A Shopify Admin GraphQL `Order` node, as the reconciliation poller stores it (payload format
 * `shopify-graphql`, the fields SHOPIFY_ORDER_FIELDS in shopify.api.ts asks for) → canonical order.
 * The webhook's REST resource says the same things under other names; this file only reads the
 * node's names into a ShopifyOrderReading, and shopify-order.ts maps either reading the same way.
 * GraphQL gives 64-bit ids as strings: the external order id is `legacyResourceId`, the decimal
 * digits of the REST `id`, so (channel, store, external order id) dedupes a poll against a webhook.
 */
import type { MappingOutcome } from '../domain/canonical-order';
import { externalIdAt } from '../domain/external-id';
import { beginMapping, isRecord, MapOptions, records } from '../domain/map-order';
import { mapShopifyReading, ShopMoney } from './shopify-order';

export async function mapShopifyGraphqlOrder(
  rawBody: string,
  options: Omit<MapOptions, 'payload'>,
): Promise<MappingOutcome> {
  const begun = beginMapping(rawBody, options, '/legacyResourceId', 'currencyCode');
  if (!begun.ok) {
    return begun.outcome;
  }
  const { order, json } = begun.start;
  // A MoneyBag: `{shopMoney: {amount, currencyCode}}`; the amount is a decimal string.
  const bag = (part: string, set: unknown): ShopMoney => {
    const shop = isRecord(set) && isRecord(set.shopMoney) ? set.shopMoney : {};
    return { part: `${part}.shopMoney.amount`, amount: shop.amount, shopCurrency: shop.currencyCode };
  };
  const lineItems = isRecord(order.lineItems) ? records(order.lineItems.nodes) : [];
  const customer = isRecord(order.customer) ? order.customer : {};
  const address = isRecord(order.shippingAddress) ? order.shippingAddress : {};
  return mapShopifyReading(
    begun.start,
    {
      linesPart: 'lineItems',
      lines: lineItems.map((item, index) => {
        const label = `lineItems.nodes[${index}]`;
        return {
          label,
          sku: item.sku,
          quantity: item.quantity,
          price: bag(`${label}.originalUnitPriceSet`, item.originalUnitPriceSet),
        };
      }),
      shipping: [bag('totalShippingPriceSet', order.totalShippingPriceSet)],
      tax: bag('totalTaxSet', order.totalTaxSet),
      discounts: bag('totalDiscountsSet', order.totalDiscountsSet),
      total: bag('totalPriceSet', order.totalPriceSet),
      taxesIncluded: order.taxesIncluded,
      email: { part: 'email', value: order.email ?? customer.email },
      customerId: externalIdAt(json, '/customer/legacyResourceId'),
      customerPhone: customer.phone,
      address: {
        part: 'shippingAddress',
        present: isRecord(order.shippingAddress),
        firstName: address.firstName,
        lastName: address.lastName,
        line1: { part: 'shippingAddress.address1', value: address.address1 },
        line2: address.address2,
        city: { part: 'shippingAddress.city', value: address.city },
        provinceCode: address.provinceCode,
        province: address.province,
        zip: { part: 'shippingAddress.zip', value: address.zip },
        countryCode: address.countryCodeV2,
        country: address.country,
        phone: address.phone,
      },
      createdAt: { part: 'createdAt', value: order.createdAt },
      note: order.note,
    },
    options,
  );
}
