import { randomUUID } from 'node:crypto';
import { Provider } from '@nestjs/common';
import { exampleData, OrderCancelledV1, OrderConfirmedV1 } from '@waybill/contracts';
import { StoredWebhook } from '@waybill/eventing';
import { loadConfig, Metrics, WebhookOutcomes } from '@waybill/platform';
import { UseCaseHarness } from '@waybill/testing';
import { FakeDirectCarrier, FakeEasyPost, FakeKuaidi100, FakeSf, whsec } from '@waybill/testing/parties';
import { BookShipment } from '../src/book-shipment/book-shipment.service';
import { CancelShipment } from '../src/cancel-shipment/cancel-shipment.service';
import { CarrierRegistry } from '../src/carriers/carrier-registry';
import {
  signedTrackingWebhook,
  TRACKING_UPDATED,
  TrackingWebhookData,
} from '../src/carriers/waybill-tracking-webhook';
import { TrackingUpdate } from '../src/domain/tracking-update';
import { LogisticsConfig } from '../src/logistics.config';
import { LogisticsMetrics } from '../src/logistics-metrics';
import { logisticsWebhookIngress } from '../src/logistics.module';
import { LOGISTICS_MIGRATIONS } from '../src/persistence/migrations';
import { Shipment, ShipmentRepository } from '../src/persistence/shipment.repository';
import { ShipmentQueries } from '../src/query-shipments/shipment-queries.service';
import { ReceiveCarrierWebhook } from '../src/receive-webhook/receive-carrier-webhook.service';
import { CarrierWebhookHandler } from '../src/track-shipment/carrier-webhook.handler';
import { ShipmentTracker } from '../src/policies/shipment-tracker';
import { TrackingSubscriptionRepository } from '../src/persistence/tracking-subscription.repository';
import { SubscribeTracking } from '../src/subscribe-tracking/subscribe-tracking.service';

export const SANDBOX_WEBHOOK_SECRET = whsec('logistics use-case sandbox secret');
/** The secret path segment SF pushes to, when the use cases have SF. */
export const SF_PUSH_TOKEN = 'use-case-sf-push-token-0123456789abcdef';

export interface LogisticsUseCaseOptions {
  /**
   * Carriers over real HTTP besides the in-process sandbox: orders to AT go to the direct carrier,
   * orders to the US to EasyPost.
   */
  readonly direct?: FakeDirectCarrier;
  readonly easypost?: FakeEasyPost;
  /** SF Express over real HTTP: orders to CN go to it. */
  readonly sf?: FakeSf;
  /**
   * Kuaidi100 over real HTTP, tracking the sandbox's and SF's parcels (as `shunfeng`); its pushes
   * go to `publicBaseUrl` + `/v1/webhooks/carriers/kuaidi100`.
   */
  readonly kuaidi100?: { readonly fake: FakeKuaidi100; readonly publicBaseUrl: string };
  /**
   * The webhook ingress with its background inbox worker (it applies stored webhooks behind the
   * test's back, so only the receive spec asks for it).
   */
  readonly webhookIngress?: boolean;
}

/**
 * Logistics' use cases with their real repository on a database of their own (PostgreSQL only);
 * the carriers are the adapters the configuration names.
 */
export function logisticsUseCases(options: LogisticsUseCaseOptions = {}): Promise<UseCaseHarness> {
  const { direct, easypost, kuaidi100, sf } = options;
  const config = loadConfig(LogisticsConfig, {
    DATABASE_URL: 'postgres://unused.invalid/logistics',
    KAFKA_BROKERS: 'unused.invalid:9092',
    // Nothing here is called over HTTP.
    WAYBILL_API_KEYS: '[]',
    LOGISTICS_SANDBOX_WEBHOOK_SECRET: SANDBOX_WEBHOOK_SECRET,
    LOGISTICS_SKU_WEIGHTS_GRAMS: JSON.stringify({ 'MUG-BLUE-350': 350 }),
    LOGISTICS_CARRIER_MAX_ATTEMPTS: '2',
    LOGISTICS_CARRIER_RETRY_BACKOFF_MS: '0',
    // The worker is woken by each stored webhook; its sweep would only repeat that.
    LOGISTICS_WEBHOOK_POLL_INTERVAL_MS: '600000',
    LOGISTICS_CARRIER_RULES: JSON.stringify([
      ...(easypost ? [{ carrier: 'easypost', countries: ['US'] }] : []),
      ...(direct ? [{ carrier: 'direct', countries: ['AT'] }] : []),
      ...(sf ? [{ carrier: 'sf', countries: ['CN'] }] : []),
    ]),
    ...(sf && { ...sf.env(), LOGISTICS_SF_PUSH_TOKEN: SF_PUSH_TOKEN }),
    ...(direct && { LOGISTICS_DIRECT_API_BASE: direct.baseUrl, LOGISTICS_DIRECT_API_KEY: direct.apiKey }),
    ...(easypost && {
      LOGISTICS_EASYPOST_API_BASE: easypost.baseUrl,
      LOGISTICS_EASYPOST_API_KEY: easypost.apiKey,
      LOGISTICS_EASYPOST_CARRIER_ACCOUNTS: 'ca_use_case',
      LOGISTICS_EASYPOST_SERVICE: 'Priority',
    }),
    ...(kuaidi100 && {
      ...kuaidi100.fake.env(),
      LOGISTICS_KUAIDI100_TRACK: 'sandbox:shunfeng,sf',
      LOGISTICS_PUBLIC_BASE_URL: kuaidi100.publicBaseUrl,
    }),
  });
  const ingress: Provider[] = options.webhookIngress
    ? [ReceiveCarrierWebhook, WebhookOutcomes, ...logisticsWebhookIngress(config)]
    : [CarrierWebhookHandler];
  return UseCaseHarness.start({
    service: 'logistics',
    migrations: LOGISTICS_MIGRATIONS,
    providers: [
      { provide: LogisticsConfig, useValue: config },
      { provide: Metrics, useValue: new Metrics('logistics', { processMetrics: false }) },
      LogisticsMetrics,
      CarrierRegistry,
      ShipmentRepository,
      TrackingSubscriptionRepository,
      ShipmentTracker,
      SubscribeTracking,
      BookShipment,
      CancelShipment,
      ShipmentQueries,
      ...ingress,
    ],
  });
}

