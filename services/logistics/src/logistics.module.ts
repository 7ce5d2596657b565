import { DynamicModule, Module, Provider } from '@nestjs/common';
import { eventRegistry } from '@waybill/contracts';
import { WaybillServiceModule, webhookIngressProviders } from '@waybill/eventing';
import { BookShipment } from './book-shipment/book-shipment.service';
import { CancelShipment } from './cancel-shipment/cancel-shipment.service';
import { CarrierRegistry } from './carriers/carrier-registry';
import { OrderEventHandlers } from './events/order-events.handlers';
import { CarrierWebhooksController } from './http/carrier-webhooks.controller';
import { ShipmentsController } from './http/shipments.controller';
import { LogisticsConfig } from './logistics.config';
import { LogisticsMetrics } from './logistics-metrics';
import { LOGISTICS_MIGRATIONS } from './persistence/migrations';
import { ShipmentRepository } from './persistence/shipment.repository';
import { ShipmentQueries } from './query-shipments/shipment-queries.service';
import { ReceiveCarrierWebhook } from './receive-webhook/receive-carrier-webhook.service';
import { CarrierWebhookHandler } from './track-shipment/carrier-webhook.handler';
import { ShipmentTracker } from './policies/shipment-tracker';
import { TrackingSubscriptionRepository } from './persistence/tracking-subscription.repository';
import { SubscribeTracking } from './subscribe-tracking/subscribe-tracking.service';
import { TrackingSubscriptionWorker } from './subscribe-tracking/tracking-subscription.worker';

/** Carrier webhooks: the one ingress, its background inbox and the handler its worker runs. */
export function logisticsWebhookIngress(config: LogisticsConfig): Provider[] {
  return webhookIngressProviders({
    maxBytes: config.LOGISTICS_WEBHOOK_MAX_BYTES,
    senderKind: 'carrier',
    handler: CarrierWebhookHandler,
    inbox: { pollIntervalMs: config.LOGISTICS_WEBHOOK_POLL_INTERVAL_MS },
  });
}

@Module({})
export class LogisticsModule {
  static forRoot(config: LogisticsConfig): DynamicModule {
    return {
      module: LogisticsModule,
      imports: [
        WaybillServiceModule.forRoot({
          service: 'logistics',
          config,
          registry: eventRegistry,
          migrations: LOGISTICS_MIGRATIONS,
        }),
      ],
      controllers: [ShipmentsController, CarrierWebhooksController, OrderEventHandlers],
      providers: [
        CarrierRegistry,
        LogisticsMetrics,
        ShipmentRepository,
        TrackingSubscriptionRepository,
        ShipmentTracker,
        BookShipment,
        CancelShipment,
        ReceiveCarrierWebhook,
        ShipmentQueries,
        SubscribeTracking,
        // Only with Kuaidi100 configured: otherwise no subscription is ever written.
        ...(config.LOGISTICS_KUAIDI100_TRACK ? [TrackingSubscriptionWorker] : []),
        ...logisticsWebhookIngress(config),
      ],
    };
  }
}
