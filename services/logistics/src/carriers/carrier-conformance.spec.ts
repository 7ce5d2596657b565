import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { SHIPMENT_STATUSES } from '@waybill/contracts';
import {
  FakeCarrierApi,
  FakeDirectCarrier,
  FakeEasyPost,
  FakeKuaidi100,
  FakeSf,
  FakeZto,
  signAfterShip,
  signEasyPost,
  signStandard,
  WebhookSigner,
  whsec,
  ZTO_SAMPLE_PARTIES,
} from '@waybill/testing/parties';
import { AfterShipCarrier } from './aftership.carrier';
import type { Carrier, CarrierCallOptions, CreateShipmentRequest, PushRequest } from './carrier';
import { DirectCarrier } from './direct.carrier';
import { EasyPostCarrier } from './easypost.carrier';
import { Kuaidi100Carrier } from './kuaidi100.carrier';
import { SandboxCarrier } from './sandbox.carrier';
import { SfCarrier } from './sf.carrier';
import { ZtoCarrier } from './zto.carrier';

/**
 * One suite, every carrier: its fixtures (one per row of its mapping table, in the provider's
 * documented shape), its signature scheme (good, rotated, bad, stale, replayed, missing,
 * malformed), unmapped statuses, malformed bodies, and — for carriers that book — booking and
 * cancelling against a real HTTP stand-in. Adding a carrier is adding a harness here.
 */
interface CarrierHarness {
  readonly name: string;
  readonly fixtureFolder: string;
  /** [the secret being retired, the new one]: both verify during a rotation. */
  readonly secrets: readonly [string, string];
  /** A well-formed secret nobody configured. */
  readonly wrongSecret: string;
  readonly sign: WebhookSigner;
  /**
   * How replays are bounded: a signed timestamp, the event's own time inside the signed body, or
   * not by age at all (Kuaidi100: its push carries no time of sending; a replay is the same
   * delivery id, which the inbox drops).
   */
  readonly staleBy: 'signed-timestamp' | 'event-time' | 'none';
  /** When the fixtures' events happened; they verify then. */
  readonly fixtureTime: Date;
  /** The same fixture with the carrier's status code replaced (for the unmapped case). */
  readonly withStatus: (body: Record<string, unknown>, code: string) => Record<string, unknown>;
  /** The carrier, with its API played by a real HTTP server where it has one. */
  readonly start: (
    secrets: readonly string[],
    calls?: CarrierCallOptions,
  ) => Promise<{
    carrier: Carrier;
    stop: () => Promise<void>;
    api?: OutageControls;
    lostAnswer?: LostAnswerControls;
  }>;
  /** Booking twice with one idempotency key gives one parcel (EasyPost has no such key; see README). */
  readonly idempotentBooking?: boolean;
  readonly books: boolean;
  /** For carriers that do not book: the code they refuse a booking and a cancellation with. */
  readonly bookingRefusal?: string;
  /**
   * For carriers authenticated by a path token (SF): the push request a secret travels in. Their
   * pushes are unsigned, so the scenarios about signatures (rotation, tampering, signature headers,
   * staleness, relabelled replays) do not apply; their own spec tests the token instead.
   */
  readonly pushRequest?: (secret: string) => PushRequest;
  /**
   * For carriers that sign inside the body (ZTO's `data_digest` beside `data`, Kuaidi100's `sign`
   * beside `param`): the request as sent, from a fixture and the headers `sign` gave (see
   * formWire). Without it, the fixture is the body as sent.
   */
  readonly wire?: (raw: Buffer, headers: Record<string, string>) => SentPush;
  /** Changes a fixture's event identity (default: its `evt_` / `event_id`). */
  readonly relabel?: (text: string) => string;
  /** The carrier has one secret, no rotation window: only the new secret is tried. */
  readonly singleSecret?: boolean;
  /** What the carrier needs in a booking beyond BOOKING (SF: the recipient's phone; ZTO: a sender and phones). */
  readonly booking?: Partial<CreateShipmentRequest>;
}