/** order.confirmed of the example order (2 × MUG-BLUE-350, 1 × TEE-BLK-M to Germany), a new order id. */
export function orderConfirmed(overrides: Record<string, unknown> = {}): OrderConfirmedV1 {
  return exampleData<OrderConfirmedV1>('waybill.order.confirmed.v1', { orderId: randomUUID(), ...overrides });
}

export function orderCancelled(orderId: string): OrderCancelledV1 {
  return exampleData<OrderCancelledV1>('waybill.order.cancelled.v1', {
    orderId,
    reason: 'ORDER.CUSTOMER_REQUEST',
  });
}

/** An address in China with the recipient's phone SF requires: orders to it go to SF when it is configured. */
export const ADDRESS_IN_CHINA = {
  name: '张三',
  line1: '科技园中区 1 号',
  city: '深圳市',
  postalCode: '518057',
  country: 'CN',
  phone: '+8613800138000',
};

/** An address in `country`, for the booking rules. */
export function addressIn(country: 'AT' | 'US', postalCode = country === 'AT' ? '1010' : '78701') {
  return country === 'AT'
    ? { name: 'Ada Buyer', line1: 'Ring 1', city: 'Wien', postalCode, country }
    : { name: 'Ada Buyer', line1: '1 Main St', city: 'Austin', region: 'TX', postalCode, country };
}

/** The order's shipment, read back through the repository; undefined when none was booked. */
export function shipmentOf(harness: UseCaseHarness, orderId: string): Promise<Shipment | undefined> {
  return harness
    .get(ShipmentRepository)
    .findByOrder(harness.dataSource.manager, orderId)
    .then(([shipment]) => shipment);
}

/** Books a confirmed order and forgets its shipment.created, so a test sees only what comes after. */
export async function bookedShipment(
  harness: UseCaseHarness,
  overrides: Record<string, unknown> = {},
): Promise<Shipment> {
  const order = orderConfirmed(overrides);
  await harness.run((uow) => harness.get(BookShipment).execute(uow, { order }));
  const shipment = await shipmentOf(harness, order.orderId);
  if (!shipment) {
    throw new Error(`order ${order.orderId} was not booked`);
  }
  await harness.enqueued();
  return shipment;
}

/** Runs ShipmentTracker on the order's shipment, locked first as its callers do; whether it moved. */
export function track(
  harness: UseCaseHarness,
  orderId: string,
  update: TrackingUpdate,
  source = 'sandbox',
): Promise<boolean> {
  return harness.run(async (uow) => {
    const shipment = await harness.get(ShipmentRepository).lockByOrder(uow.manager, orderId);
    if (!shipment) {
      throw new Error(`order ${orderId} has no shipment`);
    }
    return harness.get(ShipmentTracker).apply(uow, { shipment, update, source });
  });
}

/** A mapped tracking update for `shipment`, `minutesAgo` by the carrier's clock. */
export function trackingUpdate(
  shipment: Pick<Shipment, 'trackingNumber'>,
  status: TrackingUpdate['status'],
  minutesAgo = 0,
  changes: Partial<TrackingUpdate> = {},
): TrackingUpdate {
  return {
    trackingNumber: shipment.trackingNumber,
    carrierStatus: status,
    status,
    mapped: true,
    occurredAt: new Date(Date.now() - minutesAgo * 60_000).toISOString(),
    ...changes,
  };
}

/** A Waybill tracking webhook from the sandbox carrier, signed now with the configured secret. */
export function signedSandboxWebhook(data: TrackingWebhookData, id = `msg_${randomUUID()}`) {
  const { rawBody, headers } = signedTrackingWebhook(data, { secrets: [SANDBOX_WEBHOOK_SECRET], id });
  return { id, rawBody, headers: { ...headers } };
}

/** A verified sandbox webhook as the inbox worker hands it to the handler, received `receivedAt`. */
export function storedSandboxWebhook(
  data: TrackingWebhookData,
  { source = 'sandbox', receivedAt = new Date() }: { source?: string; receivedAt?: Date } = {},
): StoredWebhook {
  const { id, rawBody, headers } = signedSandboxWebhook(data);
  return {
    id: '1',
    source,
    externalId: id,
    eventType: TRACKING_UPDATED,
    rawBody,
    headers,
    attempts: 0,
    receivedAt,
  };
}
