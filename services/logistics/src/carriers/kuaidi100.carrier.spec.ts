import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FakeKuaidi100, KUAIDI100_ACK } from '@waybill/testing/parties';
import { KUAIDI100_ACK_BODY, KUAIDI100_RESUBSCRIBE_AFTER_MS, Kuaidi100Carrier } from './kuaidi100.carrier';

const SALT = 'waybill-test-salt';
const vectors = JSON.parse(
  readFileSync(path.join(__dirname, 'fixtures', 'kuaidi100', 'signature-vectors.json'), 'utf8'),
) as { kuaidi100_push_sign_derived: { param: string; salt: string; sign: string } };

const carrier = (salt = SALT) =>
  new Kuaidi100Carrier({
    apiBase: 'http://127.0.0.1:9',
    key: 'test-key-0001',
    salt,
    callbackUrl: 'http://localhost:3004/v1/webhooks/carriers/kuaidi100',
    timeoutMs: 1000,
  });

/** The form body Kuaidi100 posts, signed (independently of the adapter) by the fake's own sign. */
function form(param: string, sign: string | null = FakeKuaidi100.sign(param, SALT)): Buffer {
  const fields: Record<string, string> = { param };
  if (sign !== null) {
    fields.sign = sign;
  }
  return Buffer.from(new URLSearchParams(fields).toString(), 'utf8');
}

const push = (overrides: Record<string, unknown> = {}, data: unknown[] = [], state = '0') =>
  JSON.stringify({
    status: 'polling',
    message: '',
    lastResult: {
      message: 'ok',
      state,
      status: '200',
      ischeck: '0',
      com: 'shunfeng',
      nu: 'SF1234567890',
      data,
    },
    ...overrides,
  });

