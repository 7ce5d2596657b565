/**
 * Shopify `orders/create` (REST resource shape, the same in orders/updated and orders/cancelled) →
 * canonical order. Amounts are read as shop money: `currency` is the shop's, and `price`,
 * `total_price` etc. are in it; `*_set.shop_money.currency_code` is checked where it is sent.
 * The order id is int64 and exceeds 2^53, so it is read from the raw body's digits.
 *
 * The Admin GraphQL order the reconciliation poller brings (shopify-graphql-order.ts) says the same
 * things under other names: each mapper only reads its shape into a ShopifyOrderReading, and
 * mapShopifyReading turns either into the draft the same way, so a webhook and a poll of one order
 * give one canonical order.
 */
import type { MappingOutcome } from '../domain/canonical-order';
import { externalIdAt, IdResult } from '../domain/external-id';
import {
  beginMapping,
  DraftLine,
  finishMapping,
  isRecord,
  lineLabel,
  MapOptions,
  optionalText,
  PayloadReasons,
  PayloadStart,
  personName,
  records,
  sumAmounts,
} from '../domain/map-order';
import type { Amount } from '../domain/order-totals';
import { fromIsoWithOffset } from '../domain/times';

/** An amount, named by where it stands in the payload, with the shop currency its MoneyBag names. */
export interface ShopMoney {
  readonly part: string;
  readonly amount: unknown;
  readonly shopCurrency?: unknown;
}

/** What either Shopify shape says about an order, each value still as the payload gives it. */
export interface ShopifyOrderReading {
  /** `line_items` / `lineItems`: named in the reason when there are none. */
  readonly linesPart: string;
  readonly lines: readonly {
    readonly label: string;
    readonly sku: unknown;
    readonly quantity: unknown;
    readonly price: ShopMoney;
  }[];
  readonly shipping: readonly ShopMoney[];
  readonly tax: ShopMoney;
  readonly discounts: ShopMoney;
  readonly total: ShopMoney;
  readonly taxesIncluded: unknown;
  readonly email: { readonly part: string; readonly value: unknown };
  readonly customerId: IdResult;
  readonly customerPhone: unknown;
  /** Absent when the payload has no address object; `part` names it and prefixes its fields. */
  readonly address: {
    readonly part: string;
    readonly present: boolean;
    readonly firstName: unknown;
    readonly lastName: unknown;
    readonly line1: { readonly part: string; readonly value: unknown };
    readonly line2: unknown;
    readonly city: { readonly part: string; readonly value: unknown };
    readonly provinceCode: unknown;
    readonly province: unknown;
    readonly zip: { readonly part: string; readonly value: unknown };
    readonly countryCode: unknown;
    readonly country: unknown;
    readonly phone: unknown;
  };
  readonly createdAt: { readonly part: string; readonly value: unknown };
  readonly note: unknown;
}

export async function mapShopifyOrder(
  rawBody: string,
  options: Omit<MapOptions, 'payload'>,
): Promise<MappingOutcome> {
  const begun = beginMapping(rawBody, options, '/id');
  if (!begun.ok) {
    return begun.outcome;
  }
  const { order, json } = begun.start;
  const shopCurrency = (set: unknown): unknown =>
    isRecord(set) && isRecord(set.shop_money) ? set.shop_money.currency_code : undefined;
  const bag = (part: string, amount: unknown, set: unknown): ShopMoney => ({
    part,
    amount,
    shopCurrency: shopCurrency(set),
  });
  const customer = isRecord(order.customer) ? order.customer : {};
  const address = isRecord(order.shipping_address) ? order.shipping_address : {};
  return mapShopifyReading(
    begun.start,
    {
      linesPart: 'line_items',
      lines: records(order.line_items).map((item, index) => ({
        label: `line_items[${index}]`,
        sku: item.sku,
        quantity: item.quantity,
        price: bag(`line_items[${index}].price`, item.price, item.price_set),
      })),
      shipping: records(order.shipping_lines).map((line, index) =>
        bag(`shipping_lines[${index}].price`, line.price, line.price_set),
      ),
      tax: bag('total_tax', order.total_tax, order.total_tax_set),
      discounts: bag('total_discounts', order.total_discounts, order.total_discounts_set),
      total: bag('total_price', order.total_price, order.total_price_set),
      taxesIncluded: order.taxes_included,
      email: { part: 'email', value: order.email ?? customer.email },
      customerId: externalIdAt(json, '/customer/id'),
      customerPhone: customer.phone,
      address: {
        part: 'shipping_address',
        present: isRecord(order.shipping_address),
        firstName: address.first_name,
        lastName: address.last_name,
        line1: { part: 'shipping_address.address1', value: address.address1 },
        line2: address.address2,
        city: { part: 'shipping_address.city', value: address.city },
        provinceCode: address.province_code,
        province: address.province,
        zip: { part: 'shipping_address.zip', value: address.zip },
        countryCode: address.country_code,
        country: address.country,
        phone: address.phone,
      },
      createdAt: { part: 'created_at', value: order.created_at },
      note: order.note,
    },
    options,
  );
}

