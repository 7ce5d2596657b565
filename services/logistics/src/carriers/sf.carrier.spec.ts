import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { FakeSf, SF_PUSH_ACK as FAKE_SF_PUSH_ACK } from '@waybill/testing/parties';
import type { CreateShipmentRequest, ParsedWebhook, PushRequest } from './carrier';
import { kilograms, SF_PUSH_ACK, SfCarrier, SfOptions } from './sf.carrier';

const CALLS = { timeoutMs: 2000, retry: { attempts: 2, initialBackoffMs: 1 } };
const PUSH_TOKEN = randomBytes(24).toString('base64url');

const sandbox = JSON.parse(
  readFileSync(path.join(__dirname, 'fixtures', 'sf', 'route-push-sandbox.json'), 'utf8'),
) as { pushes: { Body: { WaybillRoute: Record<string, unknown>[] } }[] };

const BOOKING: CreateShipmentRequest = {
  orderId: '7d0c1f7e-2f55-4c1e-9d0b-5a4f1e2b3c4d',
  shipmentId: '5a1e9f0c-3b2d-5e4f-8a6b-7c8d9e0f1a2b',
  idempotencyKey: 'logistics:7d0c1f7e-2f55-4c1e-9d0b-5a4f1e2b3c4d:book',
  recipient: {
    name: '张三',
    line1: '科技园中区 1 号',
    city: '深圳市',
    region: '广东省',
    postalCode: '518057',
    country: 'CN',
    phone: '+8613800138000',
  },
  shipFrom: {
    name: 'Waybill 仓库',
    line1: '园博路 9 号',
    city: '郑州市',
    region: '河南省',
    postalCode: '450000',
    country: 'CN',
    phone: '+8613900139000',
  },
  weightGrams: 1234,
};

