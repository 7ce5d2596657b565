import { decide, OrderSagaState, SagaDecision, SagaInput } from './order-saga';
import { ORDER_STATUSES, OrderStatus } from './order-status';

const RES = '7c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f';
const PAY = 'a4b5c6d7-e8f9-4a0b-9c1d-2e3f4a5b6c7d';
const SHIP = 'b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e';
const OTHER = '00000000-0000-4000-8000-000000000001';
const ACTION = {
  nextAction: { type: 'qr_code', qrCode: 'weixin://wxpay/bizpayurl?pr=abc' },
  expiresAt: '2025-03-01T10:30:00Z',
} as const;

/** A realistic state for each status: the facts an order in it would have gathered. */
function stateIn(status: OrderStatus): OrderSagaState {
  switch (status) {
    case 'PENDING':
      return { status, paymentAuthorized: false };
    case 'RESERVED':
      return { status, reservationId: RES, paymentAuthorized: false };
    case 'AWAITING_PAYMENT':
      return { status, reservationId: RES, paymentId: PAY, paymentAuthorized: false, paymentAction: ACTION };
    case 'CONFIRMED':
      return { status, reservationId: RES, paymentId: PAY, paymentAuthorized: true };
    case 'SHIPPED':
    case 'DELIVERED':
      return { status, reservationId: RES, paymentId: PAY, paymentAuthorized: true, shipmentId: SHIP };
    case 'REJECTED':
      return { status, paymentAuthorized: false };
    case 'CANCELLED':
      return { status, reservationId: RES, paymentAuthorized: false };
  }
}

const INPUTS = {
  reserved: { type: 'stock-reserved', reservationId: RES },
  rejected: {
    type: 'stock-rejected',
    reason: 'INVENTORY.INSUFFICIENT_STOCK',
    shortLines: [{ sku: 'TEE', requested: 2, available: 1 }],
  },
  'released:expired': { type: 'stock-released', reservationId: RES, reason: 'INVENTORY.RESERVATION_EXPIRED' },
  'released:cancelled': { type: 'stock-released', reservationId: RES, reason: 'INVENTORY.ORDER_CANCELLED' },
  authorized: { type: 'payment-authorized', paymentId: PAY },
  'payment-failed': { type: 'payment-failed', paymentId: PAY },
  'payment-expired': { type: 'payment-failed', paymentId: PAY, expired: true },
  'action-required': { type: 'payment-action-required', paymentId: PAY, action: ACTION },
  'shipment-created': {
    type: 'shipment-created',
    shipmentId: SHIP,
    carrier: 'dhl',
    trackingNumber: 'T1',
    createdAt: '2025-03-01T16:00:00Z',
  },
  'shipment-delivered': {
    type: 'shipment-delivered',
    shipmentId: SHIP,
    carrier: 'dhl',
    trackingNumber: 'T1',
    deliveredAt: '2025-03-03T11:05:00Z',
  },
  'cancel:customer': { type: 'cancel-requested', requestedBy: 'customer' },
  'cancel:operator': { type: 'cancel-requested', requestedBy: 'operator' },
} as const satisfies Record<string, SagaInput>;

type InputName = keyof typeof INPUTS;

function stateAfter(decision: SagaDecision): OrderSagaState {
  if (decision.outcome === 'refused') {
    throw new Error(`refused in ${decision.status}`);
  }
  return decision.state;
}

/** `outcome status [transitions] {effects}`, e.g. `advanced CONFIRMED [CONFIRMED] {confirmed}`. */
function summary(decision: SagaDecision): string {
  if (decision.outcome === 'refused') {
    return `refused ${decision.status}`;
  }
  if (decision.outcome !== 'advanced') {
    return `${decision.outcome} ${decision.state.status}`;
  }
  const transitions = decision.transitions.map((t) => t.status).join(',');
  const effects = decision.effects.map((e) => e.type).join(',');
  return `advanced ${decision.state.status} [${transitions}] {${effects}}`;
}

