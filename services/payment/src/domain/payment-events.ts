import type {
  PaymentActionRequiredV1,
  PaymentAuthorizedV1,
  PaymentCapturedV1,
  PaymentFailedV1,
  PaymentRefundedV1,
  PaymentRefundReason,
  PaymentVoidedV1,
} from '@waybill/contracts';
import type { Payment, PaymentEventKind } from './payment';

/**
 * An event as the domain builds it: what `uow.publish` takes (an OutgoingEvent), declared here so
 * domain/ stays free of the eventing library.
 */
export interface PaymentEventToPublish {
  readonly type: string;
  readonly subject: string;
  readonly data: object;
}

export const PAYMENT_EVENT_TYPES = {
  'action-required': 'waybill.payment.action-required.v1',
  authorized: 'waybill.payment.authorized.v1',
  failed: 'waybill.payment.failed.v1',
  voided: 'waybill.payment.voided.v1',
  captured: 'waybill.payment.captured.v1',
  refunded: 'waybill.payment.refunded.v1',
} as const;

function base(payment: Payment) {
  const { orderId, id, provider, amount, currency } = payment.state;
  if (provider === undefined || amount === undefined || currency === undefined) {
    throw new Error(`payment of order ${orderId} has no order details yet`);
  }
  return { orderId, paymentId: id, provider, amount, currency };
}

function iso(date: Date | undefined): string {
  return (date ?? new Date()).toISOString();
}

function bounded(text: string | undefined, max: number): string | undefined {
  return text ? text.slice(0, max) : undefined;
}

/** The event announcing a decision of the domain; every event is keyed by the order id. */
export function paymentEvent(payment: Payment, kind: PaymentEventKind): PaymentEventToPublish {
  const state = payment.state;
  const subject = state.orderId;
  switch (kind) {
    case 'action-required': {
      const { nextAction, actionExpiresAt } = state;
      if (!nextAction || !actionExpiresAt) {
        throw new Error(`payment of order ${state.orderId} requires no action`);
      }
      return {
        type: PAYMENT_EVENT_TYPES['action-required'],
        subject,
        data: {
          ...base(payment),
          providerPaymentRef: state.providerPaymentRef ?? '',
          nextAction:
            nextAction.type === 'qr_code'
              ? { type: 'qr_code', qrCode: nextAction.qrCode }
              : { type: 'redirect', url: nextAction.url },
          expiresAt: actionExpiresAt.toISOString(),
          requiredAt: new Date().toISOString(),
        } satisfies PaymentActionRequiredV1,
      };
    }
    case 'authorized':
      return {
        type: PAYMENT_EVENT_TYPES.authorized,
        subject,
        data: {
          ...base(payment),
          providerPaymentRef: state.providerPaymentRef ?? '',
          authorizedAt: iso(state.authorizedAt),
          ...(state.authorizationExpiresAt && { expiresAt: state.authorizationExpiresAt.toISOString() }),
        } satisfies PaymentAuthorizedV1,
      };
    case 'failed':
      return {
        type: PAYMENT_EVENT_TYPES.failed,
        subject,
        data: {
          ...base(payment),
          reason: state.failureReason ?? 'PAYMENT.PROVIDER_ERROR',
          ...(state.declineCode && { declineCode: bounded(state.declineCode, 64) }),
          ...(state.failureMessage && { message: bounded(state.failureMessage, 500) }),
          failedAt: iso(state.failedAt),
        } satisfies PaymentFailedV1,
      };
    case 'voided':
      return {
        type: PAYMENT_EVENT_TYPES.voided,
        subject,
        data: {
          ...base(payment),
          reason: state.voidReason ?? 'PAYMENT.ORDER_CANCELLED',
          voidedAt: iso(state.voidedAt),
        } satisfies PaymentVoidedV1,
      };
    case 'captured':
      return {
        type: PAYMENT_EVENT_TYPES.captured,
        subject,
        data: {
          ...base(payment),
          amount: state.capturedAmount,
          capturedAt: iso(state.capturedAt),
        } satisfies PaymentCapturedV1,
      };
  }
}

export function refundedEvent(
  payment: Payment,
  refund: {
    readonly id: string;
    readonly amount: number;
    readonly reason?: PaymentRefundReason;
    readonly refundedAt: Date;
  },
): PaymentEventToPublish {
  return {
    type: PAYMENT_EVENT_TYPES.refunded,
    subject: payment.state.orderId,
    data: {
      ...base(payment),
      refundId: refund.id,
      amount: refund.amount,
      ...(refund.reason && { reason: refund.reason }),
      refundedAt: refund.refundedAt.toISOString(),
    } satisfies PaymentRefundedV1,
  };
}
