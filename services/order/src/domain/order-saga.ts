import type {
  OrderCancellationReason,
  OrderRejectionReason,
  StockRejectionReason,
  StockReleaseReason,
} from '@waybill/contracts';
import { CANCELLABLE_STATUSES, OrderStatus } from './order-status';

/*
 * The order saga as one pure function. Events from inventory, payment and logistics arrive on
 * different topics in any order, so the order keeps *facts* (reservation, authorization, shipment)
 * and derives its status from them. Every move is forward-only: a duplicate or late event is
 * recorded or ignored, never allowed to move the status back.
 */

/** What the order knows about its saga; the status is derived from these facts. */
export interface OrderSagaState {
  readonly status: OrderStatus;
  readonly reservationId?: string;
  readonly paymentId?: string;
  /** A payment id can also come from a failure; this says the amount is actually held. */
  readonly paymentAuthorized: boolean;
  /** What the buyer must do to pay (a QR code, a redirect) while the order waits for it. */
  readonly paymentAction?: PaymentActionFact;
  readonly shipmentId?: string;
}

export interface PaymentActionFact {
  readonly nextAction: {
    readonly type: 'qr_code' | 'redirect';
    readonly qrCode?: string;
    readonly url?: string;
  };
  readonly expiresAt: string;
}

export interface ShortLineFact {
  readonly sku: string;
  readonly requested: number;
  readonly available: number;
}

/** The saga's inputs: other services' events, and a cancellation request from a person. */
export type SagaInput =
  | { readonly type: 'stock-reserved'; readonly reservationId: string }
  | {
      readonly type: 'stock-rejected';
      readonly reason: StockRejectionReason;
      readonly shortLines: readonly ShortLineFact[];
    }
  | { readonly type: 'stock-released'; readonly reservationId: string; readonly reason: StockReleaseReason }
  | {
      readonly type: 'payment-action-required';
      readonly paymentId: string;
      readonly action: PaymentActionFact;
    }
  | { readonly type: 'payment-authorized'; readonly paymentId: string }
  | { readonly type: 'payment-failed'; readonly paymentId: string; readonly expired?: boolean }
  | {
      readonly type: 'shipment-created';
      readonly shipmentId: string;
      readonly carrier: string;
      readonly trackingNumber: string;
      readonly createdAt: string;
    }
  | {
      readonly type: 'shipment-delivered';
      readonly shipmentId: string;
      readonly carrier: string;
      readonly trackingNumber: string;
      readonly deliveredAt: string;
    }
  | { readonly type: 'cancel-requested'; readonly requestedBy: 'customer' | 'operator' };

/** What the order announces because of a transition; the application turns these into events. */
export type SagaEffect =
  | { readonly type: 'confirmed'; readonly reservationId: string; readonly paymentId: string }
  | {
      readonly type: 'rejected';
      readonly reason: OrderRejectionReason;
      readonly shortLines: readonly ShortLineFact[];
    }
  | {
      readonly type: 'cancelled';
      readonly reason: OrderCancellationReason;
      readonly reservationId?: string;
      readonly paymentId?: string;
    }
  | {
      readonly type: 'shipped';
      readonly shipmentId: string;
      readonly carrier: string;
      readonly trackingNumber: string;
      readonly shippedAt: string;
    }
  | { readonly type: 'completed'; readonly shipmentId: string; readonly deliveredAt: string };

export interface Transition {
  readonly status: OrderStatus;
  /** Why a final state was reached, e.g. ORDER.PAYMENT_FAILED. */
  readonly reason?: string;
}

export type SagaDecision =
  /** The status moved (possibly through several states, e.g. PENDING → RESERVED → CONFIRMED). */
  | {
      readonly outcome: 'advanced';
      readonly state: OrderSagaState;
      readonly transitions: readonly Transition[];
      readonly effects: readonly SagaEffect[];
    }
  /** A fact was learned but the status stays (e.g. payment authorized before stock is reserved). */
  | { readonly outcome: 'recorded'; readonly state: OrderSagaState }
  /** Nothing new: a duplicate, or an event that arrives after the order has moved past it. */
  | { readonly outcome: 'ignored'; readonly state: OrderSagaState }
  /** The request cannot be honoured in this state (only cancellation requests are refused). */
  | { readonly outcome: 'refused'; readonly code: 'ORDER.NOT_CANCELLABLE'; readonly status: OrderStatus };

const REJECTION_REASONS: Readonly<Record<StockRejectionReason, OrderRejectionReason>> = {
  'INVENTORY.INSUFFICIENT_STOCK': 'ORDER.INSUFFICIENT_STOCK',
  'INVENTORY.UNKNOWN_SKU': 'ORDER.UNKNOWN_SKU',
};

