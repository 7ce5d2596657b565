import { randomBytes, randomUUID } from 'node:crypto';
import { Provider } from '@nestjs/common';
import { webhookIngressProviders } from '@waybill/eventing';
import { loadConfig, WebhookOutcomes } from '@waybill/platform';
import { apiKeysEnv, testApiKey, UseCaseHarness } from '@waybill/testing';
import { ChannelsConfig } from '../src/channels.config';
import { connectionSecretsBox } from '../src/channels.module';
import { PutConnection } from '../src/connections/put-connection.service';
import type { ConnectionSecrets, ConnectionSettings, ConnectionView } from '../src/domain/connection';
import { HeldOrders } from '../src/held-orders/held-orders.service';
import { SkuTable } from '../src/held-orders/sku-table.service';
import { ReceiveChannelWebhook } from '../src/intake/receive-channel-webhook.service';
import { ChannelOrderRepository } from '../src/persistence/channel-order.repository';
import { ConnectionRepository } from '../src/persistence/connection.repository';
import { CHANNELS_MIGRATIONS } from '../src/persistence/migrations';
import { PollStateRepository } from '../src/persistence/poll-state.repository';
import { SkuMappingRepository } from '../src/persistence/sku-mapping.repository';
import { TrackingReportRepository } from '../src/persistence/tracking-report.repository';
import { StorefrontApis } from '../src/platforms/storefront-apis';
import { ConnectionQueries } from '../src/policies/connection-queries';
import { ConnectionSecretsBox } from '../src/policies/connection-secrets-box';
import { TakeInOrder } from '../src/policies/take-in-order';
import { ReconcileOrders } from '../src/reconcile-orders/reconcile-orders.service';
import { LinkShipments } from '../src/report-tracking/link-shipments.service';
import { ReportTracking } from '../src/report-tracking/report-tracking.service';

/**
 * The channels use cases with their real repositories and the real webhook ingress on a database
 * of their own (the use-case tier: PostgreSQL, no Kafka). The background workers are left out:
 * a test runs the poller's and the dispatcher's `runDue` itself, so nothing moves behind its back.
 */
export async function channelsUseCases(env: Record<string, string> = {}): Promise<UseCaseHarness> {
  const config = loadConfig(ChannelsConfig, {
    DATABASE_URL: 'postgres://unused.invalid/channels',
    KAFKA_BROKERS: 'unused.invalid:9092',
    WAYBILL_API_KEYS: apiKeysEnv([testApiKey('admin', [])]),
    CHANNELS_SECRETS_KEY: `k-use-cases:${randomBytes(32).toString('base64')}`,
    CHANNELS_PLATFORM_TIMEOUT_MS: '2000',
    ...env,
  });
  const providers: Provider[] = [
    { provide: ChannelsConfig, useValue: config },
    { provide: ConnectionSecretsBox, useValue: connectionSecretsBox(config) },
    ConnectionRepository,
    ChannelOrderRepository,
    SkuMappingRepository,
    PollStateRepository,
    TrackingReportRepository,
    ConnectionQueries,
    PutConnection,
    TakeInOrder,
    HeldOrders,
    SkuTable,
    StorefrontApis,
    ReconcileOrders,
    LinkShipments,
    ReportTracking,
    WebhookOutcomes,
    ...webhookIngressProviders({
      maxBytes: config.CHANNELS_WEBHOOK_MAX_BYTES,
      senderKind: 'storefront platform',
    }),
    ReceiveChannelWebhook,
  ];
  return UseCaseHarness.start({ service: 'channels', migrations: CHANNELS_MIGRATIONS, providers });
}

/** A connection of its own per test (a unique id and store), with SKU rules `channel SKU → SKU`. */
export async function connect(
  harness: UseCaseHarness,
  connection: Omit<ConnectionSettings, 'id'> & { readonly id?: string },
  secrets: ConnectionSecrets,
  skus: Readonly<Record<string, string>> = {},
): Promise<ConnectionView> {
  const settings: ConnectionSettings = {
    ...connection,
    id: connection.id ?? `c-${randomUUID().slice(0, 8)}`,
  };
  const { connection: view } = await harness.run((uow) =>
    harness.get(PutConnection).execute(uow, { settings, secrets }),
  );
  for (const [channelSku, sku] of Object.entries(skus)) {
    await harness.run((uow) =>
      harness.get(SkuTable).put(uow, view.id, channelSku, { kind: 'sku', sku, multiplier: 1 }),
    );
  }
  return view;
}
