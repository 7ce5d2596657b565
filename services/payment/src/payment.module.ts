import { DynamicModule, Module, Provider } from '@nestjs/common';
import { eventRegistry } from '@waybill/contracts';
import { idempotencyProviders, WaybillServiceModule, webhookIngressProviders } from '@waybill/eventing';
import { InventoryEventHandlers } from './events/inventory-events.handlers';
import { LogisticsEventHandlers } from './events/logistics-events.handlers';
import { OrderEventHandlers } from './events/order-events.handlers';
import { GetPayment } from './get-payment/get-payment.service';
import { PaymentWebhooksController } from './http/payment-webhooks.controller';
import { PaymentsController } from './http/payments.controller';
import { PaymentConfig } from './payment.config';
import { ReceiveWebhookService } from './payment-webhooks/receive-webhook.service';
import { PaymentWebhookHandler } from './events/payment-webhook.handler';
import { PAYMENT_MIGRATIONS } from './persistence/migrations';
import { PaymentRepository } from './persistence/payment.repository';
import { PaymentProviders } from './providers/payment-providers';
import { Refunds } from './policies/refunds';
import { PaymentDecisions } from './policies/payment-decisions';
import { CheckAwaitedPayments } from './check-awaited-payments/check-awaited-payments.service';
import { AwaitedPaymentsSweeper } from './check-awaited-payments/awaited-payments.sweeper';
import { RefundPayment, RefundPaymentRequestHandler } from './refund-payment/refund-payment.service';
import { AdvancePayment } from './advance-payment/advance-payment.service';

/** Provider webhooks: the one ingress, its background inbox and the handler its worker runs. */
export function paymentWebhookIngress(config: PaymentConfig): Provider[] {
  return webhookIngressProviders({
    maxBytes: config.PAYMENT_WEBHOOK_MAX_BYTES,
    senderKind: 'payment provider',
    handler: PaymentWebhookHandler,
    inbox: { pollIntervalMs: config.PAYMENT_WEBHOOK_POLL_INTERVAL_MS },
  });
}

@Module({})
export class PaymentModule {
  static forRoot(config: PaymentConfig): DynamicModule {
    return {
      module: PaymentModule,
      imports: [
        WaybillServiceModule.forRoot({
          service: 'payment',
          config,
          registry: eventRegistry,
          migrations: PAYMENT_MIGRATIONS,
        }),
      ],
      controllers: [
        PaymentsController,
        PaymentWebhooksController,
        OrderEventHandlers,
        InventoryEventHandlers,
        LogisticsEventHandlers,
      ],
      providers: [
        PaymentProviders,
        PaymentRepository,
        AdvancePayment,
        Refunds,
        PaymentDecisions,
        CheckAwaitedPayments,
        AwaitedPaymentsSweeper,
        RefundPayment,
        RefundPaymentRequestHandler,
        GetPayment,
        ReceiveWebhookService,
        ...idempotencyProviders({
          ttlHours: config.PAYMENT_IDEMPOTENCY_TTL_HOURS,
          abandonAfterSeconds: config.PAYMENT_IDEMPOTENCY_ABANDON_AFTER_SECONDS,
          purgeIntervalSeconds: config.PAYMENT_IDEMPOTENCY_PURGE_INTERVAL_SECONDS,
        }),
        ...paymentWebhookIngress(config),
      ],
    };
  }
}
