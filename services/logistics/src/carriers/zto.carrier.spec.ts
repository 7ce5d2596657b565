import { createServer, IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeZto, ZTO_SAMPLE_PARTIES } from '@waybill/testing/parties';
import { decideTracking, ShipmentState } from '../domain/shipment';
import type { TrackingUpdate } from '../domain/tracking-update';
import type { CreateShipmentRequest, WebhookAcknowledgement } from './carrier';
import { ZtoCarrier, ZtoOptions } from './zto.carrier';
import { ztoDataDigest } from './zto.protocol';

const ACK = '{"status":true,"message":"success","result":"success","statusCode":"200"}';
const WEEK = 7 * 24 * 3600;
/** A little after the 13 sandbox pushes (2025-05-22 15:06–15:09 Shanghai time). */
const SANDBOX_NOW = new Date('2025-05-22T07:20:00Z');

const BOOKING: CreateShipmentRequest = {
  orderId: '3f9a8c2e-5b7d-4e1f-9a6c-2d8b7e4f1a90',
  shipmentId: 'b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e',
  idempotencyKey: 'logistics:3f9a8c2e-5b7d-4e1f-9a6c-2d8b7e4f1a90:book',
  ...ZTO_SAMPLE_PARTIES,
  weightGrams: 1200,
};

function carrierFor(zto: FakeZto, overrides: Partial<ZtoOptions> = {}): ZtoCarrier {
  return new ZtoCarrier({
    apiBase: zto.baseUrl,
    appKey: zto.appKey,
    appSecret: zto.appSecret,
    maxEventAgeSeconds: WEEK,
    timeoutMs: 1000,
    retry: { attempts: 2, initialBackoffMs: 1 },
    ...overrides,
  });
}

interface Received {
  readonly status: number;
  readonly updates: readonly TrackingUpdate[];
  readonly externalId?: string;
}

/**
 * Waybill's side of a push over real HTTP, as the webhook ingress does it: the raw body and its
 * headers to verifyWebhook, the stored copy to readWebhook, the carrier's own answers, and the
 * inbox's dedupe on the external id.
 */
