import type { MappingContext } from './canonical-order';
import { beginMapping, finishMapping, MapOptions, OrderDraft, PayloadReasons, personName } from './map-order';
import type { SkuRule } from './sku-mapping';

const context: MappingContext = { storefrontId: 'shop-eu', channel: 'shopify' };
const eur = (minor: number) => ({ minor, currency: 'EUR' });
const options: MapOptions = {
  context,
  skuTable: new Map<string, SkuRule>([['A', { kind: 'sku', sku: 'A', multiplier: 1 }]]),
  payload: { company: 'ACME GmbH' },
};
const draft: OrderDraft = {
  externalOrderId: '1001',
  currency: 'EUR',
  customer: { id: '7', email: 'eva@example.com' },
  address: {
    line1: 'Hauptstr. 1',
    city: 'Berlin',
    postalCode: '10115',
    country: 'Deutschland',
    phone: '030 123456',
  },
  lines: [{ label: 'l0', channelSku: 'A', quantity: 1, amount: eur(1000) }],
  totals: { shipping: eur(0), tax: eur(0), discounts: eur(0), total: eur(1000), taxesIncluded: false },
};

describe('finishMapping', () => {
  it('resolves country and phone after the overlay, so an overlay may give them in any form', async () => {
    const outcome = await finishMapping(draft, new PayloadReasons(), {
      ...options,
      overlay: {
        version: '1',
        expression: '{ "shippingAddress": { "country": "Germany", "line2": payload.company } }',
      },
    });
    expect(outcome).toMatchObject({
      status: 'mapped',
      order: { shippingAddress: { country: 'DE', phone: '+4930123456', line2: 'ACME GmbH' } },
    });
  });

  it('holds an unknown country, naming it', async () => {
    const outcome = await finishMapping(
      { ...draft, address: { ...draft.address, country: 'Narnia' } },
      new PayloadReasons(),
      options,
    );
    expect(outcome).toMatchObject({
      status: 'held',
      externalOrderId: '1001',
      reasons: [
        {
          part: 'shippingAddress.country',
          message: '"Narnia" is not an ISO 3166-1 code or a country name Waybill knows',
        },
      ],
    });
  });

  it('reports totals and SKU reasons together, so one round of fixes is enough', async () => {
    const outcome = await finishMapping(
      { ...draft, lines: [{ label: 'l0', channelSku: 'B', quantity: 1, amount: eur(900) }] },
      new PayloadReasons(),
      options,
    );
    expect(outcome.status === 'held' && outcome.reasons.map((reason) => reason.stage)).toEqual([
      'totals',
      'sku',
    ]);
  });
});

describe('beginMapping and PayloadReasons', () => {
  it('records each unreadable field and goes on', () => {
    const reasons = new PayloadReasons();
    expect(reasons.money('price', 12, 'EUR')).toEqual(eur(1200));
    expect(reasons.money('total', 1.5, 'EUR')).toEqual(eur(0));
    expect(reasons.text('city', '  ')).toBe('');
    expect(reasons.quantity('quantity', 0)).toBe(1);
    expect(reasons.reasons.map((reason) => reason.part)).toEqual(['total', 'city', 'quantity']);
  });

  it('holds a body without an id, a currency or an object', () => {
    const begun = beginMapping('{"order":{}}', { context, skuTable: options.skuTable }, '/order/id');
    expect(begun.ok && begun.start.reasons.reasons.map((reason) => reason.part)).toEqual([
      'order.id',
      'currency',
    ]);
    expect(beginMapping('[1]', { context, skuTable: options.skuTable }, '/id')).toMatchObject({
      ok: false,
      outcome: { status: 'held', mappingVersion: 'shopify-order@1', reasons: [{ part: 'body' }] },
    });
  });

  it('joins the parts of a name that are there', () => {
    expect(personName('Steve', null, 'Shipper')).toBe('Steve Shipper');
    expect(personName('', undefined)).toBeUndefined();
  });
});
