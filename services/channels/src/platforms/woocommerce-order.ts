/**
 * WooCommerce `order.created` (the body is the full v3 REST order) → canonical order.
 *
 * Totals: WooCommerce stores line `subtotal`/`total`, `shipping_total`, `discount_total` and fee
 * totals without tax even when the shop enters prices with tax (`prices_include_tax`), and keeps
 * the tax apart in `total_tax`. So the check is always subtotals + shipping + fees + total_tax −
 * discount_total = total; `prices_include_tax` changes how the shop shows prices, not the sum.
 * Line `price` is typed a string but sent as a number (3, or 3.3333 for 10.00 / 3): it is never
 * read; the line's money is its `subtotal`, and the SKU step splits it into whole unit prices.
 * Dates come from the `_gmt` fields; `date_created` is site time without an offset.
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
  personName,
  records,
  sumAmounts,
} from '../domain/map-order';
import { fromWooGmt } from '../domain/times';

export async function mapWooCommerceOrder(
  rawBody: string,
  options: Omit<MapOptions, 'payload'>,
): Promise<MappingOutcome> {
  const begun = beginMapping(rawBody, options, '/id');
  if (!begun.ok) {
    return begun.outcome;
  }
  const { order, json, reasons, externalOrderId, currency } = begun.start;

  const lines: DraftLine[] = records(order.line_items).map((item, index) => {
    const label = `line_items[${index}]`;
    return {
      label: lineLabel(label, item.sku),
      channelSku: typeof item.sku === 'string' ? item.sku : null,
      quantity: reasons.quantity(`${label}.quantity`, item.quantity),
      amount: reasons.money(`${label}.subtotal`, item.subtotal, currency),
    };
  });
  if (lines.length === 0) {
    reasons.add('line_items', 'the order has no line items');
  }
  const fees = sumAmounts(
    records(order.fee_lines).map((fee, index) =>
      reasons.money(`fee_lines[${index}].total`, fee.total, currency),
    ),
    currency,
  );

  const billing = isRecord(order.billing) ? order.billing : {};
  // Orders of virtual goods have an empty shipping address; the billing address is then the one.
  const shipping =
    isRecord(order.shipping) && optionalText(order.shipping.address_1) ? order.shipping : billing;
  const email = reasons.text('billing.email', billing.email);
  const customerId = externalIdAt(json, '/customer_id');
  const created = fromWooGmt(typeof order.date_created_gmt === 'string' ? order.date_created_gmt : '');
  if (!created.ok) {
    reasons.add('date_created_gmt', created.message);
  }

  return finishMapping(
    {
      externalOrderId,
      currency,
      // customer_id 0 is a guest; the email is then the only stable name for the buyer.
      customer: { id: customerId.ok && customerId.id !== '0' ? customerId.id : `guest:${email}`, email },
      address: {
        name: personName(shipping.first_name, shipping.last_name),
        line1: reasons.text('shipping.address_1', shipping.address_1),
        line2: optionalText(shipping.address_2),
        city: reasons.text('shipping.city', shipping.city),
        region: optionalText(shipping.state),
        postalCode: reasons.text('shipping.postcode', shipping.postcode),
        country: optionalText(shipping.country) ?? '',
        // Shipping phone exists since WooCommerce 5.6; older stores have only the billing one.
        phone: optionalText(shipping.phone) ?? optionalText(billing.phone),
      },
      lines,
      totals: {
        shipping: reasons.money('shipping_total', order.shipping_total, currency),
        fees,
        tax: reasons.money('total_tax', order.total_tax, currency),
        discounts: reasons.money('discount_total', order.discount_total, currency),
        total: reasons.money('total', order.total, currency),
        taxesIncluded: false,
      },
      submittedAt: created.ok ? created.utc : undefined,
      notes: optionalText(order.customer_note),
    },
    reasons,
    { ...options, payload: order },
  );
}
