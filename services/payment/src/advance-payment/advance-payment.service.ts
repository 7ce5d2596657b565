import { Injectable, Logger } from '@nestjs/common';
import type {
  OrderCancellationReason,
  OrderCancelledV1,
  OrderPlacedV1,
  ShipmentCreatedV1,
  StockReservedV1,
} from '@waybill/contracts';
import { PermanentEventError, UnitOfWork } from '@waybill/eventing';
import { Payment } from '../domain/payment';
import { AuthorizationOutcome, idempotencyKey, PaymentWebhookEvent } from '../domain/payment-outcomes';
import { PaymentRepository } from '../persistence/payment.repository';
import type { PaymentProvider } from '../providers/payment-provider';
import { PaymentProviders } from '../providers/payment-providers';
import { Refunds } from '../policies/refunds';
import { PaymentDecisions } from '../policies/payment-decisions';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What moves a payment: the saga's events from other services, and its provider's webhooks. */
export type PaymentSagaInput =
  | { readonly type: 'order-placed'; readonly order: OrderPlacedV1 }
  | { readonly type: 'stock-reserved'; readonly stock: StockReservedV1 }
  | { readonly type: 'order-cancelled'; readonly cancelled: OrderCancelledV1 }
  | { readonly type: 'shipment-created'; readonly shipment: ShipmentCreatedV1 }
  /** A verified webhook, read back from its stored raw copy. */
  | { readonly type: 'provider-webhook'; readonly provider: string; readonly event: PaymentWebhookEvent };

/**
 * The payment's part of the order saga, in the caller's unit of work (an event's inbox
 * transaction, or the webhook worker's), on the order's payment row locked first.
 *
 * Forward steps and their compensations:
 *   authorize (both order.placed and stock-reserved seen) ── void (order cancelled, or a hold that
 *     landed after failure/cancellation, or a timed-out call that may have authorized)
 *   buyer pays (a QR code, a redirect; the provider's notify) ── close the trade (cancelled, or
 *     expired: CheckAwaitedPayments), refund a payment that lands after that
 *   capture (shipment created; at once for an immediate provider) ── refund (cancelled after it)
 */
@Injectable()
export class AdvancePayment {
  private readonly logger = new Logger(AdvancePayment.name);

  constructor(
    private readonly payments: PaymentRepository,
    private readonly providers: PaymentProviders,
    private readonly refunds: Refunds,
    private readonly decisions: PaymentDecisions,
  ) {}

  async execute(uow: UnitOfWork, input: PaymentSagaInput): Promise<void> {
    switch (input.type) {
      case 'order-placed':
        return this.orderPlaced(uow, input.order);
      case 'stock-reserved':
        return this.stockReserved(uow, input.stock);
      case 'order-cancelled':
        return this.orderCancelled(uow, input.cancelled);
      case 'shipment-created':
        return this.shipmentCreated(uow, input.shipment);
      case 'provider-webhook':
        return this.webhookReceived(uow, input.provider, input.event);
    }
  }

  private async orderPlaced(uow: UnitOfWork, order: OrderPlacedV1): Promise<void> {
    const payment = await this.payments.lockOrCreate(uow.manager, order.orderId);
    payment.recordOrderPlaced(
      {
        provider: order.payment.provider,
        paymentMethodRef: order.payment.paymentMethodRef,
        amount: order.totalAmount,
        currency: order.currency,
      },
      new Date(),
    );
    await this.authorizeIfReady(uow, payment);
  }

  private async stockReserved(uow: UnitOfWork, stock: StockReservedV1): Promise<void> {
    const payment = await this.payments.lockOrCreate(uow.manager, stock.orderId);
    payment.recordStockReserved(stock.reservationId, new Date());
    await this.authorizeIfReady(uow, payment);
  }

  private async orderCancelled(uow: UnitOfWork, cancelled: OrderCancelledV1): Promise<void> {
    const { manager } = uow;
    // Created if unseen, so an order.placed or stock-reserved arriving later never authorizes.
    const payment = await this.payments.lockOrCreate(manager, cancelled.orderId);
    const plan = payment.requestCancellation(new Date());
    if (plan.action === 'void') {
      const provider = this.requireProvider(payment);
      const outcome = await provider.void(this.decisions.settleRequest(payment, 'void'));
      if (outcome.kind === 'unavailable') {
        throw new Error(`void of order ${payment.state.orderId}: ${outcome.message}`);
      }
      if (outcome.kind === 'refused') {
        throw new PermanentEventError(
          'PAYMENT.VOID_REFUSED',
          `${provider.name} refused the void: ${outcome.message}`,
        );
      }
      await this.decisions.announce(uow, payment, payment.markVoided('PAYMENT.ORDER_CANCELLED', new Date()));
    } else if (plan.action === 'refund') {
      const result = await this.refunds.refundLocked(
        uow,
        payment,
        plan.amount,
        refundReasonFor(cancelled.reason),
      );
      if (!result.ok) {
        throw result.error;
      }
    }
    await this.payments.save(manager, payment);
  }

