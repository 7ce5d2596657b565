import { createHash, randomUUID } from 'node:crypto';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UseCaseHarness, webhookApplied } from '@waybill/testing';
import { FakeKuaidi100 } from '@waybill/testing/parties';
import { bookedShipment, logisticsUseCases, shipmentOf } from '../../test/use-cases';
import { ShipmentRepository } from '../persistence/shipment.repository';
import {
  TrackingSubscription,
  TrackingSubscriptionRepository,
} from '../persistence/tracking-subscription.repository';
import { ReceiveCarrierWebhook } from '../receive-webhook/receive-carrier-webhook.service';
import { SubscribeTracking } from './subscribe-tracking.service';

const MINUTE = 60_000;

describe('SubscribeTracking and Kuaidi100 pushes (PostgreSQL, FakeKuaidi100 over HTTP)', () => {
  let fake: FakeKuaidi100;
  let callback: Server;
  let harness: UseCaseHarness;
  let subscribe: SubscribeTracking;

  beforeAll(async () => {
    fake = await FakeKuaidi100.start();
    // Kuaidi100's callbackurl: hands the raw form body to the one ingress, as the controller does.
    const holder: { receiver?: ReceiveCarrierWebhook } = {};
    callback = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const receiver = holder.receiver;
        if (!receiver) {
          response.writeHead(503).end();
          return;
        }
        receiver
          .receive('kuaidi100', Buffer.concat(chunks), request.headers)
          .then((ack) => {
            response.writeHead(ack.status, { 'Content-Type': ack.contentType });
            response.end(typeof ack.body === 'string' ? ack.body : JSON.stringify(ack.body));
          })
          .catch(() => response.writeHead(500).end());
      });
    });
    await new Promise<void>((resolve) => callback.listen(0, '127.0.0.1', resolve));
    const publicBaseUrl = `http://127.0.0.1:${(callback.address() as AddressInfo).port}`;
    harness = await logisticsUseCases({ webhookIngress: true, kuaidi100: { fake, publicBaseUrl } });
    holder.receiver = harness.get(ReceiveCarrierWebhook);
    subscribe = harness.get(SubscribeTracking);
  });

  afterAll(async () => {
    await harness?.stop();
    await new Promise<void>((resolve) => (callback ? callback.close(() => resolve()) : resolve()));
    await fake?.stop();
  });

  const subscriptionOf = async (shipmentId: string): Promise<TrackingSubscription> => {
    const found = await harness
      .get(TrackingSubscriptionRepository)
      .find(harness.dataSource.manager, shipmentId);
    if (!found) {
      throw new Error(`shipment ${shipmentId} has no tracking subscription`);
    }
    return found;
  };
  const pollsFor = (trackingNumber: string) =>
    fake.polls
      .filter((poll) => poll.param.includes(`"number":"${trackingNumber}"`))
      .map((poll) => poll.returnCode);
  const externalIdOf = (param: string, company: string, number: string) =>
    `${company}:${number}:${createHash('sha256').update(param, 'utf8').digest('hex')}`;

  it('subscribes a booked parcel once, after the booking, with the phone’s last 4 digits and our salt', async () => {
    const shipment = await bookedShipment(harness);
    expect(await subscriptionOf(shipment.id)).toMatchObject({
      status: 'pending',
      provider: 'kuaidi100',
      company: 'shunfeng',
      phone: '3456',
      attempts: 0,
    });

    await subscribe.runDue(new Date());
    await subscribe.runDue(new Date(Date.now() + 24 * 60 * MINUTE));

    expect(await subscriptionOf(shipment.id)).toMatchObject({ status: 'subscribed', attempts: 1 });
    expect(pollsFor(shipment.trackingNumber)).toEqual(['200']);
    expect(fake.subscription('shunfeng', shipment.trackingNumber)).toMatchObject({
      salt: fake.salt,
      phone: '3456',
      resultv2: '6',
      callbackurl: expect.stringMatching(/\/v1\/webhooks\/carriers\/kuaidi100$/),
    });
  });

  it('retries an outage with growing, capped backoff, and takes 501 after a lost answer as subscribed', async () => {
    const shipment = await bookedShipment(harness);
    fake.outage(1);
    fake.loseNextAnswer();
    const start = Date.now();

    await subscribe.runDue(new Date(start));
    const afterOutage = await subscriptionOf(shipment.id);
    expect(afterOutage).toMatchObject({
      status: 'pending',
      attempts: 1,
      lastError: 'Kuaidi100 answered HTTP 503',
    });
    const firstDelay = afterOutage.nextAttemptAt.getTime() - start;
    // Attempt 1 waits half to all of the initial 30 s (jitter).
    expect(firstDelay).toBeGreaterThanOrEqual(15_000);
    expect(firstDelay).toBeLessThanOrEqual(30_000);

    // Not due yet: nothing is called.
    await subscribe.runDue(new Date(start + 1000));
    expect(pollsFor(shipment.trackingNumber)).toEqual(['HTTP 503']);

    const second = afterOutage.nextAttemptAt.getTime();
    await subscribe.runDue(new Date(second));
    const afterLost = await subscriptionOf(shipment.id);
    expect(afterLost).toMatchObject({ status: 'pending', attempts: 2 });
    const secondDelay = afterLost.nextAttemptAt.getTime() - second;
    expect(secondDelay).toBeGreaterThanOrEqual(30_000);
    expect(secondDelay).toBeLessThanOrEqual(60_000);

    await subscribe.runDue(afterLost.nextAttemptAt);
    // Kuaidi100 took the lost one: the retry hears 501 "already subscribed", which is success.
    expect(pollsFor(shipment.trackingNumber)).toEqual(['HTTP 503', '200', '501']);
    expect(await subscriptionOf(shipment.id)).toMatchObject({ status: 'subscribed', lastError: undefined });
  });

  it('fails for good on a refusal (700: SF without a phone), with the reason kept, and never calls again', async () => {
    const shipment = await bookedShipment(harness, {
      shippingAddress: {
        name: 'Ada Buyer',
        line1: 'Ring 1',
        city: 'Wien',
        postalCode: '1010',
        country: 'AT',
      },
    });

    await subscribe.runDue(new Date());
    await subscribe.runDue(new Date(Date.now() + 24 * 60 * MINUTE));

    expect(await subscriptionOf(shipment.id)).toMatchObject({
      status: 'failed',
      phone: undefined,
      lastError: expect.stringMatching(/^KUAIDI100\.700: .*phone/),
    });
    expect(pollsFor(shipment.trackingNumber)).toEqual(['700']);
  });

  it('applies an SF parcel’s pushes through the ingress and the handler; the whole trace again adds no history', async () => {
    // SF books elsewhere (its adapter is another branch's): the shipment as BookShipment leaves it.
    const shipmentId = randomUUID();
    const orderId = randomUUID();
    const trackingNumber = `SF${Date.now()}`;
    const now = new Date().toISOString();
    await harness.dataSource.transaction(async (manager) => {
      await harness.get(ShipmentRepository).insert(manager, {
        id: shipmentId,
        orderId,
        storefrontId: 'storefront-1',
        carrier: 'sf',
        trackingNumber,
        status: 'label_created',
        statusOccurredAt: now,
        weightGrams: 500,
        destinationCountry: 'CN',
      });
      await harness
        .get(TrackingSubscriptionRepository)
        .add(
          manager,
          { shipmentId, provider: 'kuaidi100', company: 'shunfeng', trackingNumber, phone: '5514' },
          new Date(),
        );
    });
    await subscribe.runDue(new Date());
    expect(await subscriptionOf(shipmentId)).toMatchObject({ status: 'subscribed' });

    const first = await fake.push('shunfeng', trackingNumber, {
      state: '0',
      nodes: [
        { context: '顺丰速运 已收取快件', time: '2026-03-01 09:00:00', statusCode: '103' },
        {
          context: '【深圳转运中心】 已发出',
          time: '2026-03-01 20:15:14',
          statusCode: '1002',
          areaName: '广东,深圳市',
        },
      ],
    });
    expect(first.acknowledged).toBe(true);
    await webhookApplied(harness, 'kuaidi100', externalIdOf(first.param, 'shunfeng', trackingNumber));
    // The same delivery again (Kuaidi100 retries what it thinks was not answered): a duplicate.
    const resent = await fake.push('shunfeng', trackingNumber, { state: '0' });
    expect(resent).toMatchObject({ acknowledged: true, param: first.param });
    expect(
      await harness.query(`SELECT id FROM webhook_inbox WHERE source = 'kuaidi100' AND external_id = $1`, [
        externalIdOf(first.param, 'shunfeng', trackingNumber),
      ]),
    ).toHaveLength(1);
    // The whole trace again, as a different delivery (`updateall`), then with one node more.
    const again = await fake.push('shunfeng', trackingNumber, { status: 'updateall', state: '0' });
    await webhookApplied(harness, 'kuaidi100', externalIdOf(again.param, 'shunfeng', trackingNumber));
    const signed = await fake.push('shunfeng', trackingNumber, {
      state: '3',
      status: 'shutdown',
      nodes: [{ context: '已签收,签收人:本人', time: '2026-03-02 11:00:00', statusCode: '301' }],
    });
    await webhookApplied(harness, 'kuaidi100', externalIdOf(signed.param, 'shunfeng', trackingNumber));

    const history = await harness.query<{
      carrier_status: string;
      status: string;
      occurred_at: Date;
      location: string | null;
    }>(
      `SELECT carrier_status, status, occurred_at, location FROM shipment_tracking_events
        WHERE shipment_id = $1 AND source = 'kuaidi100' ORDER BY occurred_at`,
      [shipmentId],
    );
    expect(
      history.map((row) => [row.carrier_status, row.status, row.occurred_at.toISOString(), row.location]),
    ).toEqual([
      ['103', 'in_transit', '2026-03-01T01:00:00.000Z', null],
      ['1002', 'in_transit', '2026-03-01T12:15:14.000Z', '广东,深圳市'],
      ['301', 'delivered', '2026-03-02T03:00:00.000Z', null],
    ]);
    expect(await harness.get(ShipmentRepository).find(harness.dataSource.manager, shipmentId)).toMatchObject({
      status: 'delivered',
    });
    expect(await harness.enqueuedTypes()).toEqual([
      'waybill.shipment.status-changed.v1',
      'waybill.shipment.status-changed.v1',
      'waybill.shipment.delivered.v1',
    ]);
    // Signed for: `shutdown` with ischeck 1 asks for no new subscription.
    expect(await subscriptionOf(shipmentId)).toMatchObject({ status: 'subscribed' });
  });

  it('subscribes again 30 minutes after an abort push, not before', async () => {
    const shipment = await bookedShipment(harness);
    await subscribe.runDue(new Date());
    expect(await subscriptionOf(shipment.id)).toMatchObject({ status: 'subscribed' });

    const abort = await fake.push('shunfeng', shipment.trackingNumber, { status: 'abort' });
    expect(abort.acknowledged).toBe(true);
    await webhookApplied(
      harness,
      'kuaidi100',
      externalIdOf(abort.param, 'shunfeng', shipment.trackingNumber),
    );
    const [{ received_at: receivedAt }] = await harness.query<{ received_at: Date }>(
      `SELECT received_at FROM webhook_inbox WHERE source = 'kuaidi100' AND external_id = $1`,
      [externalIdOf(abort.param, 'shunfeng', shipment.trackingNumber)],
    );
    const reset = await subscriptionOf(shipment.id);
    expect(reset).toMatchObject({
      status: 'pending',
      attempts: 0,
      lastError: expect.stringContaining('abort'),
    });
    expect(reset.nextAttemptAt.getTime()).toBe(receivedAt.getTime() + 30 * MINUTE);

    await subscribe.runDue(new Date(receivedAt.getTime() + 29 * MINUTE));
    expect(pollsFor(shipment.trackingNumber)).toEqual(['200']);

    await subscribe.runDue(new Date(receivedAt.getTime() + 30 * MINUTE));
    // Kuaidi100 had stopped polling it, so this is a new subscription (200), and done.
    expect(pollsFor(shipment.trackingNumber)).toEqual(['200', '200']);
    expect(await subscriptionOf(shipment.id)).toMatchObject({ status: 'subscribed', attempts: 1 });
    expect(await shipmentOf(harness, shipment.orderId)).toMatchObject({ status: 'label_created' });
  });
});