interface SentPush {
  readonly body: Buffer;
  readonly headers: Record<string, string>;
}

/**
 * How a carrier's fake carries out a booking and loses its answer (the connection dropped, as a
 * timeout or a proxy does), and how many parcels it holds: what proves a retry books one parcel.
 */
interface LostAnswerControls {
  loseNextBooking(): void;
  parcels(): number;
}

/** How a carrier's fake API is made to fail (FakeCarrierApi, FakeSf, FakeZto). */
type OutageControls = Pick<FakeCarrierApi, 'failNext' | 'stallNext' | 'stallMs'>;

const FIXTURE_TIME = new Date('2026-03-02T09:30:00Z');
const MAX_EVENT_AGE = 7 * 24 * 3600;
const CALLS = { timeoutMs: 2000, retry: { attempts: 2, initialBackoffMs: 1 } };

/**
 * Not a carrier's header: where the conformance signer of a body-signed carrier hands its digest
 * to `wire`, which sends it in the body as the carrier does.
 */
const BODY_SIGNATURE = 'body-signature';

/**
 * The `wire` of a carrier that posts a form: the fixture as the field `dataField`, the digest (when
 * signed) as `signField`, then any fields the carrier adds.
 */
const formWire =
  (dataField: string, signField: string, extra: Record<string, string> = {}) =>
  (raw: Buffer, headers: Record<string, string>): SentPush => {
    const digest = headers[BODY_SIGNATURE];
    const fields = {
      [dataField]: raw.toString('utf8'),
      ...(digest !== undefined && { [signField]: digest }),
      ...extra,
    };
    return {
      body: Buffer.from(new URLSearchParams(fields).toString()),
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8' },
    };
  };

const setIn = (body: Record<string, unknown>, key: string, patch: Record<string, unknown>) => ({
  ...body,
  [key]: { ...(body[key] as Record<string, unknown>), ...patch },
});

const BOOKING_RECIPIENT = {
  name: 'Ada Buyer',
  line1: '1 Main Street',
  city: 'Berlin',
  postalCode: '10115',
  country: 'DE',
};

const BOOKING: CreateShipmentRequest = {
  orderId: '3f9a8c2e-5b7d-4e1f-9a6c-2d8b7e4f1a90',
  shipmentId: 'b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e',
  idempotencyKey: 'logistics:3f9a8c2e-5b7d-4e1f-9a6c-2d8b7e4f1a90:book',
  recipient: BOOKING_RECIPIENT,
  weightGrams: 1200,
};

