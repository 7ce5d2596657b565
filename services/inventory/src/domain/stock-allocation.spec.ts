import { MAX_QUANTITY } from '@waybill/contracts';
import {
  available,
  decideAllocation,
  decideOnHand,
  Quantity,
  StockLevel,
  toContractLines,
  totalPerSku,
} from './stock-allocation';

function levels(...list: StockLevel[]): Map<string, StockLevel> {
  return new Map(list.map((level) => [level.sku, level]));
}

describe('totalPerSku', () => {
  it('sums lines of one SKU and sorts by SKU in code-unit order (the lock order)', () => {
    expect(
      totalPerSku([
        { sku: 'b', quantity: 1 },
        { sku: 'B', quantity: 2 },
        { sku: 'a', quantity: 3 },
        { sku: 'b', quantity: 4 },
      ]),
    ).toEqual([
      { sku: 'B', quantity: 2 },
      { sku: 'a', quantity: 3 },
      { sku: 'b', quantity: 5 },
    ]);
  });
});

describe('decideAllocation', () => {
  it('reserves every line when every SKU has enough available', () => {
    const decision = decideAllocation(
      [
        { sku: 'TEE', quantity: 2 },
        { sku: 'MUG', quantity: 5 },
      ],
      levels({ sku: 'MUG', onHand: 10, reserved: 5 }, { sku: 'TEE', onHand: 2, reserved: 0 }),
    );
    expect(decision).toEqual({
      outcome: 'reserve',
      lines: [
        { sku: 'MUG', quantity: 5 },
        { sku: 'TEE', quantity: 2 },
      ],
    });
  });

  it('rejects the whole order when one line is short, naming only the short line', () => {
    const decision = decideAllocation(
      [
        { sku: 'MUG', quantity: 1 },
        { sku: 'TEE', quantity: 3 },
      ],
      levels({ sku: 'MUG', onHand: 10, reserved: 0 }, { sku: 'TEE', onHand: 5, reserved: 3 }),
    );
    expect(decision).toEqual({
      outcome: 'reject',
      reason: 'INVENTORY.INSUFFICIENT_STOCK',
      shortLines: [{ sku: 'TEE', requested: 3, available: 2 }],
    });
  });

  it('judges the sum of lines naming the same SKU, not each line alone', () => {
    const decision = decideAllocation(
      [
        { sku: 'MUG', quantity: 3 },
        { sku: 'MUG', quantity: 3 },
      ],
      levels({ sku: 'MUG', onHand: 5, reserved: 0 }),
    );
    expect(decision).toEqual({
      outcome: 'reject',
      reason: 'INVENTORY.INSUFFICIENT_STOCK',
      shortLines: [{ sku: 'MUG', requested: 6, available: 5 }],
    });
  });

  it('names an unknown SKU with 0 available and makes UNKNOWN_SKU the reason even beside a short line', () => {
    const decision = decideAllocation(
      [
        { sku: 'GHOST', quantity: 1 },
        { sku: 'MUG', quantity: 9 },
      ],
      levels({ sku: 'MUG', onHand: 1, reserved: 0 }),
    );
    expect(decision).toEqual({
      outcome: 'reject',
      reason: 'INVENTORY.UNKNOWN_SKU',
      shortLines: [
        { sku: 'GHOST', requested: 1, available: 0 },
        { sku: 'MUG', requested: 9, available: 1 },
      ],
    });
  });

  it('reserves exactly what is available, and nothing once it is gone', () => {
    const full = levels({ sku: 'MUG', onHand: 4, reserved: 1 });
    expect(decideAllocation([{ sku: 'MUG', quantity: 3 }], full).outcome).toBe('reserve');
    expect(decideAllocation([{ sku: 'MUG', quantity: 4 }], full).outcome).toBe('reject');
    expect(available({ sku: 'MUG', onHand: 4, reserved: 4 })).toBe(0);
  });
});

describe('toContractLines', () => {
  const split = (lines: Quantity[]) =>
    toContractLines(
      lines,
      (line) => line.quantity,
      (line, quantity) => ({ ...line, quantity }),
    );

  it('leaves lines within the contract limit alone', () => {
    expect(split([{ sku: 'MUG', quantity: MAX_QUANTITY }])).toEqual([{ sku: 'MUG', quantity: MAX_QUANTITY }]);
  });

  it('splits a total above the contract limit into lines that sum to it', () => {
    expect(split([{ sku: 'MUG', quantity: 2 * MAX_QUANTITY + 5 }])).toEqual([
      { sku: 'MUG', quantity: MAX_QUANTITY },
      { sku: 'MUG', quantity: MAX_QUANTITY },
      { sku: 'MUG', quantity: 5 },
    ]);
  });
});

describe('decideOnHand', () => {
  it('creates a SKU with nothing reserved', () => {
    expect(decideOnHand(undefined, 'MUG', 0)).toEqual({
      outcome: 'set',
      level: { sku: 'MUG', onHand: 0, reserved: 0 },
    });
  });

  it('accepts on hand equal to reserved and refuses anything below it', () => {
    const current = { sku: 'MUG', onHand: 10, reserved: 4 };
    expect(decideOnHand(current, 'MUG', 4)).toEqual({
      outcome: 'set',
      level: { sku: 'MUG', onHand: 4, reserved: 4 },
    });
    expect(decideOnHand(current, 'MUG', 3)).toEqual({ outcome: 'below-reserved', reserved: 4 });
  });
});