/*
 * Every status × every input. `ignored` means nothing changed; `recorded` means a fact was kept
 * without a transition. Starting states carry the facts an order in that status would have.
 */
const TABLE: Record<OrderStatus, Record<InputName, string>> = {
  PENDING: {
    reserved: 'advanced RESERVED [RESERVED] {}',
    rejected: 'advanced REJECTED [REJECTED] {rejected}',
    'released:expired': 'advanced CANCELLED [CANCELLED] {cancelled}',
    'released:cancelled': 'recorded PENDING',
    authorized: 'recorded PENDING',
    'payment-failed': 'advanced CANCELLED [CANCELLED] {cancelled}',
    'payment-expired': 'advanced CANCELLED [CANCELLED] {cancelled}',
    'action-required': 'recorded PENDING',
    'shipment-created': 'recorded PENDING',
    'shipment-delivered': 'recorded PENDING',
    'cancel:customer': 'advanced CANCELLED [CANCELLED] {cancelled}',
    'cancel:operator': 'advanced CANCELLED [CANCELLED] {cancelled}',
  },
  RESERVED: {
    reserved: 'ignored RESERVED',
    rejected: 'ignored RESERVED',
    'released:expired': 'advanced CANCELLED [CANCELLED] {cancelled}',
    'released:cancelled': 'ignored RESERVED',
    authorized: 'advanced CONFIRMED [CONFIRMED] {confirmed}',
    'payment-failed': 'advanced CANCELLED [CANCELLED] {cancelled}',
    'payment-expired': 'advanced CANCELLED [CANCELLED] {cancelled}',
    'action-required': 'advanced AWAITING_PAYMENT [AWAITING_PAYMENT] {}',
    'shipment-created': 'recorded RESERVED',
    'shipment-delivered': 'recorded RESERVED',
    'cancel:customer': 'advanced CANCELLED [CANCELLED] {cancelled}',
    'cancel:operator': 'advanced CANCELLED [CANCELLED] {cancelled}',
  },
  AWAITING_PAYMENT: {
    reserved: 'ignored AWAITING_PAYMENT',
    rejected: 'ignored AWAITING_PAYMENT',
    'released:expired': 'advanced CANCELLED [CANCELLED] {cancelled}',
    'released:cancelled': 'ignored AWAITING_PAYMENT',
    authorized: 'advanced CONFIRMED [CONFIRMED] {confirmed}',
    'payment-failed': 'advanced CANCELLED [CANCELLED] {cancelled}',
    'payment-expired': 'advanced CANCELLED [CANCELLED] {cancelled}',
    'action-required': 'ignored AWAITING_PAYMENT',
    'shipment-created': 'recorded AWAITING_PAYMENT',
    'shipment-delivered': 'recorded AWAITING_PAYMENT',
    'cancel:customer': 'advanced CANCELLED [CANCELLED] {cancelled}',
    'cancel:operator': 'advanced CANCELLED [CANCELLED] {cancelled}',
  },
  CONFIRMED: {
    reserved: 'ignored CONFIRMED',
    rejected: 'ignored CONFIRMED',
    'released:expired': 'advanced CANCELLED [CANCELLED] {cancelled}',
    'released:cancelled': 'ignored CONFIRMED',
    authorized: 'ignored CONFIRMED',
    'payment-failed': 'ignored CONFIRMED',
    'payment-expired': 'ignored CONFIRMED',
    'action-required': 'ignored CONFIRMED',
    'shipment-created': 'advanced SHIPPED [SHIPPED] {shipped}',
    'shipment-delivered': 'advanced DELIVERED [SHIPPED,DELIVERED] {shipped,completed}',
    'cancel:customer': 'advanced CANCELLED [CANCELLED] {cancelled}',
    'cancel:operator': 'advanced CANCELLED [CANCELLED] {cancelled}',
  },
  SHIPPED: {
    reserved: 'ignored SHIPPED',
    rejected: 'ignored SHIPPED',
    'released:expired': 'ignored SHIPPED',
    'released:cancelled': 'ignored SHIPPED',
    authorized: 'ignored SHIPPED',
    'payment-failed': 'ignored SHIPPED',
    'payment-expired': 'ignored SHIPPED',
    'action-required': 'ignored SHIPPED',
    'shipment-created': 'ignored SHIPPED',
    'shipment-delivered': 'advanced DELIVERED [DELIVERED] {completed}',
    'cancel:customer': 'refused SHIPPED',
    'cancel:operator': 'refused SHIPPED',
  },
  DELIVERED: {
    reserved: 'ignored DELIVERED',
    rejected: 'ignored DELIVERED',
    'released:expired': 'ignored DELIVERED',
    'released:cancelled': 'ignored DELIVERED',
    authorized: 'ignored DELIVERED',
    'payment-failed': 'ignored DELIVERED',
    'payment-expired': 'ignored DELIVERED',
    'action-required': 'ignored DELIVERED',
    'shipment-created': 'ignored DELIVERED',
    'shipment-delivered': 'ignored DELIVERED',
    'cancel:customer': 'refused DELIVERED',
    'cancel:operator': 'refused DELIVERED',
  },
  REJECTED: {
    reserved: 'recorded REJECTED',
    rejected: 'ignored REJECTED',
    'released:expired': 'recorded REJECTED',
    'released:cancelled': 'recorded REJECTED',
    authorized: 'recorded REJECTED',
    'payment-failed': 'recorded REJECTED',
    'payment-expired': 'recorded REJECTED',
    'action-required': 'ignored REJECTED',
    'shipment-created': 'recorded REJECTED',
    'shipment-delivered': 'recorded REJECTED',
    'cancel:customer': 'refused REJECTED',
    'cancel:operator': 'refused REJECTED',
  },
  CANCELLED: {
    reserved: 'ignored CANCELLED',
    rejected: 'ignored CANCELLED',
    'released:expired': 'ignored CANCELLED',
    'released:cancelled': 'ignored CANCELLED',
    authorized: 'recorded CANCELLED',
    'payment-failed': 'recorded CANCELLED',
    'payment-expired': 'recorded CANCELLED',
    'action-required': 'ignored CANCELLED',
    'shipment-created': 'recorded CANCELLED',
    'shipment-delivered': 'recorded CANCELLED',
    'cancel:customer': 'ignored CANCELLED',
    'cancel:operator': 'ignored CANCELLED',
  },
};

