import { DynamicModule, Module } from '@nestjs/common';
import { eventRegistry } from '@waybill/contracts';
import { WaybillServiceModule } from '@waybill/eventing';
import { PaymentSagaHandlers } from './events/payment-saga.handlers';
import { GetPaymentService } from './get-payment/get-payment.service';
import { PaymentWebhooksController } from './http/payment-webhooks.controller';
import { PaymentsController } from './http/payments.controller';
import { PaymentConfig } from './payment.config';
import { ReceiveWebhookService } from './payment-webhooks/receive-webhook.service';
import { WebhookProcessor } from './payment-webhooks/webhook-processor.service';
import { PAYMENT_MIGRATIONS } from './persistence/migrations';
import { PaymentRepository } from './persistence/payment.repository';
import { WebhookReceiptRepository } from './persistence/webhook-receipt.repository';
import { PaymentProviders } from './providers/payment-providers';
import { RefundPaymentService } from './refund-payment/refund-payment.service';
import { PaymentSaga } from './saga/payment-saga.service';

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
      controllers: [PaymentsController, PaymentWebhooksController, PaymentSagaHandlers],
      providers: [
        PaymentProviders,
        PaymentRepository,
        WebhookReceiptRepository,
        PaymentSaga,
        RefundPaymentService,
        GetPaymentService,
        ReceiveWebhookService,
        WebhookProcessor,
      ],
    };
  }
}