async function receiverFor(carrier: ZtoCarrier, now: () => Date = () => new Date()) {
  const received: Received[] = [];
  const seen = new Set<string>();
  const server: Server = createServer((request: IncomingMessage, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const raw = Buffer.concat(chunks);
      const headers = { 'content-type': request.headers['content-type'] ?? '' };
      const verdict = carrier.verifyWebhook(raw, request.headers, now());
      let answer: WebhookAcknowledgement;
      if (verdict.ok) {
        const fresh = !seen.has(verdict.externalId);
        seen.add(verdict.externalId);
        received.push({
          status: 200,
          externalId: verdict.externalId,
          updates: fresh ? carrier.readWebhook(raw, headers).updates : [],
        });
        answer = carrier.acknowledge();
      } else {
        received.push({ status: 0, updates: [] });
        answer = carrier.refuse(verdict);
      }
      response.writeHead(answer.status, { 'Content-Type': answer.contentType });
      response.end(typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/webhooks/carriers/zto`,
    received,
    updates: () => received.flatMap((push) => push.updates),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function apply(updates: readonly TrackingUpdate[]): ShipmentState {
  let state: ShipmentState = { status: 'label_created', statusOccurredAt: '2025-05-22T07:00:00.000Z' };
  for (const update of updates) {
    const decision = decideTracking(state, update);
    if (decision.kind === 'applied') {
      state = { status: decision.status, statusOccurredAt: update.occurredAt };
    }
  }
  return state;
}

describe('ZtoCarrier booking and cancelling against a fake ZOP', () => {
  let zto: FakeZto;

  beforeEach(async () => {
    zto = await FakeZto.start();
  });
  afterEach(() => zto.stop());

  const callsTo = (api: string) => zto.calls.filter((call) => call.path === `/${api}`);

  it('creates the order under the shipment id, subscribes its bill with the last 4 digits, and books it', async () => {
    const outcome = await carrierFor(zto).createShipment(BOOKING);
    const order = zto.orderFor(BOOKING.shipmentId);
    expect(order).toBeDefined();
    expect(outcome).toEqual({
      kind: 'booked',
      trackingNumber: order?.billCode,
      carrierShipmentId: order?.orderCode,
    });
    expect(order?.request).toMatchObject({
      partnerOrderCode: BOOKING.shipmentId,
      senderInfo: { senderName: 'Waybill 仓库', senderMobile: '15685585514', senderProvince: '广东省' },
      receiveInfo: { receiverName: '李四', receiverMobile: '13800005514', receiverAddress: '申贵路1500号' },
    });
    expect(zto.subscriptions.get(order?.billCode ?? '')).toEqual({
      billCode: order?.billCode,
      mobilePhone: '5514',
    });
    const [create] = callsTo('zto.open.createOrder');
    expect(create.headers['x-companyid']).toBe(zto.appKey);
    expect(JSON.stringify(create.headers)).not.toContain(zto.appSecret);
  });

  it('gets the same bill back when a booking is retried after the create answer was lost', async () => {
    const once = carrierFor(zto, { retry: { attempts: 1, initialBackoffMs: 1 } });
    zto.loseNextAnswer('create');
    await expect(once.createShipment(BOOKING)).resolves.toMatchObject({ kind: 'unavailable' });
    const again = await once.createShipment(BOOKING);
    expect(again).toMatchObject({
      kind: 'booked',
      trackingNumber: zto.orderFor(BOOKING.shipmentId)?.billCode,
    });
    expect(zto.orders.size).toBe(1);
    // Within one booking, the bounded retry does the same.
    zto.loseNextAnswer('create');
    await expect(carrierFor(zto).createShipment(BOOKING)).resolves.toEqual(again);
    expect(zto.orders.size).toBe(1);
    expect(callsTo('zto.open.createOrder')).toHaveLength(4);
  });

  it('re-subscribes harmlessly when the subscribe answer was lost and the booking is retried', async () => {
    const once = carrierFor(zto, { retry: { attempts: 1, initialBackoffMs: 1 } });
    zto.loseNextAnswer('subscribe');
    await expect(once.createShipment(BOOKING)).resolves.toMatchObject({
      kind: 'unavailable',
      message: expect.stringContaining('zto.merchant.waybill.track.subsrcibe'),
    });
    const billCode = zto.orderFor(BOOKING.shipmentId)?.billCode ?? '';
    expect(zto.subscriptions.has(billCode)).toBe(true);
    await expect(once.createShipment(BOOKING)).resolves.toMatchObject({
      kind: 'booked',
      trackingNumber: billCode,
    });
    expect(callsTo('zto.merchant.waybill.track.subsrcibe').map((call) => call.lost)).toEqual([true, false]);
    expect(zto.orders.size).toBe(1);
  });

  it("refuses clearly on ZOP's gateway refusals, never echoing the secret", async () => {
    const wrongSecret = await carrierFor(zto, { appSecret: 'not-the-app-secret' }).createShipment(BOOKING);
    expect(wrongSecret).toEqual({
      kind: 'refused',
      code: 'ZTO.S211',
      message: 'zto refused zto.open.createOrder: 签名错误',
    });
    const wrongKey = await carrierFor(zto, { appKey: 'someone-else' }).createShipment(BOOKING);
    expect(wrongKey).toMatchObject({ kind: 'refused', code: 'ZTO.S210' });
    expect(zto.orders.size).toBe(0);
    // A refusal is an answer: not retried.
    expect(callsTo('zto.open.createOrder')).toHaveLength(2);
  });

  it('keeps a booked bill that ZTO will not track as booked, with a warning naming the code', async () => {
    zto.refuseNext('subscribe', 'E413', '鉴权失败,请输入收寄人任一方电话号码后4位');
    const outcome = await carrierFor(zto).createShipment(BOOKING);
    const billCode = zto.orderFor(BOOKING.shipmentId)?.billCode;
    expect(billCode).toEqual(expect.any(String));
    // The parcel exists at ZTO: refusing would leave a bill nobody knows about (and cannot cancel).
    expect(outcome).toMatchObject({
      kind: 'booked',
      trackingNumber: billCode,
      warning: `zto refused zto.merchant.waybill.track.subsrcibe: 鉴权失败,请输入收寄人任一方电话号码后4位 (ZTO.E413): bill ${billCode} is booked but ZTO will not push its tracking`,
    });
    // Not retried: a refusal is an answer.
    expect(callsTo('zto.merchant.waybill.track.subsrcibe')).toHaveLength(1);
  });

  it('refuses before calling ZTO without a sender or a phone on either side', async () => {
    const carrier = carrierFor(zto);
    const { phone: _recipientPhone, ...recipient } = BOOKING.recipient;
    await expect(carrier.createShipment({ ...BOOKING, recipient })).resolves.toEqual({
      kind: 'refused',
      code: 'ZTO.PHONE_REQUIRED',
      message: 'zto needs a phone number for the recipient',
    });
    const { phone: _senderPhone, ...shipFrom } = BOOKING.shipFrom ?? BOOKING.recipient;
    await expect(carrier.createShipment({ ...BOOKING, shipFrom })).resolves.toMatchObject({
      code: 'ZTO.PHONE_REQUIRED',
      message: expect.stringContaining('sender'),
    });
    await expect(carrier.createShipment({ ...BOOKING, shipFrom: undefined })).resolves.toMatchObject({
      kind: 'refused',
      code: 'ZTO.SENDER_REQUIRED',
    });
    expect(zto.calls).toHaveLength(0);
  });

  it('cancels a booked bill with zto.open.cancelPreOrder, and answers a refusal as a result', async () => {
    const carrier = carrierFor(zto);
    const booked = await carrier.createShipment(BOOKING);
    const trackingNumber = booked.kind === 'booked' ? booked.trackingNumber : '';
    const carrierShipmentId = booked.kind === 'booked' ? booked.carrierShipmentId : undefined;
    await expect(
      carrier.cancelShipment({
        orderId: BOOKING.orderId,
        trackingNumber,
        carrierShipmentId,
        idempotencyKey: 'c-1',
      }),
    ).resolves.toEqual({ kind: 'cancelled' });
    expect(zto.cancelled.has(BOOKING.shipmentId)).toBe(true);
    expect(JSON.parse(callsTo('zto.open.cancelPreOrder')[0].body)).toEqual({
      cancelType: '1',
      orderCode: carrierShipmentId,
      billCode: trackingNumber,
    });
    await expect(
      carrier.cancelShipment({ orderId: 'o-2', trackingNumber: '73199999999999', idempotencyKey: 'c-2' }),
    ).resolves.toEqual({
      kind: 'refused',
      code: 'ZTO.FAKE_ORDER_NOT_FOUND',
      message: 'zto refused zto.open.cancelPreOrder: 订单不存在',
    });
  });

  it('reports a 503 page, ZOP S203 and a stopped gateway as unavailable after its bounded retries', async () => {
    const carrier = carrierFor(zto);
    zto.failNext = 2;
    await expect(carrier.createShipment(BOOKING)).resolves.toEqual({
      kind: 'unavailable',
      message: 'zto zto.open.createOrder: HTTP 503 after 2 attempt(s)',
    });
    zto.failNext = 2;
    zto.failAs = 'S203';
    await expect(carrier.createShipment(BOOKING)).resolves.toMatchObject({
      kind: 'unavailable',
      message: expect.stringMatching(/S203 .* after 2 attempt\(s\)$/),
    });
    expect(zto.orders.size).toBe(0);
    // One outage answer, then the retry books.
    zto.failNext = 1;
    await expect(carrier.createShipment(BOOKING)).resolves.toMatchObject({ kind: 'booked' });
    await zto.stop();
    await expect(carrier.createShipment(BOOKING)).resolves.toMatchObject({
      kind: 'unavailable',
      message: expect.stringMatching(/network error.* after 2 attempt\(s\)$/),
    });
    await expect(
      carrier.cancelShipment({ orderId: 'o', trackingNumber: '7310', idempotencyKey: 'c' }),
    ).resolves.toMatchObject({ kind: 'unavailable' });
    zto = await FakeZto.start();
  });

  it('times out a gateway that does not answer, per attempt', async () => {
    zto.stallNext = 2;
    zto.stallMs = 1000;
    const started = Date.now();
    const outcome = await carrierFor(zto, { timeoutMs: 100 }).createShipment(BOOKING);
    expect(outcome).toMatchObject({
      kind: 'unavailable',
      message: expect.stringMatching(/did not answer in time/),
    });
    expect(Date.now() - started).toBeLessThan(900);
  });
});

describe('ZtoCarrier track pushes from a fake ZOP', () => {
  let zto: FakeZto;
  let receiver: Awaited<ReturnType<typeof receiverFor>>;
  let carrier: ZtoCarrier;

  beforeEach(async () => {
    zto = await FakeZto.start();
    carrier = carrierFor(zto);
    receiver = await receiverFor(carrier);
  });
  afterEach(async () => {
    await receiver.close();
    await zto.stop();
  });

  it.each(['form', 'json'] as const)(
    'reads %s pushes into updates and answers exactly what ZTO counts as delivered',
    async (format) => {
      const sent = await zto.push(
        '73100000000001',
        [
          { action: 'GOT', facilityName: '青浦华新', city: '上海市', desc: '已揽收' },
          'DISPATCH',
          { action: 'SIGNED', expressSigner: '王五' },
        ],
        { to: receiver.url, format },
      );
      expect(sent.map((push) => [push.status, push.answer, push.acknowledged])).toEqual([
        [200, ACK, true],
        [200, ACK, true],
        [200, ACK, true],
      ]);
      const updates = receiver.updates();
      expect(updates.map((update) => [update.carrierStatus, update.status, update.mapped])).toEqual([
        ['GOT', 'in_transit', true],
        ['DISPATCH', 'out_for_delivery', true],
        ['SIGNED', 'delivered', true],
      ]);
      const [got] = updates;
      const actionTime = (JSON.parse(sent[0].data) as { actionTime: string }).actionTime;
      expect(got).toMatchObject({
        trackingNumber: '73100000000001',
        location: '青浦华新, 上海市',
        message: '已揽收',
        occurredAt: new Date(`${actionTime.replace(' ', 'T')}+08:00`).toISOString(),
      });
    },
  );

  it('brings the shipment to delivered through the 13 sandbox pushes in their out-of-order arrival', async () => {
    await zto.stop();
    zto = await FakeZto.start(FakeZto.sandboxCredentials);
    await receiver.close();
    receiver = await receiverFor(carrierFor(zto), () => SANDBOX_NOW);
    const sent = await zto.replaySandboxPushes(receiver.url, { format: 'form' });
    expect(sent.every((push) => push.acknowledged)).toBe(true);
    const updates = receiver.updates();
    expect(updates).toHaveLength(13);
    expect(updates[0]).toMatchObject({
      trackingNumber: '73100196611386',
      carrierStatus: 'DEPARTURE_SIGNED',
      status: 'delivered',
      occurredAt: '2025-05-22T07:08:27.000Z',
    });
    expect(updates[8]).toMatchObject({ carrierStatus: 'GOT', occurredAt: '2025-05-22T07:06:35.000Z' });
    expect(apply(updates).status).toBe('delivered');
    // The same 13 as JSON read the same.
    const asJson = await receiverFor(carrierFor(zto), () => SANDBOX_NOW);
    try {
      await zto.replaySandboxPushes(asJson.url, { format: 'json' });
      expect(asJson.updates()).toEqual(updates);
    } finally {
      await asJson.close();
    }
  });

  it('names a duplicated push by the same id, so the inbox applies it once', async () => {
    const sent = await zto.push('73100000000001', ['DEPARTURE', 'ARRIVAL'], {
      to: receiver.url,
      order: [1, 0],
      duplicate: true,
    });
    expect(sent.every((push) => push.acknowledged)).toBe(true);
    const ids = receiver.received.map((push) => push.externalId);
    expect(ids[0]).toBe(ids[1]);
    expect(ids[2]).toBe(ids[3]);
    expect(ids[0]).not.toBe(ids[2]);
    expect(receiver.updates().map((update) => update.carrierStatus)).toEqual(['ARRIVAL', 'DEPARTURE']);
  });

  it('keeps an unknown action as unknown and unmapped', async () => {
    await zto.push('73100000000001', ['TELEPORTED'], { to: receiver.url });
    expect(receiver.updates()).toEqual([
      expect.objectContaining({ carrierStatus: 'TELEPORTED', status: 'unknown', mapped: false }),
    ]);
  });

  it("refuses a push signed with another app's secret with status:false and a 401, so ZTO retries", async () => {
    const stranger = await FakeZto.start({ appKey: zto.appKey });
    try {
      const [push] = await stranger.push('73100000000001', ['SIGNED'], { to: receiver.url });
      expect(push.status).toBe(401);
      expect(push.acknowledged).toBe(false);
      expect(JSON.parse(push.answer)).toEqual({
        status: false,
        message: 'the data_digest does not match data with the configured app secret',
        result: 'WEBHOOK.SIGNATURE_MISMATCH',
        statusCode: '401',
      });
      expect(receiver.updates()).toHaveLength(0);
    } finally {
      await stranger.stop();
    }
  });
});

describe('ZtoCarrier.verifyWebhook on raw bodies', () => {
  const appSecret = 'zto-app-secret-for-tests';
  const carrier = new ZtoCarrier({
    apiBase: 'http://127.0.0.1:9',
    appKey: 'zto-app-key',
    appSecret,
    maxEventAgeSeconds: WEEK,
    timeoutMs: 100,
    retry: { attempts: 1, initialBackoffMs: 1 },
  });
  const now = new Date('2025-05-22T08:00:00Z');
  const data =
    '{"billCode":"73100196611386","action":"ARRIVAL","actionTime":"2025-05-22 15:07:46","city":"郑州市"}';
  const FORM = { 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8' };
  const JSON_HEADERS = { 'content-type': 'application/json' };
  const form = (fields: Record<string, string>) => Buffer.from(new URLSearchParams(fields).toString());
  const signed = (text = data) => ({
    data: text,
    data_digest: ztoDataDigest(text, appSecret),
    msg_type: 'Traces',
    company_id: 'zto-app-key',
  });

  it('verifies data as received, in a form or JSON, and names it by a hash of data', () => {
    const fromForm = carrier.verifyWebhook(form(signed()), FORM, now);
    const fromJson = carrier.verifyWebhook(Buffer.from(JSON.stringify(signed())), JSON_HEADERS, now);
    expect(fromForm).toMatchObject({ ok: true, eventType: 'Traces.ARRIVAL' });
    expect(fromJson).toEqual(fromForm);
    expect(fromForm.ok && fromForm.externalId).toMatch(/^zto:[A-Za-z0-9_-]{43}$/);
  });

  it('refuses tampered data, a re-serialised data and a wrong digest (SIGNATURE_MISMATCH)', () => {
    const tampered = { ...signed(), data: data.replace('ARRIVAL', 'SIGNED') };
    const reserialised = { ...signed(), data: JSON.stringify(JSON.parse(data), null, 1) };
    const wrong = { ...signed(), data_digest: ztoDataDigest(data, 'another-secret') };
    for (const fields of [tampered, reserialised, wrong]) {
      expect(carrier.verifyWebhook(form(fields), FORM, now)).toMatchObject({
        ok: false,
        rejection: 'SIGNATURE_MISMATCH',
      });
    }
  });

  it('refuses a missing or empty digest (SIGNATURE_MISSING) and one that is no MD5 (SIGNATURE_MALFORMED)', () => {
    const { data_digest: _digest, ...unsigned } = signed();
    expect(carrier.verifyWebhook(form(unsigned), FORM, now)).toMatchObject({
      rejection: 'SIGNATURE_MISSING',
    });
    expect(carrier.verifyWebhook(form({ ...signed(), data_digest: '' }), FORM, now)).toMatchObject({
      rejection: 'SIGNATURE_MISSING',
    });
    expect(carrier.verifyWebhook(form({ ...signed(), data_digest: 'abc' }), FORM, now)).toMatchObject({
      rejection: 'SIGNATURE_MALFORMED',
    });
    const refusal = carrier.refuse({ ok: false, rejection: 'SIGNATURE_MISSING', message: 'no digest' });
    expect(refusal.status).toBe(400);
  });

  it('refuses bodies that are neither form nor JSON, or whose data does not read (PAYLOAD_MALFORMED)', () => {
    const cases: [Buffer, Record<string, string>][] = [
      [form(signed()), { 'content-type': 'text/plain' }],
      [form(signed()), {}],
      [Buffer.from('not json'), JSON_HEADERS],
      [Buffer.from(JSON.stringify({ ...signed(), data: JSON.parse(data) as object })), JSON_HEADERS],
      [Buffer.from(`${form(signed()).toString()}&data=${encodeURIComponent('{}')}`), FORM],
      [form(signed('not json')), FORM],
      [form(signed('{"billCode":"731","action":"GOT"}')), FORM],
      [form(signed('{"billCode":"731","action":"GOT","actionTime":"2025-05-22T07:06:35Z"}')), FORM],
      [form(signed('{"action":"GOT","actionTime":"2025-05-22 15:06:35"}')), FORM],
      [form(signed('[]')), FORM],
    ];
    for (const [body, headers] of cases) {
      expect(carrier.verifyWebhook(body, headers, now)).toMatchObject({
        ok: false,
        rejection: 'PAYLOAD_MALFORMED',
      });
    }
  });

  it('bounds replays by the event time inside the signed data (TIMESTAMP_OUT_OF_TOLERANCE)', () => {
    const body = form(signed());
    const late = new Date(now.getTime() + WEEK * 1000);
    expect(carrier.verifyWebhook(body, FORM, late)).toMatchObject({
      rejection: 'TIMESTAMP_OUT_OF_TOLERANCE',
    });
    expect(carrier.verifyWebhook(body, FORM, new Date(late.getTime() - 2 * 3600_000))).toMatchObject({
      ok: true,
    });
  });

  it('refuses everything without an app secret (NOT_CONFIGURED)', () => {
    const bare = new ZtoCarrier({
      apiBase: 'http://127.0.0.1:9',
      appKey: 'k',
      appSecret: '',
      maxEventAgeSeconds: WEEK,
      timeoutMs: 100,
      retry: { attempts: 1, initialBackoffMs: 1 },
    });
    expect(bare.verifyWebhook(form(signed()), FORM, now)).toMatchObject({
      ok: false,
      rejection: 'NOT_CONFIGURED',
    });
  });

  it('answers a signed push of another msg_type, and stores it never', () => {
    const other = { ...signed('{"anything":true}'), msg_type: 'PrintCallback' };
    expect(carrier.verifyWebhook(form(other), FORM, now)).toMatchObject({
      ok: true,
      ignored: true,
      eventType: 'PrintCallback',
    });
    expect(carrier.readWebhook(form(other), FORM).updates).toEqual([]);
  });
});