describe('order saga transition table', () => {
  it('covers every status and every input', () => {
    expect(Object.keys(TABLE).sort()).toEqual([...ORDER_STATUSES].sort());
    for (const row of Object.values(TABLE)) {
      expect(Object.keys(row).sort()).toEqual(Object.keys(INPUTS).sort());
    }
  });

  const cases = ORDER_STATUSES.flatMap((status) =>
    (Object.keys(INPUTS) as InputName[]).map((input) => [status, input, TABLE[status][input]] as const),
  );

  it.each(cases)('%s + %s → %s', (status, input, expected) => {
    expect(summary(decide(stateIn(status), INPUTS[input]))).toBe(expected);
  });

  it.each(cases)('%s + %s twice: the second application changes nothing', (status, input) => {
    const first = decide(stateIn(status), INPUTS[input]);
    if (first.outcome === 'refused') {
      return expect(first.status).toBe(status);
    }
    const second = decide(first.state, INPUTS[input]);
    expect(second.outcome === 'ignored' || second.outcome === 'refused').toBe(true);
  });

  it('never moves a final status anywhere', () => {
    for (const status of ['DELIVERED', 'REJECTED', 'CANCELLED'] as const) {
      for (const input of Object.values(INPUTS)) {
        const decision = decide(stateIn(status), input);
        if (decision.outcome !== 'refused') {
          expect(decision.state.status).toBe(status);
        }
      }
    }
  });
});