const HARNESSES: readonly CarrierHarness[] = [
  {
    name: 'aftership',
    fixtureFolder: 'aftership',
    secrets: ['aftership-old-secret', 'aftership-new-secret'],
    wrongSecret: 'guessed',
    sign: signAfterShip,
    staleBy: 'event-time',
    fixtureTime: FIXTURE_TIME,
    withStatus: (body, code) => setIn(body, 'msg', { tag: code, subtag: `${code}_001` }),
    start: async (secrets) => ({
      carrier: new AfterShipCarrier({ webhookSecrets: secrets, maxEventAgeSeconds: MAX_EVENT_AGE }),
      stop: async () => undefined,
    }),
    books: false,
  },
  {
    name: 'easypost',
    fixtureFolder: 'easypost',
    secrets: ['easypost-old-secret', 'easypost-new-sécret'],
    wrongSecret: 'guessed',
    sign: signEasyPost,
    staleBy: 'event-time',
    fixtureTime: FIXTURE_TIME,
    withStatus: (body, code) => setIn(body, 'result', { status: code }),
    start: async (secrets, calls = CALLS) => {
      const api = await new FakeEasyPost().start();
      return {
        carrier: new EasyPostCarrier({
          ...calls,
          apiBase: api.baseUrl,
          apiKey: api.apiKey,
          webhookSecrets: secrets,
          maxEventAgeSeconds: MAX_EVENT_AGE,
          carrierAccounts: ['ca_test'],
          service: 'Priority',
        }),
        stop: () => api.stop(),
        api,
        lostAnswer: {
          loseNextBooking: () => api.loseNextAnswer('create'),
          parcels: () => api.shipments.size,
        },
      };
    },
    // No key, but a booking first retrieves the label already bought under its reference.
    idempotentBooking: true,
    books: true,
  },
  {
    name: 'direct',
    fixtureFolder: 'waybill',
    secrets: [whsec('direct old secret'), whsec('direct new secret')],
    wrongSecret: whsec('guessed'),
    sign: signStandard,
    staleBy: 'signed-timestamp',
    fixtureTime: FIXTURE_TIME,
    withStatus: (body, code) => setIn(body, 'data', { status: code }),
    start: async (secrets, calls = CALLS) => {
      const api = await new FakeDirectCarrier().start();
      return {
        carrier: new DirectCarrier({
          ...calls,
          apiBase: api.baseUrl,
          apiKey: api.apiKey,
          webhook: { secrets, toleranceSeconds: 300 },
        }),
        stop: () => api.stop(),
        api,
        lostAnswer: {
          loseNextBooking: () => api.loseNextAnswer('create'),
          parcels: () => api.shipments.size,
        },
      };
    },
    idempotentBooking: true,
    books: true,
  },
  {
    name: 'sf',
    fixtureFolder: 'sf/opcodes',
    secrets: ['sf-push-token-being-retired-0123456789', 'sf-push-token-configured-now-0123456789'],
    wrongSecret: 'sf-push-token-nobody-configured-0123456',
    // SF signs nothing: no headers; the token is the path's (pushRequest).
    sign: () => ({}),
    staleBy: 'event-time',
    fixtureTime: FIXTURE_TIME,
    withStatus: (body, code) => {
      const routes = (body.Body as { WaybillRoute: Record<string, unknown>[] }).WaybillRoute;
      return { Body: { WaybillRoute: routes.map((route) => ({ ...route, opCode: code })) } };
    },
    start: async (secrets, calls = CALLS) => {
      const api = await FakeSf.start();
      return {
        carrier: new SfCarrier({
          ...calls,
          apiBase: api.baseUrl,
          partnerId: api.partnerId,
          checkWord: api.checkWord,
          monthlyCard: api.monthlyCard,
          // One push URL is configured in SF's console at a time: the newest token.
          pushToken: secrets.at(-1),
        }),
        stop: () => api.stop(),
        api,
        lostAnswer: { loseNextBooking: () => api.loseNextAnswer('create'), parcels: () => api.waybills.size },
      };
    },
    pushRequest: (secret) => ({ pathToken: secret }),
    booking: { recipient: { ...BOOKING_RECIPIENT, phone: '+8613800138000' } },
    idempotentBooking: true,
    books: true,
  },
  {
    name: 'sandbox',
    fixtureFolder: 'waybill',
    secrets: [whsec('sandbox old secret'), whsec('sandbox new secret')],
    wrongSecret: whsec('guessed'),
    sign: signStandard,
    staleBy: 'signed-timestamp',
    fixtureTime: FIXTURE_TIME,
    withStatus: (body, code) => setIn(body, 'data', { status: code }),
    start: async (secrets) => ({
      carrier: new SandboxCarrier({ secrets, toleranceSeconds: 300 }),
      stop: async () => undefined,
    }),
    idempotentBooking: true,
    books: true,
  },
  {
    // ZTO signs inside the body, so its fixtures are track events (`data`): one per action, the
    // sandbox's own for the eight it sent, the same shape for PROBLEM, RETURN_SCAN and RETURN_SIGNED
    // (which it never sent), all at one actionTime so any of them is as old as the suite expects.
    // `wire` sends one as ZTO does: a form with data_digest beside data. One app secret, no rotation.
    name: 'zto',
    fixtureFolder: path.join('zto', 'actions'),
    secrets: ['zto-app-secret-retired', 'zto-app-secret-current'],
    wrongSecret: 'zto-app-secret-guessed',
    sign: (raw, secret) => ({ [BODY_SIGNATURE]: FakeZto.digest(raw.toString('utf8'), secret) }),
    staleBy: 'event-time',
    fixtureTime: new Date('2025-05-22T07:08:00Z'),
    withStatus: (body, code) => ({ ...body, action: code }),
    wire: formWire('data', 'data_digest', { msg_type: 'Traces', company_id: 'zto-conformance-app' }),
    relabel: (text) => text.replace('"billCode": "', '"billCode": "x'),
    singleSecret: true,
    start: async (secrets, calls = CALLS) => {
      const appSecret = secrets.at(-1) ?? '';
      const api = await FakeZto.start(appSecret ? { appSecret } : {});
      return {
        carrier: new ZtoCarrier({
          ...calls,
          apiBase: api.baseUrl,
          appKey: api.appKey,
          appSecret,
          maxEventAgeSeconds: MAX_EVENT_AGE,
        }),
        stop: () => api.stop(),
        api,
        lostAnswer: { loseNextBooking: () => api.loseNextAnswer('create'), parcels: () => api.orders.size },
      };
    },
    booking: ZTO_SAMPLE_PARTIES,
    idempotentBooking: true,
    books: true,
  },
  {
    // Kuaidi100 signs inside the body too: a fixture is the `param` as pushed, and `wire` posts it
    // as Kuaidi100 does, a form with sign = UPPER(MD5(param + salt)) beside it. One salt, no
    // rotation, and no time in the push (staleBy 'none'). A tracking aggregator: it books nothing.
    name: 'kuaidi100',
    fixtureFolder: path.join('kuaidi100', 'status'),
    secrets: ['kuaidi100-salt-retired', 'kuaidi100-salt-1'],
    wrongSecret: 'guessed-salt-1',
    sign: (raw, secret) => ({ [BODY_SIGNATURE]: FakeKuaidi100.sign(raw.toString('utf8'), secret) }),
    staleBy: 'none',
    fixtureTime: FIXTURE_TIME,
    withStatus: (param, code) => {
      const lastResult = param.lastResult as { data: Record<string, unknown>[] };
      const [newest, ...older] = lastResult.data;
      return { ...param, lastResult: { ...lastResult, data: [{ ...newest, statusCode: code }, ...older] } };
    },
    wire: formWire('param', 'sign'),
    relabel: (text) => text.replace('"nu": "', '"nu": "x'),
    singleSecret: true,
    start: async (secrets) => ({
      carrier: new Kuaidi100Carrier({
        apiBase: 'http://127.0.0.1:9',
        key: 'conformance-key',
        salt: secrets.at(-1) ?? '',
        callbackUrl: 'http://localhost:3004/v1/webhooks/carriers/kuaidi100',
        timeoutMs: 1000,
      }),
      stop: async () => undefined,
    }),
    books: false,
    bookingRefusal: 'KUAIDI100.TRACKING_ONLY',
  },
];

