import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { exampleData } from '@waybill/contracts';
import {
  apiKeysEnv,
  DeadLetterWatcher,
  EventProbe,
  PublicFront,
  ServiceUnderTest,
  startServiceForTest,
  testApiKey,
  TestApiKey,
  uniqueTopicPrefix,
  waitFor,
} from '@waybill/testing';
import { LogisticsConfig } from '../../src/logistics.config';
import { LogisticsModule } from '../../src/logistics.module';
import { signedTrackingWebhook, TrackingWebhookData } from '../../src/carriers/waybill-tracking-webhook';
import {
  FakeDirectCarrier,
  FakeEasyPost,
  FakeKuaidi100,
  FakeSf,
  signAfterShip,
  signEasyPost,
  whsec,
} from '@waybill/testing/parties';

/** Parsed JSON of an HTTP answer, asserted on field by field. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export const SECRETS = {
  /** The sandbox is mid-rotation: both verify. */
  sandboxOld: whsec('sandbox secret being retired'),
  sandboxNew: whsec('sandbox secret now current'),
  aftership: 'aftership-e2e-secret',
  easypost: 'easypost-e2e-secret',
  direct: whsec('direct carrier e2e secret'),
  /** SF signs nothing: its pushes go to /v1/webhooks/carriers/sf/<this>. */
  sfPushToken: 'sf-e2e-push-token-0123456789abcdefghij',
} as const;

export const TYPES = {
  confirmed: 'waybill.order.confirmed.v1',
  cancelled: 'waybill.order.cancelled.v1',
  created: 'waybill.shipment.created.v1',
  statusChanged: 'waybill.shipment.status-changed.v1',
  delivered: 'waybill.shipment.delivered.v1',
  exception: 'waybill.shipment.exception.v1',
} as const;

export interface HttpAnswer {
  readonly status: number;
  readonly body: Json;
}

/**
 * The logistics service alone on the real Kafka and Postgres, with EasyPost and a direct carrier
 * played by real HTTP servers. The test plays the order service (publishing order events), the
 * carriers (posting signed webhooks) and the operator.
 */
export class LogisticsTestEnv {
  private constructor(
    readonly service: ServiceUnderTest<LogisticsConfig>,
    readonly probe: EventProbe,
    readonly deadLetters: DeadLetterWatcher,
    readonly easypost: FakeEasyPost,
    readonly direct: FakeDirectCarrier,
    /** Tracks the sandbox's parcels (as `shunfeng`): every booking here is subscribed with it. */
    readonly kuaidi100: FakeKuaidi100,
    private readonly front: PublicFront,
    readonly sf: FakeSf,
    readonly keys: { reader: TestApiKey; operator: TestApiKey; stranger: TestApiKey; otherShop: TestApiKey },
  ) {}

  static async start(): Promise<LogisticsTestEnv> {
    const prefix = `${uniqueTopicPrefix('logi')}.`;
    const probe = await EventProbe.start(prefix, ['waybill.order.events', 'waybill.logistics.events']);
    const deadLetters = await DeadLetterWatcher.start(prefix, 'logistics');
    const easypost = await new FakeEasyPost().start();
    const direct = await new FakeDirectCarrier().start();
    const kuaidi100 = await FakeKuaidi100.start();
    // Kuaidi100's callbackurl must be known before the service has its (random) port.
    const front = await PublicFront.start();
    const sf = await FakeSf.start();
    const keys = {
      reader: testApiKey('storefront/shop-eu', ['shipments:read']),
      operator: testApiKey('admin', []),
      stranger: testApiKey('storefront/other', ['orders:read']),
      otherShop: testApiKey('storefront/shop-us', ['shipments:read']),
    };
    const service = await startServiceForTest(
      { service: 'logistics', config: LogisticsConfig, module: (c) => LogisticsModule.forRoot(c) },
      {
        topicPrefix: prefix,
        env: {
          WAYBILL_API_KEYS: apiKeysEnv(Object.values(keys)),
          RATE_LIMIT_PER_MINUTE: '1000000',
          LOGISTICS_SANDBOX_WEBHOOK_SECRET: `${SECRETS.sandboxOld},${SECRETS.sandboxNew}`,
          LOGISTICS_AFTERSHIP_WEBHOOK_SECRET: SECRETS.aftership,
          LOGISTICS_EASYPOST_API_BASE: easypost.baseUrl,
          LOGISTICS_EASYPOST_API_KEY: easypost.apiKey,
          LOGISTICS_EASYPOST_WEBHOOK_SECRET: SECRETS.easypost,
          LOGISTICS_EASYPOST_CARRIER_ACCOUNTS: 'ca_e2e',
          LOGISTICS_EASYPOST_SERVICE: 'Priority',
          LOGISTICS_DIRECT_API_BASE: direct.baseUrl,
          LOGISTICS_DIRECT_API_KEY: direct.apiKey,
          LOGISTICS_DIRECT_WEBHOOK_SECRET: SECRETS.direct,
          ...sf.env(),
          LOGISTICS_SF_PUSH_TOKEN: SECRETS.sfPushToken,
          // The test posts from loopback; the service may see it as ::ffff:127.0.0.1.
          LOGISTICS_SF_PUSH_ALLOWED_CIDRS: '127.0.0.0/8,::1',
          LOGISTICS_CARRIER_RULES: JSON.stringify([
            { carrier: 'easypost', countries: ['US'] },
            { carrier: 'direct', countries: ['AT'] },
            { carrier: 'sf', countries: ['CN'] },
          ]),
          LOGISTICS_SKU_WEIGHTS_GRAMS: JSON.stringify({ 'MUG-BLUE-350': 350 }),
          LOGISTICS_CARRIER_RETRY_BACKOFF_MS: '10',
          LOGISTICS_WEBHOOK_POLL_INTERVAL_MS: '200',
          ...kuaidi100.env(),
          LOGISTICS_KUAIDI100_TRACK: 'sandbox:shunfeng',
          LOGISTICS_PUBLIC_BASE_URL: front.url,
        },
      },
    ).catch(async (error: unknown) => {
      await Promise.allSettled([
        probe.stop(),
        deadLetters.stop(),
        easypost.stop(),
        direct.stop(),
        kuaidi100.stop(),
        front.stop(),
        sf.stop(),
      ]);
      throw error;
    });
    front.target = service.baseUrl;
    return new LogisticsTestEnv(service, probe, deadLetters, easypost, direct, kuaidi100, front, sf, keys);
  }

