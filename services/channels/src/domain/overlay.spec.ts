import type { CanonicalOrder } from './canonical-order';
import { applyOverlay } from './overlay';

const order: CanonicalOrder = {
  storefrontId: 'shop-eu',
  storefrontOrderId: '1001',
  customer: { id: '7', email: 'bob@example.com' },
  lines: [{ sku: 'TEE-M', quantity: 1, unitPrice: 1990 }],
  currency: 'EUR',
  totalAmount: 1990,
  shippingAddress: { line1: 'Main St 1', city: 'Berlin', postalCode: '10115', country: 'DE' },
  payment: { provider: 'prepaid', token: 'shopify:1001' },
};
const payload = { customer: { id: 7 }, note: 'gift wrap please', shipping_address: { company: 'ACME' } };

describe('applyOverlay', () => {
  it('sets customer and address parts and notes from the payload and the mapped order', async () => {
    const result = await applyOverlay(
      {
        version: 'v3',
        expression:
          '{ "customer": { "id": "shop-eu-" & $string(payload.customer.id) }, "shippingAddress": { "line2": "c/o " & payload.shipping_address.company }, "notes": payload.note }',
      },
      { order },
      payload,
    );
    expect(result).toEqual({
      ok: true,
      notes: 'gift wrap please',
      order: {
        ...order,
        customer: { id: 'shop-eu-7', email: 'bob@example.com' },
        shippingAddress: { ...order.shippingAddress, line2: 'c/o ACME' },
      },
    });
    // The mapped order handed in is not changed in place.
    expect(order.customer.id).toBe('7');
  });

  it('changes nothing when the expression matches nothing', async () => {
    expect(await applyOverlay({ version: 'v1', expression: 'payload.missing' }, { order }, payload)).toEqual({
      ok: true,
      order,
      notes: undefined,
    });
  });

  it.each([
    ['{ "lines": [] }', 'overlay v1 may set customer, shippingAddress and notes, not "lines"'],
    ['{ "totalAmount": 1 }', 'overlay v1 may set customer, shippingAddress and notes, not "totalAmount"'],
    ['{ "customer": { "vip": "yes" } }', 'overlay v1 may not set customer.vip'],
    [
      '{ "shippingAddress": { "postalCode": 10115 } }',
      'overlay v1: shippingAddress.postalCode must be text, not 10115',
    ],
    ['"just text"', 'overlay v1 must give an object, not "just text"'],
    ['{ "notes": 5 }', 'overlay v1: notes must be text, not 5'],
  ])('refuses %s as a mapping failure', async (expression, message) => {
    expect(await applyOverlay({ version: 'v1', expression }, { order }, payload)).toEqual({
      ok: false,
      message,
    });
  });

  it('reports a syntax error and a run-time error instead of throwing', async () => {
    const syntax = await applyOverlay({ version: 'v2', expression: '{ "customer": ' }, { order }, payload);
    expect(syntax).toMatchObject({
      ok: false,
      message: expect.stringContaining('overlay v2 does not parse'),
    });
    const runtime = await applyOverlay(
      { version: 'v2', expression: '$error("no customer")' },
      { order },
      payload,
    );
    expect(runtime).toEqual({ ok: false, message: 'overlay v2 failed: no customer (at 7)' });
  });

  it('stops a loop that never ends instead of stalling the intake, and says why', async () => {
    // Tail recursion: no deeper on each call, so only the time bound can stop it.
    const loop = await applyOverlay(
      { version: 'v3', expression: '( $spin := function($n) { $spin($n + 1) }; $spin(0) )' },
      { order },
      payload,
    );
    expect(loop).toEqual({ ok: false, message: 'overlay v3 failed: ran longer than 250 ms' });
    const wide = await applyOverlay(
      { version: 'v4', expression: '{ "notes": $string($count([1..10000000].($ * 2))) }' },
      { order },
      payload,
    );
    expect(wide).toEqual({
      ok: false,
      message: 'overlay v4 failed: made a sequence of more than 100000 items',
    });
  });
});
