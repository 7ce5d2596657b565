import fc from 'fast-check';
import { applySkuTable, largestRemainder, PlatformLine, SkuRule, SkuTable } from './sku-mapping';

const table: SkuTable = new Map<string, SkuRule>([
  ['TEE-M', { kind: 'sku', sku: 'TEE-M', multiplier: 1 }],
  ['SOCKS-3PK', { kind: 'sku', sku: 'SOCKS', multiplier: 3 }],
  [
    'GIFT-SET',
    {
      kind: 'kit',
      lines: [
        { sku: 'MUG', quantity: 1 },
        { sku: 'COASTER', quantity: 2 },
      ],
    },
  ],
  ['TIP', { kind: 'ignore' }],
]);

const line = (
  label: string,
  channelSku: string | null | undefined,
  quantity: number,
  amount: number,
): PlatformLine => ({
  label,
  channelSku,
  quantity,
  amount,
});

const sum = (lines: readonly { quantity: number; unitPrice: number }[]): number =>
  lines.reduce((total, l) => total + l.quantity * l.unitPrice, 0);

describe('applySkuTable', () => {
  it('maps one to one and leaves ignored lines out', () => {
    expect(
      applySkuTable([line('line_items[0]', 'TEE-M', 2, 3980), line('line_items[1]', 'TIP', 1, 500)], table),
    ).toEqual({
      status: 'mapped',
      lines: [{ sku: 'TEE-M', quantity: 2, unitPrice: 1990 }],
      ignored: [{ line: 'line_items[1]', channelSku: 'TIP', amount: 500 }],
    });
  });

  it('multiplies packs, splitting the money so that it still adds up', () => {
    // Two 3-packs at 10.00 each: 6 socks for 2000 cannot be 6 × 333.33.
    const result = applySkuTable([line('line_items[0]', 'SOCKS-3PK', 2, 2000)], table);
    expect(result).toEqual({
      status: 'mapped',
      lines: [
        { sku: 'SOCKS', quantity: 2, unitPrice: 334 },
        { sku: 'SOCKS', quantity: 4, unitPrice: 333 },
      ],
      ignored: [],
    });
  });

  it('expands kits by the line quantity and splits their money by largest remainder', () => {
    // 2 gift sets for 1001: 2 mugs and 4 coasters, 6 units; 1001 × 2/6 = 333.67, × 4/6 = 667.33.
    const result = applySkuTable([line('line_items[0]', 'GIFT-SET', 2, 1001)], table);
    expect(result).toEqual({
      status: 'mapped',
      lines: [
        { sku: 'MUG', quantity: 2, unitPrice: 167 },
        { sku: 'COASTER', quantity: 3, unitPrice: 167 },
        { sku: 'COASTER', quantity: 1, unitPrice: 166 },
      ],
      ignored: [],
    });
    expect(result.status === 'mapped' && sum(result.lines)).toBe(1001);
  });

  it('holds the order, naming each line and SKU it cannot map, instead of throwing', () => {
    const result = applySkuTable(
      [
        line('line_items[0]', 'TEE-M', 1, 1990),
        line('line_items[1]', '', 1, 500),
        line('line_items[2]', null, 1, 1),
        line('line_items[3]', 'HAT', 1, 900),
      ],
      table,
    );
    expect(result).toEqual({
      status: 'held',
      reasons: [
        {
          line: 'line_items[1]',
          channelSku: '',
          kind: 'empty-sku',
          message: 'line_items[1]: has no SKU; map the line in the SKU table or give the product a SKU',
        },
        {
          line: 'line_items[2]',
          channelSku: null,
          kind: 'empty-sku',
          message: expect.stringContaining('line_items[2]: has no SKU'),
        },
        {
          line: 'line_items[3]',
          channelSku: 'HAT',
          kind: 'unmapped-sku',
          message: 'line_items[3]: SKU "HAT" is not in the connection\'s SKU table',
        },
      ],
    });
  });

  it('holds on a table entry Waybill would refuse downstream', () => {
    const bad: SkuTable = new Map<string, SkuRule>([
      ['A', { kind: 'sku', sku: 'has space', multiplier: 1 }],
      ['B', { kind: 'sku', sku: 'B', multiplier: 0 }],
      ['C', { kind: 'kit', lines: [] }],
    ]);
    const result = applySkuTable([line('l0', 'A', 1, 1), line('l1', 'B', 1, 1), line('l2', 'C', 1, 1)], bad);
    expect(result.status === 'held' && result.reasons.map((r) => r.kind)).toEqual([
      'invalid-rule',
      'invalid-rule',
      'invalid-rule',
    ]);
  });

  it('holds an order of nothing but ignored lines: there is nothing to ship', () => {
    expect(applySkuTable([line('l0', 'TIP', 1, 500)], table)).toMatchObject({
      status: 'held',
      reasons: [{ kind: 'no-goods' }],
    });
  });

  it('keeps the money of every mapped line, to the minor unit', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('TEE-M', 'SOCKS-3PK', 'GIFT-SET'),
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 0, max: 10 ** 12 }),
        (sku, quantity, amount) => {
          const result = applySkuTable([line('l', sku, quantity, amount)], table);
          expect(result.status).toBe('mapped');
          if (result.status === 'mapped') {
            expect(sum(result.lines)).toBe(amount);
            for (const mapped of result.lines) {
              expect(
                Number.isSafeInteger(mapped.unitPrice) && mapped.unitPrice >= 0 && mapped.quantity >= 1,
              ).toBe(true);
            }
          }
        },
      ),
    );
  });
});

describe('largestRemainder', () => {
  it('gives leftovers to the largest remainders, ties to the earlier', () => {
    expect(largestRemainder(100, [1, 1, 1])).toEqual([34, 33, 33]);
    expect(largestRemainder(10, [1, 2])).toEqual([3, 7]);
  });

  it('always sums to the amount, with each share within one unit of its exact value', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
        fc.array(fc.integer({ min: 1, max: 10 ** 6 }), { minLength: 1, maxLength: 10 }),
        (amount, weights) => {
          const shares = largestRemainder(amount, weights);
          expect(shares.reduce((a, b) => BigInt(a) + BigInt(b), 0n)).toBe(BigInt(amount));
          const total = weights.reduce((a, b) => a + b, 0);
          shares.forEach((share, i) => {
            const exactTimesTotal = BigInt(amount) * BigInt(weights[i]);
            expect(BigInt(share) * BigInt(total) - exactTimesTotal < BigInt(total)).toBe(true);
            expect(exactTimesTotal - BigInt(share) * BigInt(total) < BigInt(total)).toBe(true);
          });
        },
      ),
    );
  });
});