  async stop(): Promise<void> {
    await this.service.stop();
    await Promise.allSettled([
      this.probe.stop(),
      this.deadLetters.stop(),
      this.easypost.stop(),
      this.direct.stop(),
      this.kuaidi100.stop(),
      this.front.stop(),
      this.sf.stop(),
    ]);
  }

  query<T = Json>(sql: string, params: unknown[] = []): Promise<T[]> {
    return this.service.app.get(DataSource).query<T[]>(sql, params);
  }

  async count(sql: string, params: unknown[] = []): Promise<number> {
    const [row] = await this.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM (${sql}) AS counted`,
      params,
    );
    return row.n;
  }

  /** Events of `type` for the order in the outbox: what the service decided, whatever Kafka's timing. */
  outboxCount(type: string, orderId: string): Promise<number> {
    return this.count(`SELECT 1 FROM outbox WHERE event_type = $1 AND message_key = $2`, [type, orderId]);
  }

  async request(
    method: string,
    path: string,
    options: { key?: TestApiKey; body?: string | Buffer; headers?: Record<string, string> } = {},
  ): Promise<HttpAnswer> {
    const response = await fetch(`${this.service.baseUrl}${path}`, {
      method,
      headers: {
        ...(options.key && { Authorization: `Bearer ${options.key.key}` }),
        ...(options.body !== undefined && { 'Content-Type': 'application/json' }),
        ...options.headers,
      },
      body: options.body,
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  }

  get(path: string, key: TestApiKey | undefined = this.keys.reader): Promise<HttpAnswer> {
    return this.request('GET', path, { key });
  }

  /** Confirms an order (as the order service would) and waits until its shipment is booked. */
  async confirmOrder(
    overrides: Record<string, unknown> = {},
  ): Promise<{ orderId: string; shipment: Json; eventId: string }> {
    const orderId = randomUUID();
    const event = await this.probe.publish(
      TYPES.confirmed,
      exampleData(TYPES.confirmed, { orderId, ...overrides }),
    );
    const shipment = await waitFor(
      async () => (await this.get(`/v1/shipments?orderId=${orderId}`)).body?.items?.[0],
      { timeoutMs: 30_000, description: `the shipment of order ${orderId}` },
    );
    return { orderId, shipment, eventId: event.id };
  }

  /** Waits until the service has consumed (committed in its inbox) these events. */
  async consumed(...eventIds: string[]): Promise<void> {
    await waitFor(
      async () =>
        (await this.count(`SELECT 1 FROM inbox WHERE event_id = ANY($1::uuid[])`, [eventIds])) ===
        eventIds.length,
      { timeoutMs: 30_000, description: `events ${eventIds.join(', ')} to be consumed` },
    );
  }

  async shipment(id: string): Promise<Json> {
    return (await this.get(`/v1/shipments/${id}`)).body;
  }

  /** Posts a carrier webhook with the carrier's own signature. */
  postWebhook(carrier: string, rawBody: Buffer, headers: Record<string, string>): Promise<HttpAnswer> {
    return this.request('POST', `/v1/webhooks/carriers/${carrier}`, { body: rawBody, headers });
  }

  /** A Waybill tracking webhook from the sandbox (or direct) carrier, signed with `secret`. */
  sandboxWebhook(
    data: TrackingWebhookData,
    options: { id?: string; secret?: string; signedAt?: Date; carrier?: 'sandbox' | 'direct' } = {},
  ): Promise<HttpAnswer> {
    const secret = options.secret ?? (options.carrier === 'direct' ? SECRETS.direct : SECRETS.sandboxNew);
    const { rawBody, headers } = signedTrackingWebhook(data, {
      secrets: [secret],
      id: options.id ?? `msg_${randomUUID()}`,
      at: options.signedAt,
    });
    return this.postWebhook(options.carrier ?? 'sandbox', rawBody, { ...headers });
  }

  afterShipWebhook(body: object): Promise<HttpAnswer> {
    const raw = Buffer.from(JSON.stringify(body));
    return this.postWebhook('aftership', raw, signAfterShip(raw, SECRETS.aftership, new Date()));
  }

  easyPostWebhook(body: object): Promise<HttpAnswer> {
    const raw = Buffer.from(JSON.stringify(body));
    return this.postWebhook('easypost', raw, signEasyPost(raw, SECRETS.easypost, new Date()));
  }

  /** Waits until the inbox worker has processed the stored webhook. */
  async processed(webhookId: string): Promise<void> {
    await waitFor(
      async () =>
        (await this.count(`SELECT 1 FROM webhook_inbox WHERE id = $1 AND processed_at IS NOT NULL`, [
          webhookId,
        ])) === 1,
      { timeoutMs: 30_000, description: `webhook ${webhookId} to be processed` },
    );
  }
}
