/**
 * Youzan 有赞 order → canonical order. A Youzan push (`TRADE_ORDER_STATE`) is thin ({tid,
 * status, payment}); the order itself is the `full_order_info` of `youzan.trade.get`, which is
 * what this maps. Those field names come from Youzan's open API as integrators use it; the partner
 * notes do not document them, so they are the first thing to check against a real store.
 *
 * - Money: yuan strings (CNY, two decimals). Chinese retail prices include VAT and no tax is
 *   stated, so tax is 0 and taxes are included. Youzan states goods (`total_fee`), postage
 *   (`post_fee`) and what was paid (`payment`) but not one discount figure: the discount is
 *   total_fee + post_fee − payment, and the check that can fail is that the lines add up to
 *   `pay_info.total_fee` and each line is num × price.
 * - Times: `YYYY-MM-DD HH:mm:ss`, Asia/Shanghai wall clock (or the connection's zone).
 * - SKU: `outer_sku_id` (the merchant's SKU code), else `outer_item_id` for items without variants.
 * - No email: Youzan buyers are known by open id and phone. The contract requires an email, so the
 *   mapper writes `<open id>@youzan.invalid` (RFC 2606: never deliverable) and warns; an overlay
 *   can set a real one.
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
  records,
} from '../domain/map-order';
import { fromWallClock } from '../domain/times';

const ROOT = '/full_order_info';

export async function mapYouzanOrder(
  rawBody: string,
  options: Omit<MapOptions, 'payload'>,
): Promise<MappingOutcome> {
  // Youzan sells in yuan; the connection may say otherwise, the payload never names a currency.
  const begun = beginMapping(
    rawBody,
    { ...options, context: { currency: 'CNY', ...options.context } },
    `${ROOT}/order_info/tid`,
  );
  if (!begun.ok) {
    return begun.outcome;
  }
  const { order, json, reasons, externalOrderId, currency } = begun.start;
  const full = isRecord(order.full_order_info) ? order.full_order_info : {};
  const info = isRecord(full.order_info) ? full.order_info : {};
  const buyer = isRecord(full.buyer_info) ? full.buyer_info : {};
  const address = isRecord(full.address_info) ? full.address_info : {};
  const pay = isRecord(full.pay_info) ? full.pay_info : {};

  const lines: DraftLine[] = records(full.orders).map((item, index) => {
    const label = `orders[${index}]`;
    const sku = optionalText(item.outer_sku_id) ?? optionalText(item.outer_item_id) ?? '';
    const quantity = reasons.quantity(`${label}.num`, item.num);
    return {
      label: lineLabel(label, sku),
      channelSku: sku,
      quantity,
      amount: reasons.money(`${label}.total_fee`, item.total_fee, currency),
      stated: { quantity, unitPrice: reasons.money(`${label}.price`, item.price, currency) },
    };
  });
  if (lines.length === 0) {
    reasons.add('orders', 'the order has no lines');
  }
  const goods = reasons.money('pay_info.total_fee', pay.total_fee, currency);
  const postage = reasons.money('pay_info.post_fee', pay.post_fee, currency);
  const paid = reasons.money('pay_info.payment', pay.payment, currency);
  const linesSum = lines.reduce((sum, line) => sum + line.amount.minor, 0);
  if (linesSum !== goods.minor) {
    reasons.add(
      'pay_info.total_fee',
      `the lines' total_fee add up to ${linesSum}, but pay_info.total_fee is ${goods.minor}`,
    );
  }
  const discount = goods.minor + postage.minor - paid.minor;
  if (discount < 0) {
    reasons.add(
      'pay_info.payment',
      `payment ${paid.minor} is more than goods ${goods.minor} + postage ${postage.minor}`,
    );
  }

  const openId = externalIdAt(json, `${ROOT}/buyer_info/yz_open_id`);
  const buyerId = openId.ok ? openId : externalIdAt(json, `${ROOT}/buyer_info/buyer_id`);
  const customerId = buyerId.ok ? buyerId.id : reasons.text('buyer_info.yz_open_id', buyer.yz_open_id);
  const created = fromWallClock(
    typeof info.created === 'string' ? info.created : '',
    options.context.timezone,
  );
  if (!created.ok) {
    reasons.add('order_info.created', created.message);
  }

  return finishMapping(
    {
      externalOrderId,
      currency,
      customer: { id: customerId, email: `${customerId.replace(/[^A-Za-z0-9._-]/g, '_')}@youzan.invalid` },
      address: {
        name: optionalText(address.receiver_name),
        // Chinese addresses run from large to small without spaces: district, then street.
        line1: reasons.text(
          'address_info.delivery_address',
          [optionalText(address.delivery_district), optionalText(address.delivery_address)].join(''),
        ),
        city: reasons.text('address_info.delivery_city', address.delivery_city),
        region: optionalText(address.delivery_province),
        postalCode: reasons.text('address_info.delivery_postal_code', address.delivery_postal_code),
        country: optionalText(address.delivery_country) ?? '中国',
        phone: optionalText(address.receiver_tel) ?? optionalText(buyer.buyer_phone),
      },
      lines,
      totals: {
        shipping: postage,
        tax: { minor: 0, currency },
        discounts: { minor: Math.max(discount, 0), currency },
        total: paid,
        taxesIncluded: true,
      },
      submittedAt: created.ok ? created.utc : undefined,
      notes: isRecord(full.remark_info) ? optionalText(full.remark_info.buyer_message) : undefined,
      warnings: ['Youzan sends no buyer email; customer.email is a .invalid placeholder'],
    },
    reasons,
    { ...options, payload: order },
  );
}