function fixtures(folder: string): { code: string; raw: Buffer }[] {
  const dir = path.join(__dirname, 'fixtures', folder);
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .map((file) => ({ code: file.replace(/\.json$/, ''), raw: readFileSync(path.join(dir, file)) }));
}

describe.each(HARNESSES)('carrier conformance: $name', (harness) => {
  const [oldSecret, newSecret] = harness.secrets;
  let carrier: Carrier;
  let stop: () => Promise<void>;
  let api: OutageControls | undefined;
  const booking: CreateShipmentRequest = { ...BOOKING, ...harness.booking };
  const signed = harness.pushRequest === undefined;

  beforeAll(async () => {
    ({ carrier, stop, api } = await harness.start([oldSecret, newSecret]));
  });
  afterAll(() => stop());

  const all = fixtures(harness.fixtureFolder);
  const sent = (raw: Buffer, headers: Record<string, string>): SentPush =>
    harness.wire ? harness.wire(raw, headers) : { body: raw, headers };
  const verify = (raw: Buffer, headers: Record<string, string>, now = harness.fixtureTime) => {
    const push = sent(raw, headers);
    return carrier.verifyWebhook(push.body, push.headers, now, harness.pushRequest?.(newSecret));
  };
  const read = (raw: Buffer, headers: Record<string, string>) => {
    const push = sent(raw, headers);
    return carrier.readWebhook(push.body, push.headers);
  };

  it('has the name it is registered under', () => {
    expect(carrier.name).toBe(harness.name);
  });

  it('has one fixture per row of its mapping table, each read as that row says', () => {
    expect(all.map((fixture) => fixture.code).sort()).toEqual(
      carrier.statusTable.map((row) => row.carrierStatus).sort(),
    );
    for (const row of carrier.statusTable) {
      expect(SHIPMENT_STATUSES).toContain(row.status);
      const fixture = all.find((candidate) => candidate.code === row.carrierStatus)!;
      const headers = harness.sign(fixture.raw, newSecret, harness.fixtureTime);
      const { updates } = read(fixture.raw, headers);
      expect(updates).toHaveLength(1);
      expect({ code: row.carrierStatus, status: updates[0].status, mapped: updates[0].mapped }).toEqual({
        code: row.carrierStatus,
        status: row.status,
        mapped: true,
      });
      expect(updates[0].trackingNumber).not.toBe('');
      expect(Number.isNaN(Date.parse(updates[0].occurredAt))).toBe(false);
    }
  });

  if (signed) {
    it.each(all.map((fixture) => [fixture.code, fixture.raw] as const))(
      'verifies fixture %s signed with the new secret or the one being rotated out',
      (_code, raw) => {
        for (const secret of harness.singleSecret ? [newSecret] : [newSecret, oldSecret]) {
          const verdict = verify(raw, harness.sign(raw, secret, harness.fixtureTime));
          expect(verdict).toMatchObject({ ok: true });
          expect(verdict.ok && verdict.externalId).toBeTruthy();
        }
      },
    );
  }
  const { pushRequest } = harness;
  if (pushRequest) {
    it.each(all.map((fixture) => [fixture.code, fixture.raw] as const))(
      'verifies fixture %s under the configured path token only',
      (_code, raw) => {
        const verdict = carrier.verifyWebhook(raw, {}, harness.fixtureTime, pushRequest(newSecret));
        expect(verdict).toMatchObject({ ok: true });
        expect(verdict.ok && verdict.externalId).toBeTruthy();
        for (const token of [oldSecret, harness.wrongSecret]) {
          expect(carrier.verifyWebhook(raw, {}, harness.fixtureTime, pushRequest(token))).toMatchObject({
            ok: false,
            rejection: 'SIGNATURE_MISMATCH',
          });
        }
        expect(carrier.verifyWebhook(raw, {}, harness.fixtureTime)).toMatchObject({
          ok: false,
          rejection: 'SIGNATURE_MISSING',
        });
      },
    );
  }

  describe('refuses', () => {
    const raw = all[0].raw;

    if (signed) {
      it('a tampered body, a wrong secret and a forged signature (SIGNATURE_MISMATCH)', () => {
        const good = harness.sign(raw, newSecret, harness.fixtureTime);
        const tampered = Buffer.from(raw.toString('utf8').replace('"', ' "'));
        expect(verify(tampered, good)).toMatchObject({ ok: false, rejection: 'SIGNATURE_MISMATCH' });
        expect(verify(raw, harness.sign(raw, harness.wrongSecret, harness.fixtureTime))).toMatchObject({
          rejection: 'SIGNATURE_MISMATCH',
        });
      });

      it('a missing or malformed signature header (SIGNATURE_MISSING / SIGNATURE_MALFORMED)', () => {
        expect(verify(raw, {})).toMatchObject({ ok: false, rejection: 'SIGNATURE_MISSING' });
        const good = harness.sign(raw, newSecret, harness.fixtureTime);
        const malformed = Object.fromEntries(
          Object.entries(good).map(([name, value]) => [
            name,
            /signature|hmac/i.test(name) ? 'not-a-signature' : value,
          ]),
        );
        expect(verify(raw, malformed)).toMatchObject({ ok: false, rejection: 'SIGNATURE_MALFORMED' });
      });
    }

    it('everything when no secret is configured (NOT_CONFIGURED)', async () => {
      const bare = await harness.start([]);
      try {
        const push = sent(raw, harness.sign(raw, newSecret, harness.fixtureTime));
        expect(bare.carrier.verifyWebhook(push.body, push.headers, harness.fixtureTime)).toMatchObject({
          ok: false,
          rejection: 'NOT_CONFIGURED',
        });
      } finally {
        await bare.stop();
      }
    });

    if (signed && harness.staleBy !== 'none') {
      it('a stale message (TIMESTAMP_OUT_OF_TOLERANCE), though correctly signed', () => {
        const headers = harness.sign(raw, newSecret, harness.fixtureTime);
        const late =
          harness.staleBy === 'signed-timestamp'
            ? new Date(harness.fixtureTime.getTime() + 6 * 60_000)
            : new Date(harness.fixtureTime.getTime() + (MAX_EVENT_AGE + 60) * 1000);
        expect(verify(raw, headers, late)).toMatchObject({
          ok: false,
          rejection: 'TIMESTAMP_OUT_OF_TOLERANCE',
        });
        const justInTime =
          harness.staleBy === 'signed-timestamp'
            ? new Date(harness.fixtureTime.getTime() + 4 * 60_000)
            : new Date(harness.fixtureTime.getTime() + (MAX_EVENT_AGE - 60) * 1000);
        expect(verify(raw, headers, justInTime)).toMatchObject({ ok: true });
      });
    }

    it('a signed body that is not a tracking event, or not JSON (PAYLOAD_MALFORMED)', () => {
      for (const text of ['{"hello":"world"}', 'not json at all', '[]']) {
        const body = Buffer.from(text);
        expect(verify(body, harness.sign(body, newSecret, harness.fixtureTime))).toMatchObject({
          ok: false,
          rejection: 'PAYLOAD_MALFORMED',
        });
      }
    });
  });

  if (signed) {
    it('identifies a replay: the same delivery carries the same event id, another delivery another, and a changed id breaks the signature', () => {
      const raw = all[0].raw;
      const headers = harness.sign(raw, newSecret, harness.fixtureTime);
      const first = verify(raw, headers);
      const again = verify(raw, headers);
      expect(first.ok && again.ok && first.externalId === again.externalId).toBe(true);
      const other = all[1].raw;
      const next = verify(other, harness.sign(other, newSecret, harness.fixtureTime, 'msg_another_delivery'));
      expect(next.ok && first.ok && next.externalId !== first.externalId).toBe(true);
      if (harness.staleBy === 'signed-timestamp') {
        expect(verify(raw, { ...headers, 'webhook-id': 'msg_replayed_under_new_id' })).toMatchObject({
          rejection: 'SIGNATURE_MISMATCH',
        });
      } else {
        const relabel = harness.relabel ?? ((text: string) => text.replace(/"(evt_|event_id": ")/, '"$1x'));
        const relabelled = Buffer.from(relabel(raw.toString('utf8')));
        expect(relabelled.equals(raw)).toBe(false);
        expect(verify(relabelled, headers)).toMatchObject({ rejection: 'SIGNATURE_MISMATCH' });
      }
    });
  }

  it('keeps a status no table knows as unknown and unmapped, without throwing', () => {
    const body = JSON.parse(all[0].raw.toString('utf8')) as Record<string, unknown>;
    const raw = Buffer.from(JSON.stringify(harness.withStatus(body, 'Teleported')));
    const headers = harness.sign(raw, newSecret, harness.fixtureTime);
    expect(verify(raw, headers)).toMatchObject({ ok: true });
    const [update] = read(raw, headers).updates;
    expect(update).toMatchObject({ status: 'unknown', mapped: false });
    expect(update.carrierStatus).toContain('Teleported');
  });

  if (harness.books) {
    it('books a parcel and cancels it; one idempotency key is one parcel where the carrier has keys', async () => {
      const booked = await carrier.createShipment(booking);
      expect(booked).toMatchObject({ kind: 'booked', trackingNumber: expect.any(String) });
      if (harness.idempotentBooking) {
        const again = await carrier.createShipment(booking);
        expect(again).toEqual(booked);
      }
      const trackingNumber = booked.kind === 'booked' ? booked.trackingNumber : '';
      const carrierShipmentId = booked.kind === 'booked' ? booked.carrierShipmentId : undefined;
      await expect(
        carrier.cancelShipment({
          orderId: booking.orderId,
          trackingNumber,
          carrierShipmentId,
          idempotencyKey: 'cancel-1',
        }),
      ).resolves.toEqual({ kind: 'cancelled' });
    });

    if (harness.name !== 'sandbox') {
      it('reports an outage as unavailable after its bounded retries, never by throwing', async () => {
        api!.failNext = CALLS.retry.attempts;
        await expect(carrier.createShipment({ ...booking, idempotencyKey: 'outage' })).resolves.toMatchObject(
          {
            kind: 'unavailable',
          },
        );
      });

      it('books one parcel when a booking is carried out but its answer lost, then retried and redelivered', async () => {
        const fresh = await harness.start([newSecret]);
        try {
          const { lostAnswer } = fresh;
          expect(lostAnswer).toBeDefined();
          lostAnswer?.loseNextBooking();
          // The carrier's own bounded retry asks again after the dropped answer…
          const first = await fresh.carrier.createShipment(booking);
          expect(first).toMatchObject({ kind: 'booked', trackingNumber: expect.any(String) });
          // …and so does the redelivered order.confirmed after a lost commit.
          const again = await fresh.carrier.createShipment(booking);
          expect(again).toMatchObject({
            kind: 'booked',
            trackingNumber: first.kind === 'booked' ? first.trackingNumber : '',
          });
          expect(lostAnswer?.parcels()).toBe(1);
        } finally {
          await fresh.stop();
        }
      });

      it('times out a carrier that does not answer, per attempt, and reports it as unavailable', async () => {
        const slow = await harness.start([newSecret], {
          timeoutMs: 100,
          retry: { attempts: 2, initialBackoffMs: 1 },
        });
        try {
          slow.api!.stallNext = 2;
          slow.api!.stallMs = 1000;
          const started = Date.now();
          const outcome = await slow.carrier.createShipment({ ...booking, idempotencyKey: 'stalled' });
          expect(outcome).toMatchObject({
            kind: 'unavailable',
            message: expect.stringMatching(/did not answer in time after 2 attempt/),
          });
          expect(Date.now() - started).toBeLessThan(900);
        } finally {
          await slow.stop();
        }
      });
    }
  } else {
    it('declines to book and to cancel as a result, not an exception', async () => {
      const refused = { kind: 'refused', code: harness.bookingRefusal ?? 'CARRIER.BOOKING_UNSUPPORTED' };
      await expect(carrier.createShipment(booking)).resolves.toMatchObject(refused);
      await expect(
        carrier.cancelShipment({
          orderId: booking.orderId,
          trackingNumber: 'X1',
          idempotencyKey: 'cancel-1',
        }),
      ).resolves.toMatchObject(refused);
    });
  }
});
