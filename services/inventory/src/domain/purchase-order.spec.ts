import {
  decidePurchaseOrderTransition,
  decideReceipt,
  formatPoNumber,
  PURCHASE_ORDER_STATES,
  PurchaseOrderAction,
  PurchaseOrderState,
  stateRank,
} from './purchase-order';

describe('purchase order state machine', () => {
  it.each<[PurchaseOrderState, PurchaseOrderAction, PurchaseOrderState]>([
    ['DRAFT', 'dispatched', 'SENT'],
    ['SENT', 'acknowledged', 'ACKNOWLEDGED'],
    ['DRAFT', 'acknowledged', 'ACKNOWLEDGED'],
    ['SENT', 'rejected', 'REJECTED'],
    ['ACKNOWLEDGED', 'cancelled', 'CANCELLED'],
  ])('%s --%s--> %s', (from, action, to) => {
    expect(decidePurchaseOrderTransition(from, action)).toEqual({ outcome: 'apply', from, to });
  });

  it.each<[PurchaseOrderState, PurchaseOrderAction, string]>([
    ['SENT', 'dispatched', 'ALREADY_APPLIED'],
    ['ACKNOWLEDGED', 'dispatched', 'SUPERSEDED'],
    ['ACKNOWLEDGED', 'acknowledged', 'ALREADY_APPLIED'],
    ['PARTIALLY_RECEIVED', 'acknowledged', 'SUPERSEDED'],
    ['PARTIALLY_RECEIVED', 'rejected', 'SUPERSEDED'],
    ['RECEIVED', 'cancelled', 'SUPERSEDED'],
    ['REJECTED', 'rejected', 'ALREADY_APPLIED'],
  ])('%s --%s--> ignored (%s)', (from, action, reason) => {
    expect(decidePurchaseOrderTransition(from, action)).toEqual({ outcome: 'ignore', from, reason });
  });

  it('is monotonic: every applied transition moves forward', () => {
    const actions: PurchaseOrderAction[] = ['dispatched', 'acknowledged', 'rejected', 'cancelled'];
    for (const from of PURCHASE_ORDER_STATES) {
      for (const action of actions) {
        const transition = decidePurchaseOrderTransition(from, action);
        if (transition.outcome === 'apply') {
          expect(stateRank(transition.to)).toBeGreaterThan(stateRank(from));
        }
      }
    }
  });
});

describe('decideReceipt', () => {
  const ordered = [{ sku: 'MUG', ordered: 18, received: 0 }];

  it('books a partial receipt, then completes the order', () => {
    expect(decideReceipt('ACKNOWLEDGED', ordered, [{ sku: 'MUG', quantity: 10 }])).toEqual({
      outcome: 'book',
      lines: [{ sku: 'MUG', quantity: 10 }],
      to: 'PARTIALLY_RECEIVED',
    });
    expect(
      decideReceipt(
        'PARTIALLY_RECEIVED',
        [{ sku: 'MUG', ordered: 18, received: 10 }],
        [
          { sku: 'MUG', quantity: 5 },
          { sku: 'MUG', quantity: 3 },
        ],
      ),
    ).toEqual({ outcome: 'book', lines: [{ sku: 'MUG', quantity: 8 }], to: 'RECEIVED' });
  });

  it('refuses an over-receipt in full, naming the line', () => {
    expect(
      decideReceipt(
        'PARTIALLY_RECEIVED',
        [{ sku: 'MUG', ordered: 18, received: 10 }],
        [{ sku: 'MUG', quantity: 9 }],
      ),
    ).toEqual({
      outcome: 'refuse',
      code: 'OVER_RECEIPT',
      lines: [{ sku: 'MUG', ordered: 18, received: 10, delivered: 9 }],
    });
  });

  it('refuses lines the order does not have, and receipts on a closed order', () => {
    expect(decideReceipt('SENT', ordered, [{ sku: 'TEE', quantity: 1 }])).toEqual({
      outcome: 'refuse',
      code: 'UNKNOWN_LINE',
      skus: ['TEE'],
    });
    expect(decideReceipt('RECEIVED', ordered, [{ sku: 'MUG', quantity: 1 }])).toEqual({
      outcome: 'refuse',
      code: 'PO_CLOSED',
      state: 'RECEIVED',
    });
  });
});

describe('formatPoNumber', () => {
  it('pads to six digits and grows beyond', () => {
    expect(formatPoNumber(123)).toBe('PO-000123');
    expect(formatPoNumber(1234567)).toBe('PO-1234567');
  });
});