describe('SfCarrier', () => {
  let fake: FakeSf;
  let carrier: SfCarrier;
  const options = (overrides: Partial<SfOptions> = {}): SfOptions => ({
    ...CALLS,
    apiBase: fake.baseUrl,
    partnerId: fake.partnerId,
    checkWord: fake.checkWord,
    monthlyCard: fake.monthlyCard,
    pushToken: PUSH_TOKEN,
    ...overrides,
  });

  beforeEach(async () => {
    fake = await FakeSf.start();
    carrier = new SfCarrier(options());
  });
  afterEach(() => fake.stop());

  describe('booking (EXP_RECE_CREATE_ORDER)', () => {
    it('books under our shipment id as orderId and answers the master waybill', async () => {
      const outcome = await carrier.createShipment(BOOKING);
      const waybill = fake.waybillFor(BOOKING.shipmentId);
      expect(waybill).toBeDefined();
      expect(outcome).toEqual({
        kind: 'booked',
        trackingNumber: waybill?.waybillNo,
        carrierShipmentId: BOOKING.shipmentId,
      });
      expect(waybill?.order).toMatchObject({
        monthlyCard: fake.monthlyCard,
        totalWeight: 1.234,
        contactInfoList: [
          {
            contactType: 1,
            contact: 'Waybill 仓库',
            mobile: '13900139000',
            city: '郑州市',
            province: '河南省',
          },
          {
            contactType: 2,
            contact: '张三',
            mobile: '13800138000',
            address: '科技园中区 1 号',
            postCode: '518057',
            country: 'CN',
          },
        ],
      });
      // The weight goes out as the decimal digits, not a binary fraction's expansion.
      expect(fake.calls[0].form.msgData).toContain('"totalWeight":1.234,');
    });

    it('writes kilograms from whole grams without float rounding, and refuses what is not whole grams', async () => {
      expect([1, 10, 100, 1000, 1234, 1005, 999_999].map(kilograms)).toEqual([
        0.001, 0.01, 0.1, 1, 1.234, 1.005, 999.999,
      ]);
      expect(JSON.stringify(kilograms(300))).toBe('0.3');
      expect([0, -5, 1.5, Number.NaN].map(kilograms)).toEqual([undefined, undefined, undefined, undefined]);
      await expect(carrier.createShipment({ ...BOOKING, weightGrams: 12.5 })).resolves.toMatchObject({
        kind: 'refused',
        code: 'SF.WEIGHT_INVALID',
      });
      expect(fake.calls).toHaveLength(0);
    });

    it('after a lost answer, the retry meets 8016 and recovers the same waybill: one parcel at SF', async () => {
      fake.loseNextAnswer('create');
      const outcome = await carrier.createShipment(BOOKING);
      expect(fake.waybills.size).toBe(1);
      expect(outcome).toEqual({
        kind: 'booked',
        trackingNumber: fake.waybillFor(BOOKING.shipmentId)?.waybillNo,
        carrierShipmentId: BOOKING.shipmentId,
      });
      expect(fake.calls.map((call) => [call.serviceCode, call.errorCode, call.lost])).toEqual([
        ['EXP_RECE_CREATE_ORDER', 'S0000', true],
        ['EXP_RECE_CREATE_ORDER', '8016', false],
        ['EXP_RECE_SEARCH_ROUTES', 'S0000', false],
      ]);
      // Found by orderId (trackingType 2), which needs no phone digits.
      expect(JSON.parse(fake.calls[2].form.msgData)).toMatchObject({
        trackingType: '2',
        trackingNumber: [BOOKING.shipmentId],
      });
    });

    it('a booking repeated later (a redelivered command) is the same booking', async () => {
      const first = await carrier.createShipment(BOOKING);
      await expect(carrier.createShipment(BOOKING)).resolves.toEqual(first);
      expect(fake.waybills.size).toBe(1);
    });

    it('refuses without calling SF when the recipient has no phone', async () => {
      const { phone: _phone, ...recipient } = BOOKING.recipient;
      await expect(carrier.createShipment({ ...BOOKING, recipient })).resolves.toMatchObject({
        kind: 'refused',
        code: 'SF.PHONE_REQUIRED',
      });
      expect(fake.calls).toHaveLength(0);
    });

    it("a wrong check word is SF's A1006, a clear refusal that books nothing and never shows the word", async () => {
      const checkWord = 'not-the-check-word-0123456789';
      const wrong = new SfCarrier(options({ checkWord }));
      const outcome = await wrong.createShipment(BOOKING);
      expect(outcome).toMatchObject({
        kind: 'refused',
        code: 'SF.A1006',
        message: expect.stringContaining('数字签名无效'),
      });
      expect(JSON.stringify(outcome)).not.toContain(checkWord);
      expect(fake.waybills.size).toBe(0);
      // A refusal is an answer: not retried.
      expect(fake.calls).toHaveLength(1);
    });

    it("refuses with SF's business code inside A1000 (8119 for a foreign monthly card)", async () => {
      const foreign = new SfCarrier(options({ monthlyCard: '7550000000' }));
      await expect(foreign.createShipment(BOOKING)).resolves.toEqual({
        kind: 'refused',
        code: 'SF.8119',
        message: '月结卡号不存在或已失效',
      });
    });
  });

  describe('outages', () => {
    it('a 503 on every attempt is unavailable after the bounded retries, and books nothing', async () => {
      fake.failNext = CALLS.retry.attempts;
      await expect(carrier.createShipment(BOOKING)).resolves.toEqual({
        kind: 'unavailable',
        message: 'sf: HTTP 503 after 2 attempt(s)',
      });
      expect(fake.waybills.size).toBe(0);
    });

    it('one 503 then an answer books: the retry carried it', async () => {
      fake.failNext = 1;
      await expect(carrier.createShipment(BOOKING)).resolves.toMatchObject({ kind: 'booked' });
    });

    it('A1005 (rate limited) is retried like an outage, not a refusal', async () => {
      fake.rateLimitNext = CALLS.retry.attempts;
      await expect(carrier.createShipment(BOOKING)).resolves.toEqual({
        kind: 'unavailable',
        message: 'sf: sf gateway A1005 after 2 attempt(s)',
      });
      fake.rateLimitNext = 1;
      await expect(carrier.createShipment(BOOKING)).resolves.toMatchObject({ kind: 'booked' });
    });

    it('SF down (connection refused) and SF too slow are unavailable, never thrown', async () => {
      const slow = new SfCarrier(options({ timeoutMs: 100 }));
      fake.stallNext = 2;
      fake.stallMs = 1000;
      await expect(slow.cancelShipment({ ...cancelOf(BOOKING.shipmentId) })).resolves.toEqual({
        kind: 'unavailable',
        message: 'sf: the provider did not answer in time after 2 attempt(s)',
      });
      await fake.stop();
      await expect(carrier.createShipment(BOOKING)).resolves.toMatchObject({
        kind: 'unavailable',
        message: expect.stringMatching(/network error.*after 2 attempt/),
      });
      fake = await FakeSf.start();
    });
  });

  describe('cancelling (EXP_RECE_UPDATE_ORDER dealType 2)', () => {
    it('cancels, and cancelling again (8037) is still cancelled', async () => {
      const booked = await carrier.createShipment(BOOKING);
      const carrierShipmentId = booked.kind === 'booked' ? booked.carrierShipmentId : undefined;
      const cancel = { ...cancelOf(BOOKING.shipmentId), carrierShipmentId };
      await expect(carrier.cancelShipment(cancel)).resolves.toEqual({ kind: 'cancelled' });
      await expect(carrier.cancelShipment(cancel)).resolves.toEqual({ kind: 'cancelled' });
      expect(fake.waybillFor(BOOKING.shipmentId)?.state).toBe('cancelled');
      expect(fake.calls.slice(1).map((call) => call.errorCode)).toEqual(['S0000', '8037']);
      expect(JSON.parse(fake.calls[1].form.msgData)).toMatchObject({
        orderId: BOOKING.shipmentId,
        dealType: 2,
      });
    });

    it('refuses an order SF does not know (8018) and one whose SF orderId we do not have', async () => {
      await expect(carrier.cancelShipment(cancelOf('no-such-order'))).resolves.toMatchObject({
        kind: 'refused',
        code: 'SF.8018',
      });
      await expect(
        carrier.cancelShipment({ ...cancelOf(''), carrierShipmentId: undefined }),
      ).resolves.toMatchObject({ kind: 'refused', code: 'SF.NO_ORDER_ID' });
    });
  });

  describe('route query (EXP_RECE_SEARCH_ROUTES)', () => {
    it('reads the routes of a waybill as tracking updates with UTC times, oldest first', async () => {
      const booked = await carrier.createShipment(BOOKING);
      const waybillNo = booked.kind === 'booked' ? booked.trackingNumber : '';
      fake.addRoutes(waybillNo, [
        { opCode: '80', acceptTime: '2025-05-26 09:56:46', remark: '您的快件已签收' },
        { opCode: '50', acceptTime: '2025-05-26 09:55:52', acceptAddress: '深圳市' },
      ]);
      const found = await carrier.searchRoutes([waybillNo], { checkPhoneNo: '8000' });
      expect(found).toEqual({
        kind: 'found',
        updates: [
          {
            trackingNumber: waybillNo,
            carrierStatus: '50',
            status: 'in_transit',
            mapped: true,
            occurredAt: '2025-05-26T01:55:52.000Z',
            location: '深圳市',
            message: '顺丰速运 已收取快件',
          },
          expect.objectContaining({
            carrierStatus: '80',
            status: 'delivered',
            occurredAt: '2025-05-26T01:56:46.000Z',
          }),
        ],
      });
      expect(JSON.parse(fake.calls[1].form.msgData)).toMatchObject({
        trackingType: '1',
        checkPhoneNo: '8000',
      });
    });

    it('refuses more than 10 numbers before calling SF', async () => {
      const numbers = Array.from({ length: 11 }, (_, i) => `SF${String(i).padStart(13, '0')}`);
      await expect(carrier.searchRoutes(numbers)).resolves.toMatchObject({
        kind: 'refused',
        code: 'SF.TOO_MANY_NUMBERS',
      });
      expect(fake.calls).toHaveLength(0);
    });
  });

  describe('route pushes', () => {
    const token = { pathToken: PUSH_TOKEN };
    const body = (routes: Record<string, unknown>[]) =>
      Buffer.from(JSON.stringify({ Body: { WaybillRoute: routes } }));
    const sandboxRoute = (index: number) => sandbox.pushes[index].Body.WaybillRoute[0];

    it('reads every sandbox push as one update with its UTC time, mapped status and place', () => {
      const read = sandbox.pushes.map((push) => {
        const raw = Buffer.from(JSON.stringify(push));
        expect(carrier.verifyWebhook(raw, {}, undefined, token)).toMatchObject({
          ok: true,
          eventType: 'RoutePushService',
        });
        return carrier.readWebhook(raw).updates;
      });
      expect(
        read.map((updates) => updates.map((u) => [u.carrierStatus, u.status, u.mapped, u.occurredAt])),
      ).toEqual([
        [['50', 'in_transit', true, '2025-05-26T01:55:52.000Z']],
        [['30', 'in_transit', true, '2025-05-26T01:56:14.000Z']],
        [['31', 'in_transit', true, '2025-05-26T01:56:25.000Z']],
        [['44', 'in_transit', true, '2025-05-26T01:56:35.000Z']],
        [['80', 'delivered', true, '2025-05-26T01:56:46.000Z']],
      ]);
      expect(read[0][0]).toMatchObject({
        trackingNumber: 'SF7444496931331',
        location: '深圳市',
        message: '顺丰速运 已收取快件',
        // orderid, the join key: on our own bookings it is the shipment id.
        shipmentId: 'OrderNum20250523',
      });
      // acceptAddress null: no location rather than "null".
      expect(read[4][0].location).toBeUndefined();
    });

    it('names a batch by its route ids: a re-push is a duplicate however SF serialises it', () => {
      const routes = [sandboxRoute(0), sandboxRoute(1)];
      const reordered = [sandboxRoute(1), Object.fromEntries(Object.entries(sandboxRoute(0)).reverse())];
      const first = carrier.readWebhook(body(routes));
      expect(carrier.readWebhook(body(reordered)).externalId).toBe(first.externalId);
      expect(carrier.readWebhook(body([sandboxRoute(0)])).externalId).not.toBe(first.externalId);
      expect(first.externalId).toMatch(/^[0-9a-f]{64}$/);
    });

    it('puts the new waybill of a return (648) first in the message, and keeps an unknown opCode unmapped', () => {
      const [returned, unknown] = carrier.readWebhook(
        body([
          { ...sandboxRoute(0), id: '1', opCode: '648', remark: '快件已退回，新单号为: SF1234567890123' },
          { ...sandboxRoute(0), id: '2', opCode: '9999' },
        ]),
      ).updates;
      expect(returned).toMatchObject({
        status: 'exception',
        message: expect.stringMatching(/^new waybill SF1234567890123: /),
      });
      expect(unknown).toMatchObject({ carrierStatus: '9999', status: 'unknown', mapped: false });
    });

    it('refuses a wrong, missing or unconfigured token without reading the body', () => {
      const raw = Buffer.from(JSON.stringify(sandbox.pushes[0]));
      expect(carrier.verifyWebhook(raw, {}, undefined, { pathToken: `${PUSH_TOKEN}x` })).toMatchObject({
        ok: false,
        rejection: 'SIGNATURE_MISMATCH',
      });
      expect(carrier.verifyWebhook(raw, {}, undefined, { pathToken: '' })).toMatchObject({
        rejection: 'SIGNATURE_MISSING',
      });
      expect(carrier.verifyWebhook(raw, {})).toMatchObject({ rejection: 'SIGNATURE_MISSING' });
      const unconfigured = new SfCarrier(options({ pushToken: undefined }));
      expect(unconfigured.verifyWebhook(raw, {}, undefined, token)).toMatchObject({
        rejection: 'NOT_CONFIGURED',
      });
      const verdict = carrier.verifyWebhook(raw, {}, undefined, { pathToken: 'guess' });
      expect(JSON.stringify(verdict)).not.toContain(PUSH_TOKEN);
    });

    it('with an allow-list, refuses other addresses and reads IPv4-mapped IPv6 as IPv4', () => {
      const raw = Buffer.from(JSON.stringify(sandbox.pushes[0]));
      const listed = new SfCarrier(
        options({ pushAllowedCidrs: ['127.0.0.0/8', '2001:db8::/32', '203.0.113.7'] }),
      );
      const from = (remoteAddress?: string): PushRequest => ({ ...token, remoteAddress });
      for (const allowed of ['127.0.0.1', '::ffff:127.0.0.1', '203.0.113.7', '2001:db8::1']) {
        expect({ allowed, verdict: listed.verifyWebhook(raw, {}, undefined, from(allowed)) }).toMatchObject({
          verdict: { ok: true },
        });
      }
      for (const refused of [
        '10.1.2.3',
        '::ffff:10.1.2.3',
        '203.0.113.8',
        '2001:db9::1',
        'not-an-ip',
        undefined,
      ]) {
        expect({ refused, verdict: listed.verifyWebhook(raw, {}, undefined, from(refused)) }).toMatchObject({
          verdict: { ok: false, rejection: 'SIGNATURE_MISMATCH' },
        });
      }
    });

    it('refuses a body that is not a JSON route push of 1 to 10 routes (PAYLOAD_MALFORMED)', () => {
      const route = sandboxRoute(0);
      const eleven = Array.from({ length: 11 }, (_, i) => ({ ...route, id: String(i) }));
      const malformed = [
        'content=%3CRequest+service%3D%22RoutePushService%22%3E', // the console's XML form mode
        '{"Body":{}}',
        '{"Body":{"WaybillRoute":[]}}',
        JSON.stringify({ Body: { WaybillRoute: eleven } }),
        JSON.stringify({ Body: { WaybillRoute: [{ ...route, acceptTime: '2025-05-26T09:55:52Z' }] } }),
        JSON.stringify({ Body: { WaybillRoute: [{ ...route, mailno: '' }] } }),
        JSON.stringify({ Body: { WaybillRoute: [{ ...route, id: undefined }] } }),
      ];
      for (const text of malformed) {
        expect({
          text,
          verdict: carrier.verifyWebhook(Buffer.from(text), {}, undefined, token),
        }).toMatchObject({
          verdict: { ok: false, rejection: 'PAYLOAD_MALFORMED' },
        });
      }
    });

    it("acknowledges with SF's exact bytes, duplicates included, and refuses in SF's failure form", () => {
      expect(SF_PUSH_ACK).toBe(FAKE_SF_PUSH_ACK);
      for (const duplicate of [false, true]) {
        expect(carrier.acknowledge({ id: 'w1', duplicate, ignored: false })).toEqual({
          status: 200,
          contentType: 'application/json;charset=UTF-8',
          body: '{"return_code":"0000","return_msg":"成功"}',
        });
      }
      expect(
        carrier.refuse({
          ok: false,
          rejection: 'SIGNATURE_MISMATCH',
          message: 'the push token does not match',
        }),
      ).toEqual({
        status: 401,
        contentType: 'application/json;charset=UTF-8',
        body: '{"return_code":"1000","return_msg":"the push token does not match"}',
      });
      expect(carrier.refuse({ ok: false, rejection: 'PAYLOAD_MALFORMED', message: 'bad' }).status).toBe(400);
    });

    describe('over HTTP from the fake SF', () => {
      let receiver: PushReceiver;
      beforeEach(async () => {
        receiver = await PushReceiver.start(carrier);
      });
      afterEach(() => receiver.stop());

      it('acks every batch, in order, out of order and duplicated; a duplicate is the same delivery', async () => {
        const booked = await carrier.createShipment(BOOKING);
        const waybillNo = booked.kind === 'booked' ? booked.trackingNumber : '';
        const routes = sandbox.pushes.map((push) => {
          const { opCode, acceptTime, remark } = push.Body.WaybillRoute[0] as Record<string, string>;
          return { opCode, acceptTime, remark };
        });
        const pushes = await fake.pushRoutes(waybillNo, routes, {
          to: receiver.url(PUSH_TOKEN),
          outOfOrder: true,
          duplicate: true,
          batchSize: 2,
        });
        expect(pushes).toHaveLength(6);
        expect(pushes.every((push) => push.acked)).toBe(true);
        expect(receiver.received.map((r) => r.duplicate)).toEqual([false, true, false, true, false, true]);
        const stored = receiver.received.filter((r) => !r.duplicate).flatMap((r) => r.webhook.updates);
        expect(stored.map((u) => u.carrierStatus)).toEqual(['80', '44', '31', '30', '50']);
        expect(stored.every((u) => u.trackingNumber === waybillNo)).toBe(true);
        // Out of order on the wire, but each keeps its own time: the newest is the delivery.
        const newest = [...stored].sort((a, b) => a.occurredAt.localeCompare(b.occurredAt)).at(-1);
        expect(newest).toMatchObject({ status: 'delivered', occurredAt: '2025-05-26T01:56:46.000Z' });
      });

      it('answers a tampered or missing token with return_code 1000 and a 401/400, storing nothing', async () => {
        const [tampered] = await fake.pushRoutes('SF7444496931331', [{ opCode: '50' }], {
          to: receiver.url(`${PUSH_TOKEN.slice(0, -1)}${PUSH_TOKEN.endsWith('A') ? 'B' : 'A'}`),
        });
        expect(tampered).toMatchObject({ status: 401, acked: false });
        expect(JSON.parse(tampered.answer)).toEqual({
          return_code: '1000',
          return_msg: 'the push token does not match',
        });
        const [missing] = await fake.pushRoutes('SF7444496931331', [{ opCode: '50' }], {
          to: receiver.url(),
        });
        expect(missing).toMatchObject({ status: 400, acked: false });
        expect(JSON.parse(missing.answer)).toMatchObject({ return_code: '1000' });
        expect(receiver.received).toHaveLength(0);
      });
    });
  });
});

