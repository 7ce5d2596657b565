import { CanonicalOrder, checkCanonicalOrder, toE164 } from './canonical-order';

function order(): CanonicalOrder {
  return {
    storefrontId: 'shop-eu',
    storefrontOrderId: '820982911946154508',
    customer: { id: '115310627314723954', email: 'bob@example.com' },
    lines: [{ sku: 'TEE-M', quantity: 2, unitPrice: 1990 }],
    currency: 'EUR',
    totalAmount: 4280,
    shippingAddress: {
      name: 'Bob Norman',
      line1: 'Chestnut Street 92',
      city: 'Louisville',
      postalCode: '40202',
      country: 'US',
      phone: '+15555550100',
    },
    payment: { provider: 'prepaid', token: 'shopify:820982911946154508' },
    submittedAt: '2024-05-01T14:15:00Z',
  };
}

describe('checkCanonicalOrder', () => {
  it('passes an order the contract accepts', () => {
    expect(checkCanonicalOrder(order())).toEqual([]);
  });

  it('names each field that the contract would refuse', () => {
    const bad = order();
    bad.customer = { id: '', email: 'not an email' };
    bad.lines = [{ sku: 'has space', quantity: 0, unitPrice: 1.5 }];
    bad.shippingAddress = { ...bad.shippingAddress, country: 'Germany', phone: '555-0100', city: '' };
    bad.currency = 'XYZ';
    bad.submittedAt = '2024-05-01T10:15:00-04:00';
    expect(checkCanonicalOrder(bad).map((problem) => problem.part)).toEqual([
      'customer.id',
      'customer.email',
      'currency',
      'lines[0].sku',
      'lines[0].quantity',
      'lines[0].unitPrice',
      'shippingAddress.city',
      'shippingAddress.country',
      'shippingAddress.phone',
      'submittedAt',
    ]);
  });

  it('names every field holding a control character, which PostgreSQL could not store (U+0000)', () => {
    const bad = order();
    bad.customer = { ...bad.customer, email: 'bob\u0000@example.com' };
    bad.shippingAddress = { ...bad.shippingAddress, name: 'Bob\u0007', line2: 'Floor 2\nback door' };
    expect(checkCanonicalOrder(bad).map((problem) => [problem.part, problem.message])).toEqual([
      ['customer.email', 'customer.email must not contain control characters'],
      ['shippingAddress.name', 'shippingAddress.name must not contain control characters'],
    ]);
  });

  it('refuses an order without lines or with more than the contract allows', () => {
    const none = { ...order(), lines: [] };
    expect(checkCanonicalOrder(none)).toMatchObject([{ part: 'lines' }]);
    const many = {
      ...order(),
      lines: Array.from({ length: 101 }, () => ({ sku: 'A', quantity: 1, unitPrice: 1 })),
    };
    expect(checkCanonicalOrder(many)).toMatchObject([{ part: 'lines' }]);
  });
});

describe('toE164', () => {
  it.each([
    ['+1 (555) 555-0100', 'US', '+15555550100'],
    ['1-555-555-0100', 'US', '+15555550100'],
    ['555-555-0100', 'US', '+15555550100'],
    ['0049 30 123456', 'DE', '+4930123456'],
    ['030 123456', 'DE', '+4930123456'],
    ['13800138000', 'CN', '+8613800138000'],
    ['06 1234 5678', 'IT', '+390612345678'],
    ['+44 20 7946 0958', 'FR', '+442079460958'],
  ])('%s in %s is %s', (raw, country, phone) => {
    expect(toE164(raw, country)).toEqual({ ok: true, phone });
  });

  it('leaves out what it cannot make E.164 rather than guess a country code', () => {
    expect(toE164('12345', 'BR')).toEqual({
      ok: false,
      message: 'phone "12345" could not be written as E.164 for BR; left out',
    });
    expect(toE164('call me', 'US')).toMatchObject({ ok: false });
    expect(toE164('+0123', 'US')).toMatchObject({ ok: false });
  });
});
