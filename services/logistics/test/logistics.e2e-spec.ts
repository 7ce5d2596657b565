import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { exampleData, OrderConfirmedV1 } from '@waybill/contracts';
import { UnitsOfWork } from '@waybill/eventing';
import { MetricsScrape, waitFor } from '@waybill/testing';
import { BookShipment } from '../src/book-shipment/book-shipment.service';
import { sandboxTrackingNumber } from '../src/carriers/sandbox.carrier';
import { signAfterShip, signEasyPost, signStandard } from '@waybill/testing/parties';
import { Json, LogisticsTestEnv, SECRETS, TYPES } from './support/logistics-test-env';
import { ADDRESS_IN_CHINA } from './use-cases';

const FIXTURES = path.join(__dirname, '..', 'src', 'carriers', 'fixtures');
const fixture = (carrier: string, name: string): Json =>
  JSON.parse(readFileSync(path.join(FIXTURES, carrier, `${name}.json`), 'utf8'));

const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

describe('logistics service (e2e, real Kafka and Postgres, carriers over real HTTP)', () => {
  let env: LogisticsTestEnv;

  beforeAll(async () => {
    env = await LogisticsTestEnv.start();
  });

  afterAll(async () => {
    await env?.stop();
  });

  const forOrder = (orderId: string) => (data: Record<string, unknown>) => data.orderId === orderId;

  describe('booking on order.confirmed', () => {
    it('books with the sandbox once, however often order.confirmed arrives, and announces shipment.created', async () => {
      const { orderId, shipment, eventId } = await env.confirmOrder();
      // A redelivery under a new event id (e.g. the order service replaying its outbox).
      const again = await env.probe.publish(TYPES.confirmed, exampleData(TYPES.confirmed, { orderId }));
      await env.consumed(eventId, again.id);
      const created = await env.probe.waitForEvent<Json>(TYPES.created, forOrder(orderId));
      expect(created.key).toBe(orderId);
      expect(created.data).toMatchObject({
        orderId,
        shipmentId: shipment.id,
        carrier: 'sandbox',
        trackingNumber: expect.stringMatching(/^SBX[0-9A-F]{16}$/),
      });
      expect(await env.outboxCount(TYPES.created, orderId)).toBe(1);
      expect(await env.count(`SELECT 1 FROM shipments WHERE order_id = $1`, [orderId])).toBe(1);
      expect(shipment).toMatchObject({
        orderId,
        carrier: 'sandbox',
        status: 'label_created',
        destinationCountry: 'DE',
        // 2 × MUG-BLUE-350 at its configured 350 g + 1 × TEE-BLK-M at the 500 g default.
        weightGrams: 2 * 350 + 500,
        history: [expect.objectContaining({ source: 'logistics', carrierStatus: 'booked', applied: true })],
      });
    });

    it('routes by the configured rule: a US order is bought from EasyPost over its HTTP API', async () => {
      const { orderId, shipment } = await env.confirmOrder({
        shippingAddress: {
          name: 'Ada Buyer',
          line1: '1 Main St',
          city: 'Austin',
          region: 'TX',
          postalCode: '78701',
          country: 'US',
        },
      });
      expect(shipment.carrier).toBe('easypost');
      const calls = env.easypost
        .callsTo('POST', /^\/v2\/shipments$/)
        .filter((call) => (call.body.shipment as Json).reference === orderId);
      expect(calls).toHaveLength(1);
      expect(calls[0].body.shipment).toMatchObject({
        to_address: { street1: '1 Main St', city: 'Austin', state: 'TX', zip: '78701', country: 'US' },
        parcel: { weight: 42.3 },
        carrier_accounts: ['ca_e2e'],
        service: 'Priority',
      });
      expect(shipment.trackingNumber).toBe(
        env.easypost.shipments.get(shipment.carrierShipmentId)?.trackingCode,
      );
      expect(shipment.labelRef).toMatch(/^https:\/\/easypost-files\.example\//);
    });

    it('dead-letters an order the carrier refuses, naming the reason, and records no shipment', async () => {
      const orderId = randomUUID();
      await env.probe.publish(
        TYPES.confirmed,
        exampleData(TYPES.confirmed, {
          orderId,
          shippingAddress: { line1: 'Nowhere 1', city: 'Nowhere', postalCode: '00000', country: 'US' },
        }),
      );
      const letter = await env.deadLetters.waitFor((l) => l.key === orderId, 'the refused order in the DLQ');
      expect(letter.headers.dlq_reason).toBe('LOGISTICS.BOOKING_REFUSED');
      expect(letter.headers.dlq_error).toContain('EASYPOST.ADDRESS.VERIFY.FAILURE');
      expect(await env.count(`SELECT 1 FROM shipments WHERE order_id = $1`, [orderId])).toBe(0);
      expect(await env.outboxCount(TYPES.created, orderId)).toBe(0);
    });

    it('retries a carrier outage with the same idempotency key and books one parcel', async () => {
      // One consumer attempt makes LOGISTICS_CARRIER_MAX_ATTEMPTS (3) calls, all failing here; the
      // consumer retries the message, and its first call fails too, its second books.
      env.direct.failNext = 4;
      const { orderId, shipment } = await env.confirmOrder({
        shippingAddress: { line1: 'Ring 1', city: 'Wien', postalCode: '1010', country: 'AT' },
      });
      expect(shipment.carrier).toBe('direct');
      const calls = env.direct
        .callsTo('POST', /^\/v1\/shipments$/)
        .filter((call) => (call.body as Json).reference === orderId);
      expect(calls).toHaveLength(5);
      expect(new Set(calls.map((call) => call.headers['idempotency-key']))).toEqual(
        new Set([`logistics:${orderId}:book`]),
      );
      expect(await env.outboxCount(TYPES.created, orderId)).toBe(1);
    });
  });

  it('serialises two bookings of one order racing in separate transactions: one carrier call, one shipment', async () => {
    const orderId = randomUUID();
    const order = exampleData<OrderConfirmedV1>(TYPES.confirmed, {
      orderId,
      shippingAddress: { line1: 'Ring 1', city: 'Wien', postalCode: '1010', country: 'AT' },
    });
    const book = env.service.app.get(BookShipment);
    const units = env.service.app.get(UnitsOfWork);
    // The first call stalls, so without the lock the second transaction would call the carrier too.
    env.direct.stallNext = 1;
    env.direct.stallMs = 300;
    const attempt = () => units.run((uow) => book.execute(uow, { order }));
    await Promise.all([attempt(), attempt()]);
    const calls = env.direct
      .callsTo('POST', /^\/v1\/shipments$/)
      .filter((call) => (call.body as Json).reference === orderId);
    expect(calls).toHaveLength(1);
    expect(await env.count(`SELECT 1 FROM shipments WHERE order_id = $1`, [orderId])).toBe(1);
    expect(await env.outboxCount(TYPES.created, orderId)).toBe(1);
  });

  describe('cancelling on order.cancelled', () => {
    it('cancels a parcel not yet picked up with its carrier, and announces the cancelled status', async () => {
      const { orderId, shipment } = await env.confirmOrder({
        shippingAddress: { line1: 'Ring 1', city: 'Wien', postalCode: '1010', country: 'AT' },
      });
      await env.probe.publish(
        TYPES.cancelled,
        exampleData(TYPES.cancelled, { orderId, reason: 'ORDER.CUSTOMER_REQUEST' }),
      );
      const changed = await env.probe.waitForEvent<Json>(TYPES.statusChanged, forOrder(orderId));
      expect(changed.data).toMatchObject({ previousStatus: 'label_created', status: 'cancelled' });
      const cancelCalls = env.direct.callsTo(
        'POST',
        new RegExp(`^/v1/shipments/${shipment.carrierShipmentId}/cancel$`),
      );
      expect(cancelCalls).toHaveLength(1);
      expect(cancelCalls[0].headers['idempotency-key']).toBe(`logistics:${orderId}:cancel`);
      expect(env.direct.shipments.get(shipment.carrierShipmentId)?.cancelled).toBe(true);
      expect((await env.shipment(shipment.id)).status).toBe('cancelled');
    });

    it('after pickup, calls no carrier and records that the cancellation came too late', async () => {
      const { orderId, shipment } = await env.confirmOrder();
      const answer = await env.sandboxWebhook({
        tracking_number: shipment.trackingNumber,
        status: 'in_transit',
        occurred_at: minutesAgo(1),
      });
      await env.processed(answer.body.id);
      const cancelled = await env.probe.publish(TYPES.cancelled, exampleData(TYPES.cancelled, { orderId }));
      await env.consumed(cancelled.id);
      const after = await env.shipment(shipment.id);
      expect(after.status).toBe('in_transit');
      expect(after.history.map((h: Json) => [h.carrierStatus, h.applied])).toContainEqual([
        'cancel_too_late',
        false,
      ]);
    });
  });

  describe('tracking webhooks', () => {
    it('delivered before in_transit ends in delivered; the late in_transit is recorded, not applied', async () => {
      const { orderId, shipment } = await env.confirmOrder();
      const delivered = await env.sandboxWebhook({
        tracking_number: shipment.trackingNumber,
        status: 'delivered',
        occurred_at: minutesAgo(1),
        location: 'Berlin, DE',
      });
      const inTransit = await env.sandboxWebhook({
        tracking_number: shipment.trackingNumber,
        status: 'in_transit',
        occurred_at: minutesAgo(30),
      });
      expect([delivered.status, inTransit.status]).toEqual([200, 200]);
      await env.processed(delivered.body.id);
      await env.processed(inTransit.body.id);
      const after = await env.shipment(shipment.id);
      expect(after.status).toBe('delivered');
      expect(after.history.find((h: Json) => h.status === 'in_transit')).toMatchObject({
        applied: false,
        notAppliedReason: 'AFTER_FINAL_STATUS',
      });
      const event = await env.probe.waitForEvent<Json>(TYPES.delivered, forOrder(orderId));
      expect(event.data).toMatchObject({ shipmentId: shipment.id, trackingNumber: shipment.trackingNumber });
      expect(await env.outboxCount(TYPES.statusChanged, orderId)).toBe(1);
    });

    it('keeps a webhook that arrives before the booking commits and applies it once the shipment exists', async () => {
      const orderId = randomUUID();
      // The sandbox derives the tracking number from the booking's idempotency key.
      const trackingNumber = sandboxTrackingNumber(`logistics:${orderId}:book`);
      const early = await env.sandboxWebhook({
        tracking_number: trackingNumber,
        status: 'in_transit',
        occurred_at: minutesAgo(1),
      });
      expect(early.status).toBe(200);
      await waitFor(
        async () =>
          (
            await env.query<{ last_error: string | null }>(
              `SELECT last_error FROM webhook_inbox WHERE id = $1`,
              [early.body.id],
            )
          )[0].last_error?.includes(`no sandbox shipment has tracking number ${trackingNumber}`),
        { description: 'the early webhook to wait for its shipment' },
      );
      await env.probe.publish(TYPES.confirmed, exampleData(TYPES.confirmed, { orderId }));
      await env.processed(early.body.id);
      const [shipment] = (await env.get(`/v1/shipments?orderId=${orderId}`)).body.items;
      expect(shipment).toMatchObject({ trackingNumber, status: 'in_transit' });
    });

    it('applies a duplicate once: the same delivery is not stored again, the same event under a new id is not applied again', async () => {
      const { orderId, shipment } = await env.confirmOrder();
      const data = {
        tracking_number: shipment.trackingNumber,
        status: 'delivered',
        occurred_at: minutesAgo(2),
      };
      const first = await env.sandboxWebhook(data, { id: 'msg_dup_first' + orderId });
      const redelivered = await env.sandboxWebhook(data, { id: 'msg_dup_first' + orderId });
      const resent = await env.sandboxWebhook(data, { id: 'msg_dup_second' + orderId });
      expect(first.body).toMatchObject({ received: true, duplicate: false });
      expect(redelivered.body).toEqual({ received: true, duplicate: true, id: first.body.id });
      expect(resent.body).toMatchObject({ duplicate: false });
      await env.processed(first.body.id);
      await env.processed(resent.body.id);
      expect(await env.outboxCount(TYPES.delivered, orderId)).toBe(1);
      expect(await env.outboxCount(TYPES.statusChanged, orderId)).toBe(1);
      expect(
        (await env.shipment(shipment.id)).history.filter((h: Json) => h.status === 'delivered'),
      ).toHaveLength(1);
    });

    it('accepts both secrets during a rotation over HTTP, and refuses an unknown or stale signature with nothing stored', async () => {
      const { shipment } = await env.confirmOrder();
      const data = (minutes: number) => ({
        tracking_number: shipment.trackingNumber,
        status: 'in_transit',
        occurred_at: minutesAgo(minutes),
      });
      expect((await env.sandboxWebhook(data(5), { secret: SECRETS.sandboxOld })).status).toBe(200);
      expect((await env.sandboxWebhook(data(4), { secret: SECRETS.sandboxNew })).status).toBe(200);
      const before = await env.count(`SELECT 1 FROM webhook_inbox`);
      const forged = await env.sandboxWebhook(data(3), { secret: SECRETS.direct });
      expect(forged).toMatchObject({ status: 401, body: { code: 'WEBHOOK.SIGNATURE_MISMATCH' } });
      const stale = await env.sandboxWebhook(data(3), { signedAt: new Date(Date.now() - 10 * 60_000) });
      expect(stale).toMatchObject({ status: 401, body: { code: 'WEBHOOK.TIMESTAMP_OUT_OF_TOLERANCE' } });
      expect(await env.count(`SELECT 1 FROM webhook_inbox`)).toBe(before);
    });

    it('refuses malformed and oversized webhooks with a 4xx naming the problem, and records nothing as processed', async () => {
      const { shipment } = await env.confirmOrder();
      const counts = async () => ({
        inbox: await env.count(`SELECT 1 FROM webhook_inbox`),
        tracking: await env.count(`SELECT 1 FROM shipment_tracking_events`),
      });
      const before = await counts();
      const refusals = async () =>
        (await MetricsScrape.of(env.service.baseUrl)).value('waybill_webhooks_total', {
          source: 'sandbox',
          outcome: 'payload_malformed',
        });
      const refusedBefore = await refusals();
      const signed = (raw: Buffer) =>
        signStandard(raw, SECRETS.sandboxNew, new Date(), `msg_${randomUUID()}`);

      const notJson = Buffer.from('{"type": "shipment.tracking_updated", ');
      expect(await env.postWebhook('sandbox', notJson, signed(notJson))).toMatchObject({
        status: 400,
        body: { code: 'REQUEST.INVALID_JSON' },
      });
      const noTracking = Buffer.from(
        JSON.stringify({ type: 'shipment.tracking_updated', data: { status: 'delivered' } }),
      );
      const malformed = await env.postWebhook('sandbox', noTracking, signed(noTracking));
      expect(malformed).toMatchObject({ status: 400, body: { code: 'WEBHOOK.PAYLOAD_MALFORMED' } });
      expect(malformed.body.message).toContain('data.occurred_at');
      expect(await refusals()).toBe(refusedBefore + 1);
      const unsigned = Buffer.from(JSON.stringify({ type: 'shipment.tracking_updated', data: {} }));
      const missing = await env.postWebhook('sandbox', unsigned, {});
      expect(missing).toMatchObject({ status: 400, body: { code: 'WEBHOOK.SIGNATURE_MISSING' } });
      expect(missing.body.message).toContain('webhook-signature');

      const padded = Buffer.from(
        JSON.stringify({
          type: 'shipment.tracking_updated',
          timestamp: new Date().toISOString(),
          data: {
            tracking_number: shipment.trackingNumber,
            status: 'delivered',
            occurred_at: minutesAgo(1),
            description: 'x'.repeat(300 * 1024),
          },
        }),
      );
      expect(await env.postWebhook('sandbox', padded, signed(padded))).toMatchObject({
        status: 413,
        body: { code: 'WEBHOOK.PAYLOAD_TOO_LARGE' },
      });
      const huge = Buffer.from(JSON.stringify({ data: 'y'.repeat(2 * 1024 * 1024) }));
      expect(await env.postWebhook('sandbox', huge, signed(huge))).toMatchObject({
        status: 413,
        body: { code: 'REQUEST.TOO_LARGE' },
      });
      expect(await env.postWebhook('no-such-carrier', unsigned, {})).toMatchObject({
        status: 404,
        body: { code: 'LOGISTICS.UNKNOWN_CARRIER' },
      });
      expect(await counts()).toEqual(before);
      expect((await env.shipment(shipment.id)).status).toBe('label_created');
    });

    it('takes AfterShip tracking (an aggregator) for a parcel another carrier booked', async () => {
      const { orderId, shipment } = await env.confirmOrder({
        shippingAddress: { line1: 'Ring 1', city: 'Wien', postalCode: '1010', country: 'AT' },
      });
      const body = fixture('aftership', 'OutForDelivery');
      body.event_id = randomUUID();
      body.ts = Math.floor(Date.now() / 1000);
      body.msg.tracking_number = shipment.trackingNumber;
      body.msg.checkpoints.at(-1).checkpoint_time = minutesAgo(1);
      const answer = await env.afterShipWebhook(body);
      expect(answer.status).toBe(200);
      // AfterShip signs no timestamp: a replay of the captured request is caught by its event_id.
      expect((await env.afterShipWebhook(body)).body).toEqual({
        received: true,
        duplicate: true,
        id: answer.body.id,
      });
      const changed = await env.probe.waitForEvent<Json>(TYPES.statusChanged, forOrder(orderId));
      expect(changed.data).toMatchObject({
        carrier: 'direct',
        previousStatus: 'label_created',
        status: 'out_for_delivery',
        carrierStatus: 'OutForDelivery/OutForDelivery_001',
        location: 'Berlin, Germany',
      });
      const tampered = Buffer.from(JSON.stringify({ ...body, event_id: randomUUID() }));
      const signedForOther = signAfterShip(Buffer.from(JSON.stringify(body)), SECRETS.aftership, new Date());
      expect(await env.postWebhook('aftership', tampered, signedForOther)).toMatchObject({
        status: 401,
        body: { code: 'WEBHOOK.SIGNATURE_MISMATCH' },
      });
    });

    it('takes EasyPost tracker events: delivered announces shipment.delivered; an old event is refused as stale', async () => {
      const { orderId, shipment } = await env.confirmOrder({
        shippingAddress: {
          line1: '1 Main St',
          city: 'Austin',
          region: 'TX',
          postalCode: '78701',
          country: 'US',
        },
      });
      const body = fixture('easypost', 'delivered');
      body.id = `evt_${randomUUID().replace(/-/g, '')}`;
      body.created_at = new Date().toISOString();
      body.result.tracking_code = shipment.trackingNumber;
      body.result.tracking_details.at(-1).datetime = minutesAgo(1);
      const first = await env.easyPostWebhook(body);
      expect(first.status).toBe(200);
      expect((await env.easyPostWebhook(body)).body).toMatchObject({ duplicate: true, id: first.body.id });
      const delivered = await env.probe.waitForEvent<Json>(TYPES.delivered, forOrder(orderId));
      expect(delivered.data).toMatchObject({ carrier: 'easypost', trackingNumber: shipment.trackingNumber });

      const old = {
        ...body,
        id: `evt_${randomUUID().replace(/-/g, '')}`,
        created_at: minutesAgo(8 * 24 * 60),
      };
      const raw = Buffer.from(JSON.stringify(old));
      expect(
        await env.postWebhook('easypost', raw, signEasyPost(raw, SECRETS.easypost, new Date())),
      ).toMatchObject({
        status: 401,
        body: { code: 'WEBHOOK.TIMESTAMP_OUT_OF_TOLERANCE' },
      });
    });

    it('announces an exception the carrier reports', async () => {
      const { orderId, shipment } = await env.confirmOrder();
      await env.sandboxWebhook({
        tracking_number: shipment.trackingNumber,
        status: 'exception',
        occurred_at: minutesAgo(1),
        description: 'Parcel damaged in transit',
      });
      const exception = await env.probe.waitForEvent<Json>(TYPES.exception, forOrder(orderId));
      expect(exception.data).toMatchObject({
        carrierStatus: 'exception',
        message: 'Parcel damaged in transit',
      });
    });

    it('keeps, flags and counts a status no table maps; an operator may replay the stored webhook', async () => {
      const { shipment } = await env.confirmOrder();
      const answer = await env.sandboxWebhook({
        tracking_number: shipment.trackingNumber,
        status: 'teleported',
        occurred_at: minutesAgo(1),
      });
      await env.processed(answer.body.id);
      const after = await env.shipment(shipment.id);
      expect(after.status).toBe('label_created');
      expect(after.history.find((h: Json) => h.carrierStatus === 'teleported')).toMatchObject({
        status: 'unknown',
        mapped: false,
        applied: false,
        notAppliedReason: 'UNMAPPED_STATUS',
      });
      const scrape = await MetricsScrape.of(env.service.baseUrl);
      expect(scrape.value('waybill_carrier_unmapped_statuses_total', { carrier: 'sandbox' })).toBe(1);
      const unmapped = (await env.get('/v1/carriers/unmapped-statuses')).body.items;
      expect(unmapped).toContainEqual(
        expect.objectContaining({ carrier: 'sandbox', carrierStatus: 'teleported', occurrences: 1 }),
      );

      const path = `/v1/webhooks/carriers/sandbox/${answer.body.id}/replay`;
      expect((await env.request('POST', path, { key: env.keys.reader })).status).toBe(403);
      expect((await env.request('POST', path)).status).toBe(401);
      expect(
        await env.request('POST', '/v1/webhooks/carriers/sandbox/999999999/replay', {
          key: env.keys.operator,
        }),
      ).toMatchObject({
        status: 404,
        body: { code: 'LOGISTICS.WEBHOOK_NOT_FOUND' },
      });
      expect(await env.request('POST', path, { key: env.keys.operator })).toMatchObject({
        status: 202,
        body: { replayed: true, id: answer.body.id },
      });
      await waitFor(
        async () =>
          (await env.count(
            `SELECT 1 FROM webhook_inbox WHERE id = $1 AND attempts = 2 AND processed_at IS NOT NULL`,
            [answer.body.id],
          )) === 1,
        { description: 'the replayed webhook to be processed again' },
      );
      // The same event again: already in the history, so neither recorded nor counted twice.
      expect(
        (await env.shipment(shipment.id)).history.filter((h: Json) => h.carrierStatus === 'teleported'),
      ).toHaveLength(1);
    });
  });

  describe('SF route pushes to the token path', () => {
    /** `minutes` ago on SF's clock (Asia/Shanghai wall time, no offset). */
    const shanghaiMinutesAgo = (minutes: number) =>
      new Date(Date.now() + 8 * 3600_000 - minutes * 60_000).toISOString().slice(0, 19).replace('T', ' ');
    const pushUrl = (token: string) => `${env.service.baseUrl}/v1/webhooks/carriers/sf/${token}`;

    it("books an order to China with SF; its pushes, out of order and each twice, are acked in SF's exact bytes and end in delivered", async () => {
      const { shipment } = await env.confirmOrder({ shippingAddress: ADDRESS_IN_CHINA });
      expect(shipment).toMatchObject({
        carrier: 'sf',
        trackingNumber: env.sf.waybillFor(shipment.id)?.waybillNo,
      });
      const sandbox = fixture('sf', 'route-push-sandbox') as { pushes: Json[] };
      const routes = sandbox.pushes.map((push: Json, index: number) => ({
        opCode: push.Body.WaybillRoute[0].opCode as string,
        remark: push.Body.WaybillRoute[0].remark as string,
        acceptTime: shanghaiMinutesAgo(10 - index),
      }));
      const pushes = await env.sf.pushRoutes(shipment.trackingNumber, routes, {
        to: pushUrl(SECRETS.sfPushToken),
        outOfOrder: true,
        duplicate: true,
        batchSize: 1,
      });
      expect(pushes.map((push) => [push.status, push.answer])).toEqual(
        pushes.map(() => [200, '{"return_code":"0000","return_msg":"成功"}']),
      );
      const after = await waitFor(
        async () => {
          const current = await env.shipment(shipment.id);
          return current.history?.length >= 6 ? current : undefined;
        },
        { timeoutMs: 30_000, description: 'the five SF routes in the history' },
      );
      expect(after.status).toBe('delivered');
      expect(await env.count(`SELECT 1 FROM webhook_inbox WHERE source = 'sf'`)).toBeGreaterThanOrEqual(5);
    });

    it("refuses a wrong token in SF's failure form and a missing one with 404", async () => {
      const body = JSON.stringify(fixture('sf', 'route-push-sandbox').pushes[0]);
      const wrong = await fetch(pushUrl(`${SECRETS.sfPushToken}x`), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json;charset=UTF-8' },
        body,
      });
      expect(wrong.status).toBe(401);
      expect(wrong.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await wrong.json()).toEqual({
        return_code: '1000',
        return_msg: 'the push token does not match',
      });
      const missing = await env.request('POST', '/v1/webhooks/carriers/sf', { body });
      expect(missing.status).toBe(404);
    });
  });

  describe('the shipments API', () => {
    it('needs shipments:read, validates its input and names what is missing', async () => {
      const { orderId, shipment } = await env.confirmOrder();
      expect((await env.request('GET', `/v1/shipments/${shipment.id}`)).status).toBe(401);
      expect((await env.get(`/v1/shipments/${shipment.id}`, env.keys.stranger)).status).toBe(403);
      expect((await env.get(`/v1/shipments/${shipment.id}`, env.keys.operator)).body.orderId).toBe(orderId);
      // Another storefront's shipment does not exist for it.
      expect((await env.get(`/v1/shipments/${shipment.id}`, env.keys.otherShop)).status).toBe(404);
      expect((await env.get(`/v1/shipments?orderId=${orderId}`, env.keys.otherShop)).body).toEqual({
        items: [],
      });
      expect(shipment.storefrontId).toBe('shop-eu');
      expect((await env.get(`/v1/shipments/not-a-uuid`)).status).toBe(400);
      expect(await env.get(`/v1/shipments/${randomUUID()}`)).toMatchObject({
        status: 404,
        body: { code: 'LOGISTICS.SHIPMENT_NOT_FOUND' },
      });
      const noOrder = await env.get(`/v1/shipments`);
      expect(noOrder.status).toBe(400);
      expect(noOrder.body.message).toContain('orderId');
      expect((await env.get(`/v1/shipments?orderId=${randomUUID()}`)).body).toEqual({ items: [] });
    });
  });
});