/** Applies one input to the order. Pure: the caller persists `state` and publishes the effects. */
export function decide(state: OrderSagaState, input: SagaInput): SagaDecision {
  switch (input.type) {
    case 'stock-reserved':
      return onStockReserved(state, input.reservationId);
    case 'payment-action-required':
      return onPaymentActionRequired(state, input.paymentId, input.action);
    case 'payment-authorized':
      return onPaymentAuthorized(state, input.paymentId);
    case 'stock-rejected':
      return onStockRejected(state, input.reason, input.shortLines);
    case 'payment-failed':
      return onPaymentFailed(state, input.paymentId, input.expired === true);
    case 'stock-released':
      return onStockReleased(state, input.reservationId, input.reason);
    case 'shipment-created':
      return onShipmentCreated(state, input);
    case 'shipment-delivered':
      return onShipmentDelivered(state, input);
    case 'cancel-requested':
      return onCancelRequested(state, input.requestedBy);
  }
}

function onStockReserved(state: OrderSagaState, reservationId: string): SagaDecision {
  if (state.status !== 'PENDING') {
    // A late reservation for a cancelled or rejected order is kept for the record: inventory
    // releases it because it sees order.cancelled after order.placed on the same partition.
    return record(state, { reservationId: state.reservationId ?? reservationId });
  }
  const next: OrderSagaState = { ...state, status: 'RESERVED', reservationId };
  if (state.paymentAuthorized && state.paymentId) {
    return advance(
      { ...next, status: 'CONFIRMED' },
      [{ status: 'RESERVED' }, { status: 'CONFIRMED' }],
      [{ type: 'confirmed', reservationId, paymentId: state.paymentId }],
    );
  }
  if (state.paymentAction) {
    // The buyer was asked to pay before the reservation reached us: the order now waits for them.
    return advance(
      { ...next, status: 'AWAITING_PAYMENT' },
      [{ status: 'RESERVED' }, { status: 'AWAITING_PAYMENT' }],
      [],
    );
  }
  return advance(next, [{ status: 'RESERVED' }], []);
}

function onPaymentActionRequired(
  state: OrderSagaState,
  paymentId: string,
  action: PaymentActionFact,
): SagaDecision {
  if (state.status === 'RESERVED' && !state.paymentAuthorized) {
    return advance(
      { ...state, status: 'AWAITING_PAYMENT', paymentId, paymentAction: action },
      [{ status: 'AWAITING_PAYMENT' }],
      [],
    );
  }
  if (state.status === 'PENDING' && !state.paymentAuthorized && !state.paymentAction) {
    return record(state, { paymentId, paymentAction: action });
  }
  // A repeat, or too late: the order has moved on (authorized, cancelled).
  return ignore(state);
}

function onPaymentAuthorized(state: OrderSagaState, paymentId: string): SagaDecision {
  if ((state.status === 'RESERVED' || state.status === 'AWAITING_PAYMENT') && state.reservationId) {
    return advance(
      { ...state, status: 'CONFIRMED', paymentId, paymentAuthorized: true, paymentAction: undefined },
      [{ status: 'CONFIRMED' }],
      [{ type: 'confirmed', reservationId: state.reservationId, paymentId }],
    );
  }
  if (state.paymentAuthorized) {
    return ignore(state);
  }
  // PENDING: wait for the reservation. CANCELLED/REJECTED: payment voids on order.cancelled itself.
  return record(state, { paymentId, paymentAuthorized: true });
}

function onStockRejected(
  state: OrderSagaState,
  reason: StockRejectionReason,
  shortLines: readonly ShortLineFact[],
): SagaDecision {
  if (state.status !== 'PENDING') {
    return ignore(state);
  }
  const orderReason = REJECTION_REASONS[reason];
  return advance(
    { ...state, status: 'REJECTED' },
    [{ status: 'REJECTED', reason: orderReason }],
    [{ type: 'rejected', reason: orderReason, shortLines }],
  );
}

function onPaymentFailed(state: OrderSagaState, paymentId: string, expired: boolean): SagaDecision {
  // Once authorized, a failure of some other attempt changes nothing.
  const waiting =
    state.status === 'PENDING' || state.status === 'RESERVED' || state.status === 'AWAITING_PAYMENT';
  if (state.paymentAuthorized || !waiting) {
    return state.paymentId ? ignore(state) : record(state, { paymentId });
  }
  return cancel(
    { ...state, paymentId: state.paymentId ?? paymentId, paymentAction: undefined },
    expired ? 'ORDER.PAYMENT_EXPIRED' : 'ORDER.PAYMENT_FAILED',
    { reservationId: state.reservationId },
  );
}