/** The one way a Shopify order, of either shape, becomes the draft and the mapping outcome. */
export async function mapShopifyReading(
  start: PayloadStart,
  reading: ShopifyOrderReading,
  options: Omit<MapOptions, 'payload'>,
): Promise<MappingOutcome> {
  const { order, reasons, externalOrderId, currency } = start;
  const money = ({ part, amount: value, shopCurrency }: ShopMoney): Amount => {
    const amount = reasons.money(part, value, currency);
    // The MoneyBag's shop currency, where present, is what the amount is really in.
    return typeof shopCurrency === 'string' ? { ...amount, currency: shopCurrency } : amount;
  };

  const lines: DraftLine[] = reading.lines.map((item) => {
    const quantity = reasons.quantity(`${item.label}.quantity`, item.quantity);
    const price = money(item.price);
    return {
      label: lineLabel(item.label, item.sku),
      channelSku: typeof item.sku === 'string' ? item.sku : null,
      quantity,
      amount: { minor: lineAmount(reasons, item.label, price.minor, quantity), currency: price.currency },
    };
  });
  if (lines.length === 0) {
    reasons.add(reading.linesPart, 'the order has no line items');
  }
  const shipping = sumAmounts(reading.shipping.map(money), currency);

  const email = reasons.text(reading.email.part, reading.email.value);
  const { address } = reading;
  if (!address.present) {
    reasons.add(address.part, 'the order has no shipping address');
  }
  const createdText = reading.createdAt.value;
  const created = fromIsoWithOffset(typeof createdText === 'string' ? createdText : '');
  if (!created.ok) {
    reasons.add(reading.createdAt.part, created.message);
  }

  return finishMapping(
    {
      externalOrderId,
      currency,
      // A guest checkout has no customer; the email is then the only stable name for the buyer.
      customer: { id: reading.customerId.ok ? reading.customerId.id : `guest:${email}`, email },
      address: {
        name: personName(address.firstName, address.lastName),
        line1: reasons.text(address.line1.part, address.line1.value),
        line2: optionalText(address.line2),
        city: reasons.text(address.city.part, address.city.value),
        region: optionalText(address.provinceCode) ?? optionalText(address.province),
        postalCode: reasons.text(address.zip.part, address.zip.value),
        country: optionalText(address.countryCode) ?? optionalText(address.country) ?? '',
        phone: optionalText(address.phone) ?? optionalText(reading.customerPhone),
      },
      lines,
      totals: {
        shipping,
        tax: money(reading.tax),
        discounts: money(reading.discounts),
        total: money(reading.total),
        // taxes included: the line and shipping prices contain the tax; the tax is only its share.
        taxesIncluded: reading.taxesIncluded === true,
      },
      submittedAt: created.ok ? created.utc : undefined,
      notes: optionalText(reading.note),
    },
    reasons,
    { ...options, payload: order },
  );
}

/** Shopify states only the unit price; price × quantity past 2^53 would silently round. */
function lineAmount(reasons: PayloadReasons, label: string, unitPrice: number, quantity: number): number {
  const amount = unitPrice * quantity;
  if (!Number.isSafeInteger(amount)) {
    reasons.add(
      label,
      `${label}: ${quantity} × ${unitPrice} is more than ${Number.MAX_SAFE_INTEGER} minor units`,
    );
    return 0;
  }
  return amount;
}
