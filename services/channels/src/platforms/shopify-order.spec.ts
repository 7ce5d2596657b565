import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { StorefrontOrderSubmittedV1 } from '@waybill/contracts';
import type { MappingContext } from '../domain/canonical-order';
import type { SkuRule } from '../domain/sku-mapping';
import { mapShopifyOrder } from './shopify-order';

const raw = readFileSync(join(__dirname, 'fixtures', 'shopify-orders-create.json'), 'utf8');
const context: MappingContext = { storefrontId: 'shop-us', channel: 'shopify' };
const skuTable = new Map<string, SkuRule>([
  ['IPOD2008RED', { kind: 'sku', sku: 'IPOD-RED', multiplier: 1 }],
  ['IPOD2008BLACK', { kind: 'sku', sku: 'IPOD-BLACK', multiplier: 1 }],
]);

/** The fields of the fixture that the tests change. */
interface Editable {
  total_price: string;
  total_tax: string;
  taxes_included: boolean;
  created_at: string;
  customer: unknown;
  shipping_address?: unknown;
  line_items: { sku: string }[];
  shipping_lines: { price_set: { shop_money: { currency_code: string } } }[];
}

function edited(change: (order: Editable) => void): string {
  const order = JSON.parse(raw) as Editable;
  change(order);
  // Keep the id's digits: JSON.stringify would write the rounded double.
  return JSON.stringify(order).replace(/"id":820982911946154500/, '"id":820982911946154508');
}

describe('mapShopifyOrder', () => {
  it('maps the documented orders/create sample onto the order-submitted contract', async () => {
    const outcome = await mapShopifyOrder(raw, { context, skuTable });
    expect(outcome).toMatchObject({
      status: 'mapped',
      externalOrderId: '820982911946154508',
      mappingVersion: 'shopify-order@1',
      notes: 'gift wrap, please',
      order: {
        storefrontId: 'shop-us',
        storefrontOrderId: '820982911946154508',
        customer: { id: '115310627314723954', email: 'jon@example.com' },
        lines: [
          { sku: 'IPOD-RED', quantity: 1, unitPrice: 19900 },
          { sku: 'IPOD-BLACK', quantity: 1, unitPrice: 19900 },
        ],
        currency: 'USD',
        totalAmount: 40300,
        shippingAddress: {
          name: 'Steve Shipper',
          line1: '123 Shipping Street',
          city: 'Shippington',
          region: 'KY',
          postalCode: '40003',
          country: 'US',
        },
        payment: { provider: 'prepaid', token: 'shopify:820982911946154508' },
        submittedAt: '2022-01-01T00:00:00Z',
      },
      warnings: ['phone "555-555-SHIP" could not be written as E.164 for US; left out'],
    });
    if (outcome.status !== 'mapped') {
      throw new Error('not mapped');
    }
    expect(outcome.order.shippingAddress.phone).toBeUndefined();
    // The contract's own validation, as the order service will run it, finds nothing wrong.
    const errors = await validate(plainToInstance(StorefrontOrderSubmittedV1, outcome.order), {
      forbidUnknownValues: true,
    });
    expect(errors).toEqual([]);
  });

  it('holds an order whose totals do not add up, saying which part', async () => {
    const outcome = await mapShopifyOrder(
      edited((order) => (order.total_price = '408.00')),
      { context, skuTable },
    );
    expect(outcome).toEqual({
      status: 'held',
      externalOrderId: '820982911946154508',
      mappingVersion: 'shopify-order@1',
      reasons: [
        {
          stage: 'totals',
          part: 'total',
          message: 'lines 39800 + shipping 1000 + tax 0 − discounts 500 = 40300, but the total is 40800',
        },
      ],
    });
  });

  it('does not add tax twice when the prices include it', async () => {
    const inclusive = edited((order) => {
      order.taxes_included = true;
      order.total_tax = '66.33';
    });
    expect(await mapShopifyOrder(inclusive, { context, skuTable })).toMatchObject({
      status: 'mapped',
      order: { totalAmount: 40300 },
    });
  });

  it('holds an order with an unmapped and an empty SKU, naming both lines', async () => {
    const outcome = await mapShopifyOrder(
      edited((order) => {
        order.line_items[0].sku = '';
        order.line_items[1].sku = 'IPOD2008GOLD';
      }),
      { context, skuTable },
    );
    expect(outcome.status === 'held' && outcome.reasons.map((reason) => [reason.stage, reason.part])).toEqual(
      [
        ['sku', 'line_items[0]'],
        ['sku', 'line_items[1] (sku IPOD2008GOLD)'],
      ],
    );
  });

  it('refuses amounts in another currency than the shop’s', async () => {
    const outcome = await mapShopifyOrder(
      edited((order) => (order.shipping_lines[0].price_set.shop_money.currency_code = 'CAD')),
      { context, skuTable },
    );
    expect(outcome).toMatchObject({
      status: 'held',
      reasons: [{ stage: 'totals', message: 'shipping is in CAD, but the order is in USD' }],
    });
  });

  it('applies the connection overlay after the code mapper and records its version', async () => {
    const outcome = await mapShopifyOrder(raw, {
      context,
      skuTable,
      overlay: {
        version: '2',
        expression:
          '{ "customer": { "id": "crm-" & $string(payload.customer.first_name) }, "shippingAddress": { "phone": "+1 502 555 0100" } }',
      },
    });
    expect(outcome).toMatchObject({
      status: 'mapped',
      mappingVersion: 'shopify-order@1+overlay@2',
      order: { customer: { id: 'crm-John' }, shippingAddress: { phone: '+15025550100' } },
      warnings: [],
    });
  });

  it('holds on a failing overlay instead of throwing', async () => {
    const outcome = await mapShopifyOrder(raw, {
      context,
      skuTable,
      overlay: { version: '3', expression: '{ "lines": [] }' },
    });
    expect(outcome).toMatchObject({
      status: 'held',
      mappingVersion: 'shopify-order@1+overlay@3',
      reasons: [{ stage: 'overlay' }],
    });
  });

  it('holds a body that is not JSON, and one with unreadable fields, naming each', async () => {
    expect(await mapShopifyOrder('not json', { context, skuTable })).toMatchObject({
      status: 'held',
      reasons: [{ part: 'body' }],
    });
    const outcome = await mapShopifyOrder(
      edited((order) => {
        order.total_price = '403,00';
        order.created_at = '2021-12-31 19:00';
        delete order.shipping_address;
      }),
      { context, skuTable },
    );
    expect(outcome.status === 'held' && outcome.reasons.map((reason) => reason.part)).toEqual([
      'shipping_address',
      'created_at',
      'shipping_address.address1',
      'shipping_address.city',
      'shipping_address.zip',
      'total_price',
    ]);
  });

  it('holds a line whose price × quantity would not be exact', async () => {
    const outcome = await mapShopifyOrder(
      edited((order) => {
        order.line_items[0].sku = 'IPOD2008RED';
        (order.line_items[0] as { quantity?: number }).quantity = 1_000_000;
        (order.line_items[0] as { price?: string }).price = '90071992547.41';
      }),
      { context, skuTable },
    );
    expect(outcome).toMatchObject({ status: 'held', reasons: [{ stage: 'payload', part: 'line_items[0]' }] });
  });

  it('names a guest by email', async () => {
    const outcome = await mapShopifyOrder(
      edited((order) => (order.customer = null)),
      { context, skuTable },
    );
    expect(outcome).toMatchObject({ status: 'mapped', order: { customer: { id: 'guest:jon@example.com' } } });
  });
});
