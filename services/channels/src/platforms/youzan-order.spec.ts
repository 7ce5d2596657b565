import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { StorefrontOrderSubmittedV1 } from '@waybill/contracts';
import type { MappingContext } from '../domain/canonical-order';
import type { SkuRule } from '../domain/sku-mapping';
import { mapYouzanOrder } from './youzan-order';

const raw = readFileSync(join(__dirname, 'fixtures', 'youzan-trade.json'), 'utf8');
const context: MappingContext = { storefrontId: 'youzan-hz', channel: 'youzan' };
const skuTable = new Map<string, SkuRule>([
  ['TEA-GREEN-250', { kind: 'sku', sku: 'TEA-GREEN-250', multiplier: 1 }],
  ['CUP-01', { kind: 'sku', sku: 'CUP-01', multiplier: 1 }],
]);

interface Editable {
  full_order_info: {
    order_info: { created: string };
    address_info: Record<string, string>;
    pay_info: Record<string, string>;
    orders: { price: string; total_fee: string }[];
  };
}

function edited(change: (order: Editable) => void): string {
  const order = JSON.parse(raw) as Editable;
  change(order);
  return JSON.stringify(order);
}

describe('mapYouzanOrder', () => {
  it('maps a trade onto the order-submitted contract: Shanghai time, yuan, Chinese country name', async () => {
    const outcome = await mapYouzanOrder(raw, { context, skuTable });
    expect(outcome).toMatchObject({
      status: 'mapped',
      externalOrderId: 'E20240501123456789012345',
      mappingVersion: 'youzan-order@1',
      notes: '请周末送货',
      order: {
        storefrontId: 'youzan-hz',
        storefrontOrderId: 'E20240501123456789012345',
        customer: { id: 'k3OQy1Ab2nL8', email: 'k3OQy1Ab2nL8@youzan.invalid' },
        lines: [
          { sku: 'TEA-GREEN-250', quantity: 2, unitPrice: 6900 },
          { sku: 'CUP-01', quantity: 1, unitPrice: 5000 },
        ],
        currency: 'CNY',
        totalAmount: 17800,
        shippingAddress: {
          name: '王小明',
          line1: '西湖区文三路100号',
          city: '杭州市',
          region: '浙江省',
          postalCode: '310012',
          country: 'CN',
          phone: '+8613800138000',
        },
        payment: { provider: 'prepaid', token: 'youzan:E20240501123456789012345' },
        submittedAt: '2024-05-01T04:30:00Z',
      },
      totals: { discounts: { minor: 2000 }, taxesIncluded: true },
      warnings: ['Youzan sends no buyer email; customer.email is a .invalid placeholder'],
    });
    if (outcome.status !== 'mapped') {
      throw new Error('not mapped');
    }
    const errors = await validate(plainToInstance(StorefrontOrderSubmittedV1, outcome.order), {
      forbidUnknownValues: true,
    });
    expect(errors).toEqual([]);
  });

  it('reads the buyer id from its digits when there is no open id', async () => {
    const outcome = await mapYouzanOrder(raw.replace('"yz_open_id": "k3OQy1Ab2nL8",', ''), {
      context,
      skuTable,
    });
    expect(outcome).toMatchObject({ status: 'mapped', order: { customer: { id: '9007199254740993' } } });
  });

  it('holds a line whose num × price is not its total_fee, and lines that miss the goods total', async () => {
    const outcome = await mapYouzanOrder(
      edited((order) => {
        order.full_order_info.orders[0].total_fee = '140.00';
      }),
      { context, skuTable },
    );
    expect(outcome).toMatchObject({
      status: 'held',
      reasons: [
        {
          stage: 'payload',
          part: 'pay_info.total_fee',
          message: "the lines' total_fee add up to 19000, but pay_info.total_fee is 18800",
        },
      ],
    });
    const line = await mapYouzanOrder(
      edited((order) => {
        order.full_order_info.orders[0].price = '68.00';
      }),
      { context, skuTable },
    );
    expect(line).toMatchObject({
      status: 'held',
      reasons: [
        {
          stage: 'totals',
          part: 'orders[0] (sku TEA-GREEN-250)',
          message: 'orders[0] (sku TEA-GREEN-250): 2 × 6800 = 13600, but the line says 13800',
        },
      ],
    });
  });

  it('holds a payment above goods and postage, and an address without a postcode', async () => {
    const outcome = await mapYouzanOrder(
      edited((order) => {
        order.full_order_info.pay_info.payment = '200.00';
        order.full_order_info.address_info.delivery_postal_code = '';
      }),
      { context, skuTable },
    );
    expect(outcome.status === 'held' && outcome.reasons.map((reason) => reason.part)).toEqual([
      'pay_info.payment',
      'address_info.delivery_postal_code',
    ]);
  });

  it('reads the time in the connection’s zone and refuses one in another form', async () => {
    expect(
      await mapYouzanOrder(raw, { context: { ...context, timezone: 'Asia/Tokyo' }, skuTable }),
    ).toMatchObject({
      order: { submittedAt: '2024-05-01T03:30:00Z' },
    });
    const outcome = await mapYouzanOrder(
      edited((order) => (order.full_order_info.order_info.created = '2024-05-01T12:30:00+08:00')),
      { context, skuTable },
    );
    expect(outcome).toMatchObject({ status: 'held', reasons: [{ part: 'order_info.created' }] });
  });
});