function onStockReleased(
  state: OrderSagaState,
  reservationId: string,
  reason: StockReleaseReason,
): SagaDecision {
  const known = { reservationId: state.reservationId ?? reservationId };
  // A release because we cancelled is the echo of our own decision.
  if (reason !== 'INVENTORY.RESERVATION_EXPIRED') {
    return record(state, known);
  }
  if (!CANCELLABLE_STATUSES.includes(state.status)) {
    return record(state, known);
  }
  const paymentId = state.paymentAuthorized ? state.paymentId : undefined;
  return cancel({ ...state, ...known }, 'ORDER.RESERVATION_EXPIRED', {
    reservationId: known.reservationId,
    paymentId,
  });
}

function onShipmentCreated(
  state: OrderSagaState,
  input: Extract<SagaInput, { type: 'shipment-created' }>,
): SagaDecision {
  if (state.status !== 'CONFIRMED') {
    // Logistics books only after order.confirmed; anything else is a duplicate or a shipment
    // booked for an order cancelled meanwhile (kept, for operators to see).
    return record(state, { shipmentId: state.shipmentId ?? input.shipmentId });
  }
  return advance(
    { ...state, status: 'SHIPPED', shipmentId: input.shipmentId },
    [{ status: 'SHIPPED' }],
    [
      {
        type: 'shipped',
        shipmentId: input.shipmentId,
        carrier: input.carrier,
        trackingNumber: input.trackingNumber,
        shippedAt: input.createdAt,
      },
    ],
  );
}

function onShipmentDelivered(
  state: OrderSagaState,
  input: Extract<SagaInput, { type: 'shipment-delivered' }>,
): SagaDecision {
  const completed: SagaEffect = {
    type: 'completed',
    shipmentId: input.shipmentId,
    deliveredAt: input.deliveredAt,
  };
  if (state.status === 'SHIPPED') {
    return advance({ ...state, status: 'DELIVERED' }, [{ status: 'DELIVERED' }], [completed]);
  }
  if (state.status === 'CONFIRMED') {
    // shipment.created never reached us (it precedes delivered on the same partition, so only a
    // producer that skipped it); delivered implies shipped, so both are announced, in order.
    return advance(
      { ...state, status: 'DELIVERED', shipmentId: input.shipmentId },
      [{ status: 'SHIPPED' }, { status: 'DELIVERED' }],
      [
        {
          type: 'shipped',
          shipmentId: input.shipmentId,
          carrier: input.carrier,
          trackingNumber: input.trackingNumber,
          shippedAt: input.deliveredAt,
        },
        completed,
      ],
    );
  }
  return record(state, { shipmentId: state.shipmentId ?? input.shipmentId });
}

function onCancelRequested(state: OrderSagaState, requestedBy: 'customer' | 'operator'): SagaDecision {
  if (state.status === 'CANCELLED') {
    return ignore(state);
  }
  if (!CANCELLABLE_STATUSES.includes(state.status)) {
    return { outcome: 'refused', code: 'ORDER.NOT_CANCELLABLE', status: state.status };
  }
  return cancel(state, requestedBy === 'customer' ? 'ORDER.CUSTOMER_REQUEST' : 'ORDER.OPERATOR_REQUEST', {
    reservationId: state.reservationId,
    paymentId: state.paymentAuthorized ? state.paymentId : undefined,
  });
}

function cancel(
  state: OrderSagaState,
  reason: OrderCancellationReason,
  undo: { reservationId?: string; paymentId?: string },
): SagaDecision {
  return advance(
    { ...state, status: 'CANCELLED' },
    [{ status: 'CANCELLED', reason }],
    [
      {
        type: 'cancelled',
        reason,
        ...(undo.reservationId !== undefined && { reservationId: undo.reservationId }),
        ...(undo.paymentId !== undefined && { paymentId: undo.paymentId }),
      },
    ],
  );
}

function advance(
  state: OrderSagaState,
  transitions: readonly Transition[],
  effects: readonly SagaEffect[],
): SagaDecision {
  return { outcome: 'advanced', state, transitions, effects };
}

function record(state: OrderSagaState, facts: Partial<OrderSagaState>): SagaDecision {
  const next = { ...state, ...facts };
  return sameFacts(state, next) ? ignore(state) : { outcome: 'recorded', state: next };
}

function ignore(state: OrderSagaState): SagaDecision {
  return { outcome: 'ignored', state };
}

function sameFacts(a: OrderSagaState, b: OrderSagaState): boolean {
  return (
    a.status === b.status &&
    a.reservationId === b.reservationId &&
    a.paymentId === b.paymentId &&
    a.paymentAuthorized === b.paymentAuthorized &&
    a.paymentAction === b.paymentAction &&
    a.shipmentId === b.shipmentId
  );
}