  private async shipmentCreated(uow: UnitOfWork, shipment: ShipmentCreatedV1): Promise<void> {
    const { manager } = uow;
    const payment = await this.payments.lock(manager, shipment.orderId);
    if (!payment?.readyToCapture) {
      // Already captured (a repeat), or never authorized: nothing to collect.
      if (payment?.status !== 'CAPTURED') {
        this.logger.warn(
          `shipment ${shipment.shipmentId} created for order ${shipment.orderId} whose payment is ${payment?.status ?? 'unknown'}; not captured`,
        );
      }
      return;
    }
    const provider = this.requireProvider(payment);
    const outcome = await provider.capture(this.decisions.settleRequest(payment, 'capture'));
    if (outcome.kind === 'unavailable') {
      throw new Error(`capture of order ${shipment.orderId}: ${outcome.message}`);
    }
    if (outcome.kind === 'refused') {
      throw new PermanentEventError(
        'PAYMENT.CAPTURE_REFUSED',
        `${provider.name} refused the capture: ${outcome.message}`,
      );
    }
    await this.decisions.announce(uow, payment, payment.markCaptured(new Date(), outcome.providerRef));
    await this.payments.save(manager, payment);
  }

  private async webhookReceived(
    uow: UnitOfWork,
    providerName: string,
    event: PaymentWebhookEvent,
  ): Promise<void> {
    const { manager } = uow;
    const { outcome } = event;
    if (!outcome) {
      return;
    }
    const payment =
      event.orderId && UUID.test(event.orderId)
        ? await this.payments.lock(manager, event.orderId)
        : await this.payments.lockByProviderRef(manager, providerName, outcome.providerPaymentRef);
    const { provider, providerPaymentRef } = payment?.state ?? {};
    // A provider speaks only for its own payments, and only for the payment it created.
    if (
      !payment ||
      provider !== providerName ||
      (providerPaymentRef && providerPaymentRef !== outcome.providerPaymentRef)
    ) {
      this.logger.warn(
        `${providerName} webhook ${event.providerEventId} (${event.type}) matches no payment; ignored`,
      );
      return;
    }
    const decision = payment.applyWebhook(outcome, new Date());
    await this.decisions.follow(uow, payment, decision, outcome.providerPaymentRef);
  }

  private async authorizeIfReady(uow: UnitOfWork, payment: Payment): Promise<void> {
    const { manager } = uow;
    if (!payment.readyToAuthorize) {
      await this.payments.save(manager, payment);
      return;
    }
    const { orderId, id, provider: providerName, amount, currency, paymentMethodRef } = payment.state;
    const provider = this.providers.get(providerName);
    payment.startAuthorizing(provider?.captureMode ?? 'manual');
    // The provider call runs inside the transaction on purpose: if the commit is lost, the
    // redelivered event calls again with the same idempotency key and gets the first answer back.
    const outcome: AuthorizationOutcome = provider
      ? await provider.authorize({
          orderId,
          paymentId: id,
          amount: amount ?? 0,
          currency: currency ?? '',
          paymentMethodRef: paymentMethodRef ?? '',
          idempotencyKey: idempotencyKey(orderId, 'authorize'),
          description: `Order ${orderId}`,
        })
      : {
          kind: 'failed',
          reason: 'PAYMENT.INVALID_PAYMENT_METHOD',
          message: `payment provider ${providerName ?? '(none)'} is not configured`,
        };
    const decision = payment.applyAuthorization(outcome, new Date());
    await this.decisions.follow(uow, payment, decision, outcome.providerPaymentRef);
  }

  private requireProvider(payment: Payment): PaymentProvider {
    const provider = this.providers.get(payment.state.provider);
    if (!provider) {
      throw new PermanentEventError(
        'PAYMENT.PROVIDER_NOT_CONFIGURED',
        `payment provider ${payment.state.provider ?? '(none)'} of order ${payment.state.orderId} is not configured`,
      );
    }
    return provider;
  }
}

function refundReasonFor(reason: OrderCancellationReason) {
  return reason === 'ORDER.CUSTOMER_REQUEST'
    ? ('PAYMENT.CUSTOMER_REQUEST' as const)
    : ('PAYMENT.OPERATOR_REQUEST' as const);
}
