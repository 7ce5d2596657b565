import { chooseCarrier, parcelWeightGrams, shipmentIdFor } from './carrier-rule';

describe('chooseCarrier', () => {
  const rules = [
    { carrier: 'easypost', countries: ['US', 'CA'] },
    { carrier: 'direct', countries: ['DE', 'AT'], maxWeightGrams: 31_500 },
    { carrier: 'freight', minWeightGrams: 31_501 },
  ];

  it('takes the first rule that matches country and weight, else the default', () => {
    expect(chooseCarrier(rules, 'sandbox', { country: 'US', weightGrams: 100_000 })).toBe('easypost');
    expect(chooseCarrier(rules, 'sandbox', { country: 'DE', weightGrams: 31_500 })).toBe('direct');
    expect(chooseCarrier(rules, 'sandbox', { country: 'DE', weightGrams: 31_501 })).toBe('freight');
    expect(chooseCarrier(rules, 'sandbox', { country: 'FR', weightGrams: 500 })).toBe('sandbox');
    expect(chooseCarrier([], 'sandbox', { country: 'US', weightGrams: 1 })).toBe('sandbox');
  });
});

describe('parcelWeightGrams', () => {
  it('weighs each unit by its SKU, or by the default unit weight', () => {
    const lines = [
      { sku: 'MUG', quantity: 2 },
      { sku: 'POSTER', quantity: 1 },
    ];
    expect(parcelWeightGrams(lines, { MUG: 350 }, 500)).toBe(2 * 350 + 500);
    expect(parcelWeightGrams(lines, {}, 500)).toBe(1500);
  });

  it('does not read inherited properties as weights', () => {
    expect(parcelWeightGrams([{ sku: 'constructor', quantity: 1 }], {}, 200)).toBe(200);
  });
});

describe('shipmentIdFor', () => {
  it('gives an order the same version-5 UUID on every attempt, and another order another', () => {
    const first = shipmentIdFor('3f9a8c2e-5b7d-4e1f-9a6c-2d8b7e4f1a90');
    expect(first).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(shipmentIdFor('3f9a8c2e-5b7d-4e1f-9a6c-2d8b7e4f1a90')).toBe(first);
    expect(shipmentIdFor('3f9a8c2e-5b7d-4e1f-9a6c-2d8b7e4f1a91')).not.toBe(first);
  });
});