function cancelOf(sfOrderId: string) {
  return {
    orderId: BOOKING.orderId,
    trackingNumber: 'SF0000000000000',
    carrierShipmentId: sfOrderId,
    idempotencyKey: `logistics:${BOOKING.orderId}:cancel`,
  };
}

/**
 * The part of the webhook ingress a push meets, over real HTTP, for the fake's pushes: the token
 * from `/sf/<token>`, the socket's address, verify, dedup by delivery id, the carrier's own answer.
 * (The full route with storage is the integration spec's.)
 */
class PushReceiver {
  readonly received: { webhook: ParsedWebhook; duplicate: boolean }[] = [];
  private readonly seen = new Set<string>();

  private constructor(
    private readonly server: Server,
    private readonly base: string,
  ) {}

  static async start(carrier: SfCarrier): Promise<PushReceiver> {
    const holder: { receiver?: PushReceiver } = {};
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const raw = Buffer.concat(chunks);
        const pathToken = /^\/sf\/([^/]+)$/.exec(request.url ?? '')?.[1];
        const verdict = carrier.verifyWebhook(raw, {}, new Date(), {
          pathToken,
          remoteAddress: request.socket.remoteAddress,
        });
        const answer = verdict.ok
          ? carrier.acknowledge({
              id: verdict.externalId,
              duplicate: holder.receiver?.record(raw, verdict.externalId, carrier) ?? false,
              ignored: false,
            })
          : carrier.refuse(verdict);
        response.writeHead(answer.status, { 'Content-Type': answer.contentType });
        response.end(typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    holder.receiver = new PushReceiver(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return holder.receiver;
  }

  url(token?: string): string {
    return token === undefined ? `${this.base}/sf` : `${this.base}/sf/${token}`;
  }

  /** Whether this delivery id was seen before. */
  record(raw: Buffer, externalId: string, carrier: SfCarrier): boolean {
    const duplicate = this.seen.has(externalId);
    this.seen.add(externalId);
    this.received.push({ webhook: carrier.readWebhook(raw), duplicate });
    return duplicate;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
