import { randomBytes } from 'node:crypto';
import {
  apiKeysEnv,
  EventProbe,
  ServiceProcess,
  startServiceProcess,
  testApiKey,
  uniqueTopicPrefix,
  waitFor,
} from '@waybill/testing';
import { signedTrackingWebhook } from '../services/logistics/src/carriers/waybill-tracking-webhook';
import { orderBody, uniqueSku } from './support/saga-stack';

const SERVICES = ['order', 'inventory', 'payment', 'logistics'] as const;
const TOPICS = [
  'waybill.order.events',
  'waybill.inventory.events',
  'waybill.payment.events',
  'waybill.logistics.events',
];
const PAYMENT_TOKEN = 'sandbox_approve';

/**
 * One order, placed by a storefront that traces (it sends a W3C `traceparent`), runs through the
 * services as separate processes — as deployed — and is one trace: every event it causes carries
 * the trace id in `traceparent`, and every log line it causes carries it as `trace_id`. The same
 * run's logs hold no API key, webhook secret or payment token.
 */
describe('one order is one trace across the services, and logs keep secrets out', () => {
  const storefront = testApiKey('storefront/acme', ['orders:write', 'orders:read']);
  const operator = testApiKey('admin', []);
  const webhookSecret = `whsec_${randomBytes(24).toString('base64')}`;
  const carrierSecret = `whsec_${randomBytes(24).toString('base64')}`;
  const topicPrefix = uniqueTopicPrefix('trace');
  const services = new Map<string, ServiceProcess>();
  let probe: EventProbe;

  beforeAll(async () => {
    probe = await EventProbe.start(topicPrefix, TOPICS);
    const env = {
      WAYBILL_API_KEYS: apiKeysEnv([storefront, operator]),
      PAYMENT_SANDBOX_WEBHOOK_SECRET: webhookSecret,
      LOGISTICS_SANDBOX_WEBHOOK_SECRET: carrierSecret,
      LOGISTICS_WEBHOOK_POLL_INTERVAL_MS: '200',
      LOG_LEVEL: 'debug',
    };
    const started = await Promise.all(
      SERVICES.map((service) => startServiceProcess(service, { topicPrefix, env })),
    );
    for (const service of started) {
      services.set(service.service, service);
    }
  });

  afterAll(async () => {
    await Promise.allSettled([...services.values()].map((service) => service.stop()));
    await probe?.stop();
  });

  const call = (service: string, method: string, path: string, key: string, body?: object, headers = {}) =>
    fetch(`${services.get(service)!.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  it('carries the storefront trace id on every event and log line of the order, from placement to delivery', async () => {
    const sku = uniqueSku('TRACE');
    expect((await call('inventory', 'PUT', `/v1/stock/${sku}`, operator.key, { onHand: 3 })).status).toBe(
      200,
    );

    const traceId = randomBytes(16).toString('hex');
    const requestId = `req-${randomBytes(6).toString('hex')}`;
    const placed = await call(
      'order',
      'POST',
      '/v1/orders',
      storefront.key,
      orderBody([{ sku, quantity: 1 }], PAYMENT_TOKEN),
      {
        traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01`,
        'x-request-id': requestId,
      },
    );
    expect(placed.status).toBe(201);
    expect(placed.headers.get('x-request-id')).toBe(requestId);
    const orderId = ((await placed.json()) as { id: string }).id;

    // Booked on confirmation; the carrier's delivery webhook arrives later, from outside any trace.
    const created = await probe.waitForEvent<{ orderId: string; trackingNumber: string }>(
      'waybill.shipment.created.v1',
      (data) => data.orderId === orderId,
      60_000,
    );
    const { rawBody, headers } = signedTrackingWebhook(
      {
        tracking_number: created.data.trackingNumber,
        status: 'delivered',
        occurred_at: new Date().toISOString(),
      },
      { secrets: [carrierSecret], id: `msg_${randomBytes(8).toString('hex')}` },
    );
    const delivery = await fetch(`${services.get('logistics')!.baseUrl}/v1/webhooks/carriers/sandbox`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: rawBody,
    });
    expect(delivery.status).toBe(200);
    // Capture and stock commitment run beside the delivery (all follow shipment.created), so they
    // may come last: wait until every event of the order is there, whatever the order.
    const expected = [
      'waybill.order.placed.v1',
      'waybill.inventory.stock-reserved.v1',
      'waybill.payment.authorized.v1',
      'waybill.order.confirmed.v1',
      'waybill.shipment.created.v1',
      'waybill.payment.captured.v1',
      'waybill.inventory.stock-committed.v1',
      'waybill.order.shipped.v1',
      'waybill.shipment.delivered.v1',
      'waybill.order.completed.v1',
    ];
    const eventsOfOrder = () =>
      probe.seen.filter((event) => (event.data as { orderId?: unknown }).orderId === orderId);
    await waitFor(
      () => {
        const seen = new Set(eventsOfOrder().map((event) => event.type));
        return expected.every((type) => seen.has(type));
      },
      { timeoutMs: 60_000, description: `every event of order ${orderId}` },
    );
    const ofOrder = eventsOfOrder();
    for (const event of ofOrder) {
      expect({ type: event.type, traceparent: event.traceparent }).toEqual({
        type: event.type,
        traceparent: expect.stringMatching(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`)) as unknown,
      });
      expect({ type: event.type, correlationid: event.correlationid }).toEqual({
        type: event.type,
        correlationid: requestId,
      });
    }
    // Each hop is a span of its own: the confirmation's parent is not the request's span.
    expect(new Set(ofOrder.map((event) => event.traceparent)).size).toBeGreaterThan(1);

    // Every service logged its part of the order under the trace, and nothing of it outside.
    await waitFor(() =>
      SERVICES.every((service) =>
        services
          .get(service)!
          .logRecords()
          .some((record) => record.trace_id === traceId),
      ),
    );
    for (const service of SERVICES) {
      const ofThisOrder = services
        .get(service)!
        .logRecords()
        .filter((record) => record.correlation_id === requestId);
      expect({ service, lines: ofThisOrder.length > 0 }).toEqual({ service, lines: true });
      for (const record of ofThisOrder) {
        expect({ service, msg: record.msg, trace_id: record.trace_id }).toEqual({
          service,
          msg: record.msg,
          trace_id: traceId,
        });
      }
    }
    const requestLine = services
      .get('order')!
      .logRecords()
      .find((record) => (record.req as { id?: string } | undefined)?.id === requestId);
    expect(requestLine).toMatchObject({ trace_id: traceId, res: { statusCode: 201 } });
  });

  it('never writes an API key, the webhook secret or a payment token to a log', async () => {
    // A refused webhook and a refused request put secrets right at the edge.
    await call(
      'payment',
      'POST',
      '/v1/webhooks/payments/sandbox',
      storefront.key,
      { token: PAYMENT_TOKEN },
      {
        'sandbox-signature': `t=${Math.floor(Date.now() / 1000)},v1=${'0'.repeat(64)}`,
      },
    );
    await call('order', 'POST', '/v1/orders?token=' + PAYMENT_TOKEN, `${storefront.key}x`, {});
    for (const service of services.values()) {
      const output = service.output();
      expect(output.length).toBeGreaterThan(0);
      for (const secret of [storefront.key, operator.key, webhookSecret, carrierSecret, PAYMENT_TOKEN]) {
        expect({ service: service.service, leaks: output.includes(secret) }).toEqual({
          service: service.service,
          leaks: false,
        });
      }
    }
  });
});