describe('order saga facts and effects', () => {
  const pending: OrderSagaState = { status: 'PENDING', paymentAuthorized: false };

  it('waits for the buyer once stock is held, whichever of the two arrives first', () => {
    const reservedFirst = decide(stateAfter(decide(pending, INPUTS.reserved)), INPUTS['action-required']);
    const actionFirst = decide(stateAfter(decide(pending, INPUTS['action-required'])), INPUTS.reserved);
    expect(reservedFirst.outcome === 'advanced' && reservedFirst.transitions).toEqual([
      { status: 'AWAITING_PAYMENT' },
    ]);
    expect(actionFirst.outcome === 'advanced' && actionFirst.transitions).toEqual([
      { status: 'RESERVED' },
      { status: 'AWAITING_PAYMENT' },
    ]);
    for (const decision of [reservedFirst, actionFirst]) {
      expect(stateAfter(decision)).toMatchObject({ status: 'AWAITING_PAYMENT', paymentAction: ACTION });
    }
    const confirmed = stateAfter(decide(stateAfter(reservedFirst), INPUTS.authorized));
    expect(confirmed).toMatchObject({ status: 'CONFIRMED', paymentAuthorized: true });
    expect(confirmed.paymentAction).toBeUndefined();
  });

  it('a payment the buyer never made cancels with ORDER.PAYMENT_EXPIRED and releases the stock', () => {
    const decision = decide(stateIn('AWAITING_PAYMENT'), INPUTS['payment-expired']);
    expect(decision.outcome === 'advanced' && decision.effects).toEqual([
      { type: 'cancelled', reason: 'ORDER.PAYMENT_EXPIRED', reservationId: RES },
    ]);
    expect(stateAfter(decision).paymentAction).toBeUndefined();
  });

  it('confirms once both facts are in, whichever arrives first', () => {
    const reservedFirst = decide(stateAfter(decide(pending, INPUTS.reserved)), INPUTS.authorized);
    const authorizedFirst = decide(stateAfter(decide(pending, INPUTS.authorized)), INPUTS.reserved);
    for (const decision of [reservedFirst, authorizedFirst]) {
      expect(decision.outcome).toBe('advanced');
      if (decision.outcome !== 'advanced') {
        return;
      }
      expect(decision.state).toEqual({
        status: 'CONFIRMED',
        reservationId: RES,
        paymentId: PAY,
        paymentAuthorized: true,
      });
      expect(decision.effects).toEqual([{ type: 'confirmed', reservationId: RES, paymentId: PAY }]);
    }
    // Authorized first passes through RESERVED on the way, and the timeline shows it.
    expect(authorizedFirst.outcome === 'advanced' && authorizedFirst.transitions).toEqual([
      { status: 'RESERVED' },
      { status: 'CONFIRMED' },
    ]);
  });

  it('keeps an authorization that arrives while PENDING without confirming', () => {
    const decision = decide(pending, INPUTS.authorized);
    expect(decision).toEqual({
      outcome: 'recorded',
      state: { status: 'PENDING', paymentId: PAY, paymentAuthorized: true },
    });
  });

  it('maps inventory rejection reasons and passes the short lines on', () => {
    const unknown = decide(pending, { ...INPUTS.rejected, reason: 'INVENTORY.UNKNOWN_SKU' });
    const short = decide(pending, INPUTS.rejected);
    expect(unknown.outcome === 'advanced' && unknown.effects).toEqual([
      { type: 'rejected', reason: 'ORDER.UNKNOWN_SKU', shortLines: INPUTS.rejected.shortLines },
    ]);
    expect(short.outcome === 'advanced' && short.transitions).toEqual([
      { status: 'REJECTED', reason: 'ORDER.INSUFFICIENT_STOCK' },
    ]);
  });

  it('a payment failure cancels and names the reservation to release', () => {
    const decision = decide(stateIn('RESERVED'), INPUTS['payment-failed']);
    expect(decision.outcome === 'advanced' && decision.effects).toEqual([
      { type: 'cancelled', reason: 'ORDER.PAYMENT_FAILED', reservationId: RES },
    ]);
    expect(stateAfter(decision).paymentId).toBe(PAY);
  });

  it('a payment failure before the reservation is known cancels without a reservation id', () => {
    const decision = decide(pending, INPUTS['payment-failed']);
    expect(decision.outcome === 'advanced' && decision.effects).toEqual([
      { type: 'cancelled', reason: 'ORDER.PAYMENT_FAILED' },
    ]);
  });

  it('an expired reservation cancels and names the authorized payment to void', () => {
    const confirmed = decide(stateIn('CONFIRMED'), INPUTS['released:expired']);
    expect(confirmed.outcome === 'advanced' && confirmed.effects).toEqual([
      { type: 'cancelled', reason: 'ORDER.RESERVATION_EXPIRED', reservationId: RES, paymentId: PAY },
    ]);
    const reserved = decide(stateIn('RESERVED'), INPUTS['released:expired']);
    expect(reserved.outcome === 'advanced' && reserved.effects).toEqual([
      { type: 'cancelled', reason: 'ORDER.RESERVATION_EXPIRED', reservationId: RES },
    ]);
  });

  it('a failed payment id is not passed on as one to void', () => {
    const failed = stateAfter(decide(pending, INPUTS['payment-failed']));
    const cancelled = decide(
      { ...failed, status: 'RESERVED', reservationId: RES },
      INPUTS['cancel:customer'],
    );
    expect(cancelled.outcome === 'advanced' && cancelled.effects).toEqual([
      { type: 'cancelled', reason: 'ORDER.CUSTOMER_REQUEST', reservationId: RES },
    ]);
  });

  it('a cancellation request names who asked and what to undo', () => {
    const byCustomer = decide(stateIn('CONFIRMED'), INPUTS['cancel:customer']);
    const byOperator = decide(stateIn('PENDING'), INPUTS['cancel:operator']);
    expect(byCustomer.outcome === 'advanced' && byCustomer.effects).toEqual([
      { type: 'cancelled', reason: 'ORDER.CUSTOMER_REQUEST', reservationId: RES, paymentId: PAY },
    ]);
    expect(byOperator.outcome === 'advanced' && byOperator.effects).toEqual([
      { type: 'cancelled', reason: 'ORDER.OPERATOR_REQUEST' },
    ]);
  });

  it('a late reservation on a cancelled order is kept for the record but does not move it', () => {
    const cancelled: OrderSagaState = { status: 'CANCELLED', paymentAuthorized: false };
    expect(decide(cancelled, INPUTS.reserved)).toEqual({
      outcome: 'recorded',
      state: { status: 'CANCELLED', reservationId: RES, paymentAuthorized: false },
    });
  });

  it('shipping carries the carrier facts, delivery completes', () => {
    const shipped = decide(stateIn('CONFIRMED'), INPUTS['shipment-created']);
    expect(shipped.outcome === 'advanced' && shipped.effects).toEqual([
      {
        type: 'shipped',
        shipmentId: SHIP,
        carrier: 'dhl',
        trackingNumber: 'T1',
        shippedAt: '2025-03-01T16:00:00Z',
      },
    ]);
    const delivered = decide(stateAfter(shipped), INPUTS['shipment-delivered']);
    expect(delivered.outcome === 'advanced' && delivered.effects).toEqual([
      { type: 'completed', shipmentId: SHIP, deliveredAt: '2025-03-03T11:05:00Z' },
    ]);
  });

  it('a second, different authorization after confirmation is ignored', () => {
    expect(decide(stateIn('CONFIRMED'), { type: 'payment-authorized', paymentId: OTHER }).outcome).toBe(
      'ignored',
    );
  });
});