describe('Kuaidi100Carrier', () => {
  it('books and cancels nothing: both are a refusal with KUAIDI100.TRACKING_ONLY', async () => {
    await expect(carrier().createShipment()).resolves.toMatchObject({
      kind: 'refused',
      code: 'KUAIDI100.TRACKING_ONLY',
    });
    await expect(carrier().cancelShipment()).resolves.toMatchObject({
      kind: 'refused',
      code: 'KUAIDI100.TRACKING_ONLY',
    });
    expect(carrier()).toMatchObject({ aggregator: true, authenticatedBy: 'signature', name: 'kuaidi100' });
  });

  describe('verifyWebhook', () => {
    it('accepts the documented example signed as the derived vector says', () => {
      const { param, salt, sign } = vectors.kuaidi100_push_sign_derived;
      const verdict = carrier(salt).verifyWebhook(form(param, sign));
      expect(verdict).toMatchObject({ ok: true, eventType: 'polling' });
      // Lower-case hex is the same digest.
      expect(carrier(salt).verifyWebhook(form(param, sign.toLowerCase()))).toMatchObject({ ok: true });
    });

    it('refuses a tampered param, a wrong salt, a missing and a malformed sign', () => {
      const param = push({}, [{ context: '已揽收', ftime: '2026-03-02 10:00:00', statusCode: '103' }]);
      const good = FakeKuaidi100.sign(param, SALT);
      expect(carrier().verifyWebhook(form(param.replace('已揽收', '已签收'), good))).toMatchObject({
        ok: false,
        rejection: 'SIGNATURE_MISMATCH',
      });
      expect(carrier().verifyWebhook(form(param, FakeKuaidi100.sign(param, 'another-salt')))).toMatchObject({
        rejection: 'SIGNATURE_MISMATCH',
      });
      expect(carrier().verifyWebhook(form(param, null))).toMatchObject({
        rejection: 'SIGNATURE_MISSING',
      });
      expect(carrier().verifyWebhook(form(param, 'not-a-sign'))).toMatchObject({
        rejection: 'SIGNATURE_MALFORMED',
      });
      expect(carrier('').verifyWebhook(form(param, good))).toMatchObject({ rejection: 'NOT_CONFIGURED' });
    });

    it('refuses a signed param that does not read, and a body without param (PAYLOAD_MALFORMED)', () => {
      for (const param of [
        'not json',
        '[]',
        '{"status":"polling"}',
        push({}, [{ context: 'x', ftime: '2026-02-30 10:00:00' }]),
      ]) {
        expect(carrier().verifyWebhook(form(param))).toMatchObject({
          ok: false,
          rejection: 'PAYLOAD_MALFORMED',
        });
      }
      expect(carrier().verifyWebhook(Buffer.from('sign=ABC'))).toMatchObject({
        rejection: 'PAYLOAD_MALFORMED',
      });
    });

    it('names a delivery by its content: the same push twice is one id, a new node or abort is another', () => {
      const node = { context: '已揽收', ftime: '2026-03-02 10:00:00', statusCode: '103' };
      const id = (param: string) => {
        const verdict = carrier().verifyWebhook(form(param));
        return verdict.ok ? verdict.externalId : `refused ${verdict.rejection}`;
      };
      const once = id(push({}, [node]));
      expect(once).toMatch(/^shunfeng:SF1234567890:[0-9a-f]{64}$/);
      expect(id(push({}, [node]))).toBe(once);
      expect(id(push({ status: 'abort' }, [node]))).not.toBe(once);
      expect(id(push({}, [{ ...node, ftime: '2026-03-02 11:00:00' }, node]))).not.toBe(once);
    });
  });

  describe('readWebhook', () => {
    it('reads the whole trace newest first, in UTC, by sub-state, with the area and the text', () => {
      const raw = form(
        push(
          {},
          [
            {
              context: '快件已投递至丰巢柜',
              time: '2026-03-02 18:05:00',
              ftime: '2026-03-02 18:05:00',
              statusCode: '501',
              areaName: '广东,深圳市',
            },
            { context: '【苏州转运中心】 已发出', ftime: '2026-03-01 20:15:14', statusCode: '1002' },
            { context: '顺丰速运 已收取快件', ftime: '2026-03-01 00:30:00', statusCode: '103' },
          ],
          '5',
        ),
      );
      expect(carrier().readWebhook(raw).updates).toEqual([
        {
          trackingNumber: 'SF1234567890',
          carrierStatus: '501',
          status: 'available_for_pickup',
          mapped: true,
          occurredAt: '2026-03-02T10:05:00.000Z',
          location: '广东,深圳市',
          message: '快件已投递至丰巢柜',
        },
        expect.objectContaining({
          carrierStatus: '1002',
          status: 'in_transit',
          occurredAt: '2026-03-01T12:15:14.000Z',
        }),
        // Shanghai midnight-thirty is the previous day in UTC.
        expect.objectContaining({
          carrierStatus: '103',
          status: 'in_transit',
          occurredAt: '2026-02-28T16:30:00.000Z',
        }),
      ]);
    });

    it('gives lastResult.state to the newest node only; an older node without a sub-state is left out', () => {
      const { param } = vectors.kuaidi100_push_sign_derived;
      const { updates } = carrier().readWebhook(form(param));
      expect(updates).toEqual([
        expect.objectContaining({
          trackingNumber: 'V030344422',
          carrierStatus: '0',
          status: 'in_transit',
          occurredAt: '2012-08-28T08:33:19.000Z',
          message: '上海分拨中心/装件入车扫描 ',
        }),
      ]);
    });

    it('keeps an unknown state or sub-state as unknown and unmapped, with its code', () => {
      const raw = form(
        push({}, [
          { context: 'new kind of scan', ftime: '2026-03-02 10:00:00', statusCode: '9999' },
          { context: 'older', ftime: '2026-03-02 09:00:00', statusCode: '1001' },
        ]),
      );
      expect(
        carrier()
          .readWebhook(raw)
          .updates.map((update) => [update.carrierStatus, update.status, update.mapped]),
      ).toEqual([
        ['9999', 'unknown', false],
        ['1001', 'in_transit', true],
      ]);
      const unknownState = form(push({}, [{ context: 'x', ftime: '2026-03-02 10:00:00' }], '42'));
      expect(carrier().readWebhook(unknownState).updates[0]).toMatchObject({
        carrierStatus: '42',
        status: 'unknown',
        mapped: false,
      });
    });

    it('asks for a re-subscription after abort, and after a shutdown before the parcel was signed for', () => {
      const read = (overrides: Record<string, unknown>, ischeck = '0') =>
        carrier().readWebhook(
          form(
            JSON.stringify({
              ...JSON.parse(push()),
              lastResult: { ...JSON.parse(push()).lastResult, ischeck },
              ...overrides,
            }),
          ),
        );
      const expected = { trackingNumber: 'SF1234567890', afterMs: KUAIDI100_RESUBSCRIBE_AFTER_MS };
      expect(read({ status: 'abort', message: '3天查询无记录' })).toMatchObject({
        eventType: 'abort',
        resubscribe: expected,
      });
      expect(read({ status: 'shutdown' })).toMatchObject({ resubscribe: expected });
      expect(read({ status: 'shutdown' }, '1').resubscribe).toBeUndefined();
      expect(read({ status: 'polling' }).resubscribe).toBeUndefined();
      expect(KUAIDI100_RESUBSCRIBE_AFTER_MS).toBe(30 * 60_000);
    });
  });

  it('acknowledges with exactly the documented bytes, and refuses in its own failure form', () => {
    const ack = carrier().acknowledge();
    expect(ack.status).toBe(200);
    expect(ack.body).toBe('{"result":true,"returnCode":"200","message":"成功"}');
    expect(KUAIDI100_ACK_BODY).toBe(KUAIDI100_ACK);

    const refused = carrier().refuse({ ok: false, rejection: 'SIGNATURE_MISMATCH', message: 'bad sign' });
    expect(refused.status).toBe(401);
    expect(JSON.parse(refused.body as string)).toEqual({
      result: false,
      returnCode: '401',
      message: 'bad sign',
    });
    expect(carrier().refuse({ ok: false, rejection: 'PAYLOAD_MALFORMED', message: 'x' }).status).toBe(400);
  });

  describe('subscribe (against FakeKuaidi100 over HTTP)', () => {
    let fake: FakeKuaidi100;
    beforeAll(async () => {
      fake = await FakeKuaidi100.start();
    });
    afterAll(() => fake.stop());

    const subscriber = (key: string) =>
      new Kuaidi100Carrier({
        apiBase: `${fake.baseUrl}/`,
        key,
        salt: fake.salt,
        callbackUrl: 'http://localhost:3004/v1/webhooks/carriers/kuaidi100',
        timeoutMs: 2000,
      });

    it('subscribes, and hears a repeat as already subscribed', async () => {
      const request = { company: 'zhongtong', trackingNumber: '73100196611386' };
      await expect(subscriber(fake.key).subscribe(request)).resolves.toEqual({
        kind: 'subscribed',
        alreadySubscribed: false,
      });
      await expect(subscriber(fake.key).subscribe(request)).resolves.toEqual({
        kind: 'subscribed',
        alreadySubscribed: true,
      });
      expect(fake.subscription('zhongtong', '73100196611386')).toMatchObject({
        salt: fake.salt,
        resultv2: '6',
      });
    });

    it('reports a wrong key as a refusal that never repeats the key, and an outage as unavailable', async () => {
      const outcome = await subscriber('wrong-key-123').subscribe({
        company: 'yuantong',
        trackingNumber: 'YT1',
      });
      expect(outcome).toMatchObject({ kind: 'refused', code: 'KUAIDI100.600' });
      expect(JSON.stringify(outcome)).not.toContain('wrong-key-123');
      fake.outage(1);
      await expect(
        subscriber(fake.key).subscribe({ company: 'yuantong', trackingNumber: 'YT2' }),
      ).resolves.toEqual({
        kind: 'unavailable',
        message: 'Kuaidi100 answered HTTP 503',
      });
    });
  });
});
