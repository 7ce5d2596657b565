import { DynamicModule, Module } from '@nestjs/common';
import { eventRegistry } from '@waybill/contracts';
import { WaybillServiceModule, webhookIngressProviders } from '@waybill/eventing';
import { ChannelsConfig, secretKeysOf } from './channels.config';
import { ChannelsMetrics } from './channels-metrics';
import { ConnectionQueries } from './policies/connection-queries';
import { ConnectionSecretsBox } from './policies/connection-secrets-box';
import { PutConnection } from './connections/put-connection.service';
import { SagaEventHandlers } from './events/saga-events.handlers';
import { HeldOrders } from './held-orders/held-orders.service';
import { SkuTable } from './held-orders/sku-table.service';
import { ChannelOrdersController } from './http/channel-orders.controller';
import { ChannelWebhooksController } from './http/channel-webhooks.controller';
import { ConnectionsController } from './http/connections.controller';
import { ReceiveChannelWebhook } from './intake/receive-channel-webhook.service';
import { TakeInOrder } from './policies/take-in-order';
import { ChannelOrderRepository } from './persistence/channel-order.repository';
import { SkuMappingRepository } from './persistence/sku-mapping.repository';
import { TrackingReportRepository } from './persistence/tracking-report.repository';
import { StorefrontApis } from './platforms/storefront-apis';
import { PollStateRepository } from './persistence/poll-state.repository';
import { ReconcileOrders } from './reconcile-orders/reconcile-orders.service';
import { ReconcileOrdersWorker } from './reconcile-orders/reconcile-orders.worker';
import { LinkShipments } from './report-tracking/link-shipments.service';
import { ReportTracking } from './report-tracking/report-tracking.service';
import { TrackingReportWorker } from './report-tracking/tracking-report.worker';
import { ConnectionRepository } from './persistence/connection.repository';
import { CHANNELS_MIGRATIONS } from './persistence/migrations';
import { SecretBox } from './persistence/secret-box';

/** The box that seals connection secrets; without keys it refuses to seal (outside production only). */
export function connectionSecretsBox(config: ChannelsConfig): ConnectionSecretsBox {
  const keys = secretKeysOf(config);
  return new ConnectionSecretsBox(keys.length > 0 ? new SecretBox(keys) : undefined);
}

/**
 * Storefront platforms (Shopify, WooCommerce, Youzan) in, canonical orders out: what it maps it
 * publishes as `waybill.storefront.order-submitted.v1` through its own outbox (WaybillServiceModule),
 * so the order service stays channel-agnostic.
 */
@Module({})
export class ChannelsModule {
  static forRoot(config: ChannelsConfig): DynamicModule {
    return {
      module: ChannelsModule,
      imports: [
        WaybillServiceModule.forRoot({
          service: 'channels',
          config,
          registry: eventRegistry,
          migrations: CHANNELS_MIGRATIONS,
        }),
      ],
      controllers: [
        ConnectionsController,
        ChannelOrdersController,
        ChannelWebhooksController,
        SagaEventHandlers,
      ],
      providers: [
        ChannelsMetrics,
        ConnectionRepository,
        { provide: ConnectionSecretsBox, useValue: connectionSecretsBox(config) },
        PutConnection,
        ConnectionQueries,
        ChannelOrderRepository,
        SkuMappingRepository,
        TakeInOrder,
        ReceiveChannelWebhook,
        HeldOrders,
        SkuTable,
        StorefrontApis,
        TrackingReportRepository,
        LinkShipments,
        ReportTracking,
        TrackingReportWorker,
        PollStateRepository,
        ReconcileOrders,
        ReconcileOrdersWorker,
        ...webhookIngressProviders({
          maxBytes: config.CHANNELS_WEBHOOK_MAX_BYTES,
          senderKind: 'storefront platform',
        }),
      ],
    };
  }
}
