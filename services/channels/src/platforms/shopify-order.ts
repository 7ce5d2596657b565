/**
 * Shopify `orders/create` (REST resource shape, the same in orders/updated and orders/cancelled) →
 * canonical order. Amounts are read as shop money: `currency` is the shop's, and `price`,
 * `total_price` etc. are in it; `*_set.shop_money.currency_code` is checked where it is sent.
 * The order id is int64 and exceeds 2^53, so it is read from the raw body's digits.
 */
import type { MappingOutcome } from '../domain/canonical-order';
import { externalIdAt } from '../domain/external-id';
import {
  beginMapping,
  DraftLine,
  finishMapping,
  isRecord,
  lineLabel,
  MapOptions,
  optionalText,
  PayloadReasons,
  personName,
  records,
  sumAmounts,
} from '../domain/map-order';
import type { Amount } from '../domain/order-totals';
import { fromIsoWithOffset } from '../domain/times';

export async function mapShopifyOrder(
  rawBody: string,
  options: Omit<MapOptions, 'payload'>,
): Promise<MappingOutcome> {
  const begun = beginMapping(rawBody, options, '/id');
  if (!begun.ok) {
    return begun.outcome;
  }
  const { order, json, reasons, externalOrderId, currency } = begun.start;
  const money = (part: string, value: unknown, set?: unknown): Amount => {
    const amount = reasons.money(part, value, currency);
    // The MoneyBag's shop currency, where present, is what the amount is really in.
    const shop = isRecord(set) && isRecord(set.shop_money) ? set.shop_money.currency_code : undefined;
    return typeof shop === 'string' ? { ...amount, currency: shop } : amount;
  };

  const lines: DraftLine[] = records(order.line_items).map((item, index) => {
    const label = `line_items[${index}]`;
    const quantity = reasons.quantity(`${label}.quantity`, item.quantity);
    const price = money(`${label}.price`, item.price, item.price_set);
    return {
      label: lineLabel(label, item.sku),
      channelSku: typeof item.sku === 'string' ? item.sku : null,
      quantity,
      amount: { minor: lineAmount(reasons, label, price.minor, quantity), currency: price.currency },
    };
  });
  if (lines.length === 0) {
    reasons.add('line_items', 'the order has no line items');
  }
  const shipping = sumAmounts(
    records(order.shipping_lines).map((line, index) =>
      money(`shipping_lines[${index}].price`, line.price, line.price_set),
    ),
    currency,
  );

  const customer = isRecord(order.customer) ? order.customer : {};
  const email = reasons.text('email', order.email ?? customer.email);
  const customerId = externalIdAt(json, '/customer/id');
  const address = isRecord(order.shipping_address) ? order.shipping_address : {};
  if (!isRecord(order.shipping_address)) {
    reasons.add('shipping_address', 'the order has no shipping address');
  }
  const created = fromIsoWithOffset(typeof order.created_at === 'string' ? order.created_at : '');
  if (!created.ok) {
    reasons.add('created_at', created.message);
  }

  return finishMapping(
    {
      externalOrderId,
      currency,
      // A guest checkout has no customer; the email is then the only stable name for the buyer.
      customer: { id: customerId.ok ? customerId.id : `guest:${email}`, email },
      address: {
        name: personName(address.first_name, address.last_name),
        line1: reasons.text('shipping_address.address1', address.address1),
        line2: optionalText(address.address2),
        city: reasons.text('shipping_address.city', address.city),
        region: optionalText(address.province_code) ?? optionalText(address.province),
        postalCode: reasons.text('shipping_address.zip', address.zip),
        country: optionalText(address.country_code) ?? optionalText(address.country) ?? '',
        phone: optionalText(address.phone) ?? optionalText(customer.phone),
      },
      lines,
      totals: {
        shipping,
        tax: money('total_tax', order.total_tax, order.total_tax_set),
        discounts: money('total_discounts', order.total_discounts, order.total_discounts_set),
        total: money('total_price', order.total_price, order.total_price_set),
        // taxes_included: the line and shipping prices contain the tax; total_tax is only its share.
        taxesIncluded: order.taxes_included === true,
      },
      submittedAt: created.ok ? created.utc : undefined,
      notes: optionalText(order.note),
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
