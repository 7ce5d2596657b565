import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { StorefrontOrderSubmittedV1 } from '@waybill/contracts';
import type { MappingContext } from '../domain/canonical-order';
import type { SkuRule } from '../domain/sku-mapping';
import { mapWooCommerceOrder } from './woocommerce-order';

const raw = readFileSync(join(__dirname, 'fixtures', 'woocommerce-order-created.json'), 'utf8');
const context: MappingContext = { storefrontId: 'woo-us', channel: 'woocommerce' };
const mapped = new Map<string, SkuRule>([
  ['Bar3', { kind: 'sku', sku: 'BAR-3', multiplier: 1 }],
  [
    'WOO-1',
    {
      kind: 'kit',
      lines: [
        { sku: 'MUG', quantity: 1 },
        { sku: 'COASTER', quantity: 2 },
      ],
    },
  ],
]);

/** The fields of the fixture that the tests change. */
interface Editable {
  total: string;
  prices_include_tax: boolean;
  customer_id: number;
  line_items: { sku: string; quantity: number; subtotal: string; price: number }[];
  fee_lines: { total: string }[];
  shipping: Record<string, string>;
}

function edited(change: (order: Editable) => void): string {
  const order = JSON.parse(raw) as Editable;
  change(order);
  return JSON.stringify(order);
}

describe('mapWooCommerceOrder', () => {
  it('holds the documented sample, whose first line has no SKU', async () => {
    expect(await mapWooCommerceOrder(raw, { context, skuTable: mapped })).toEqual({
      status: 'held',
      externalOrderId: '727',
      mappingVersion: 'woocommerce-order@1',
      reasons: [
        {
          stage: 'sku',
          part: 'line_items[0]',
          message: 'line_items[0]: has no SKU; map the line in the SKU table or give the product a SKU',
        },
      ],
    });
  });

  it('maps it once the line has a SKU, expanding the kit, onto the order-submitted contract', async () => {
    const outcome = await mapWooCommerceOrder(
      edited((order) => (order.line_items[0].sku = 'WOO-1')),
      { context, skuTable: mapped },
    );
    expect(outcome).toMatchObject({
      status: 'mapped',
      externalOrderId: '727',
      order: {
        storefrontId: 'woo-us',
        storefrontOrderId: '727',
        customer: { id: 'guest:john.doe@example.com', email: 'john.doe@example.com' },
        // 2 kits for 6.00: 2 mugs and 4 coasters, 600 split 200 / 400 by units.
        lines: [
          { sku: 'MUG', quantity: 2, unitPrice: 100 },
          { sku: 'COASTER', quantity: 4, unitPrice: 100 },
          { sku: 'BAR-3', quantity: 1, unitPrice: 1200 },
        ],
        currency: 'USD',
        totalAmount: 2935,
        shippingAddress: {
          name: 'John Doe',
          line1: '969 Market',
          city: 'San Francisco',
          region: 'CA',
          postalCode: '94103',
          country: 'US',
          phone: '+15555555555',
        },
        payment: { provider: 'prepaid', token: 'woocommerce:727' },
        submittedAt: '2017-03-22T19:28:02Z',
      },
      warnings: [],
    });
    if (outcome.status !== 'mapped') {
      throw new Error('not mapped');
    }
    const errors = await validate(plainToInstance(StorefrontOrderSubmittedV1, outcome.order), {
      forbidUnknownValues: true,
    });
    expect(errors).toEqual([]);
  });

  it('adds total_tax whether or not the shop enters prices with tax: the stored amounts are net', async () => {
    const inclusive = edited((order) => {
      order.line_items[0].sku = 'WOO-1';
      order.prices_include_tax = true;
    });
    expect(await mapWooCommerceOrder(inclusive, { context, skuTable: mapped })).toMatchObject({
      status: 'mapped',
    });
  });

  it('splits a subtotal that the quantity does not divide, keeping every cent', async () => {
    const outcome = await mapWooCommerceOrder(
      edited((order) => {
        order.line_items = [{ sku: 'Bar3', quantity: 3, subtotal: '10.00', price: 3.3333333333 }];
        order.total = '21.35';
      }),
      { context, skuTable: mapped },
    );
    expect(outcome).toMatchObject({
      status: 'mapped',
      order: {
        lines: [
          { sku: 'BAR-3', quantity: 1, unitPrice: 334 },
          { sku: 'BAR-3', quantity: 2, unitPrice: 333 },
        ],
      },
    });
  });

  it('counts fee lines and says so when the total misses them', async () => {
    const outcome = await mapWooCommerceOrder(
      edited((order) => {
        order.line_items[0].sku = 'WOO-1';
        order.fee_lines = [{ total: '2.50' }];
      }),
      { context, skuTable: mapped },
    );
    expect(outcome).toMatchObject({
      status: 'held',
      reasons: [
        {
          stage: 'totals',
          message:
            'lines 1800 + shipping 1000 + fees 250 + tax 135 − discounts 0 = 3185, but the total is 2935',
        },
      ],
    });
  });

  it('uses the customer id of a registered customer, and the billing address for virtual goods', async () => {
    const outcome = await mapWooCommerceOrder(
      edited((order) => {
        order.line_items[0].sku = 'WOO-1';
        order.customer_id = 12;
        order.shipping = { address_1: '', city: '', postcode: '', country: '' };
      }),
      { context, skuTable: mapped },
    );
    expect(outcome).toMatchObject({
      status: 'mapped',
      order: { customer: { id: '12' }, shippingAddress: { line1: '969 Market' } },
    });
  });
});
