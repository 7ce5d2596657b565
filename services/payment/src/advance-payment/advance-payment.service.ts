import { Injectable, Logger } from '@nestjs/common';
import type {
  OrderCancellationReason,
  OrderCancelledV1,
  OrderPlacedV1,
  ShipmentCreatedV1,
  StockReservedV1,
} from '@waybill/contracts';
import { PermanentEventError, UnitOfWork } from '@waybill/eventing';
import { Decision, Payment } from '../domain/payment';
import { AuthorizationOutcome, idempotencyKey, PaymentWebhookEvent } from '../domain/payment-outcomes';
import { PaymentRepository } from '../persistence/payment.repository';
import type { PaymentProvider, SettleRequest } from '../providers/payment-provider';
import { PaymentProviders } from '../providers/payment-providers';
import { Refunds } from '../policies/refunds';
import { paymentEvent } from '../domain/payment-events';

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
 *   capture (shipment created)                             ── refund (cancelled after capture)
 */
@Injectable()
export class AdvancePayment {
  private readonly logger = new Logger(AdvancePayment.name);

  constructor(
    private readonly payments: PaymentRepository,
    private readonly providers: PaymentProviders,
    private readonly refunds: Refunds,
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
      const outcome = await provider.void(this.settleRequest(payment, 'void'));
      if (outcome.kind === 'unavailable') {
        throw new Error(`void of order ${payment.state.orderId}: ${outcome.message}`);
      }
      if (outcome.kind === 'refused') {
        throw new PermanentEventError(
          'PAYMENT.VOID_REFUSED',
          `${provider.name} refused the void: ${outcome.message}`,
        );
      }
      await this.announce(uow, payment.markVoided('PAYMENT.ORDER_CANCELLED', new Date()), payment);
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
    const outcome = await provider.capture(this.settleRequest(payment, 'capture'));
    if (outcome.kind === 'unavailable') {
      throw new Error(`capture of order ${shipment.orderId}: ${outcome.message}`);
    }
    if (outcome.kind === 'refused') {
      throw new PermanentEventError(
        'PAYMENT.CAPTURE_REFUSED',
        `${provider.name} refused the capture: ${outcome.message}`,
      );
    }
    await this.announce(uow, payment.markCaptured(new Date()), payment);
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
    await this.follow(uow, payment, decision, outcome.providerPaymentRef);
  }

  private async authorizeIfReady(uow: UnitOfWork, payment: Payment): Promise<void> {
    const { manager } = uow;
    if (!payment.readyToAuthorize) {
      await this.payments.save(manager, payment);
      return;
    }
    payment.startAuthorizing();
    const { orderId, id, provider: providerName, amount, currency, paymentMethodRef } = payment.state;
    const provider = this.providers.get(providerName);
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
    await this.follow(uow, payment, decision, outcome.providerPaymentRef);
  }

  /** Saves, releases a stray hold if the domain says so, and announces. */
  private async follow(
    uow: UnitOfWork,
    payment: Payment,
    decision: Decision,
    providerPaymentRef: string | undefined,
  ): Promise<void> {
    const { manager } = uow;
    if (decision.voidAtProvider) {
      const provider = this.providers.get(payment.state.provider);
      const outcome = provider
        ? await provider.void({
            ...this.settleRequest(payment, 'void'),
            providerPaymentRef: providerPaymentRef ?? payment.state.providerPaymentRef,
          })
        : undefined;
      if (outcome?.kind !== 'done') {
        // Best effort: the payment is already closed for the saga; an uncaptured hold expires at
        // the provider, and a late authorization webhook triggers this void again.
        this.logger.warn(
          `could not void a stray hold for order ${payment.state.orderId}: ${outcome ? outcome.message : 'provider not configured'}`,
        );
      }
    }
    await this.payments.save(manager, payment);
    await this.announce(uow, decision, payment);
  }

  private async announce(uow: UnitOfWork, decision: Decision, payment: Payment): Promise<void> {
    if (decision.emit) {
      await uow.publish([paymentEvent(payment, decision.emit)]);
    }
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

  private settleRequest(payment: Payment, step: 'capture' | 'void' | 'query'): SettleRequest {
    const { orderId, id, providerPaymentRef, amount, currency } = payment.state;
    return {
      orderId,
      paymentId: id,
      providerPaymentRef,
      amount: amount ?? 0,
      currency: currency ?? '',
      idempotencyKey: idempotencyKey(orderId, step),
      paymentAmount: amount ?? 0,
    };
  }
}

function refundReasonFor(reason: OrderCancellationReason) {
  return reason === 'ORDER.CUSTOMER_REQUEST'
    ? ('PAYMENT.CUSTOMER_REQUEST' as const)
    : ('PAYMENT.OPERATOR_REQUEST' as const);
}
