import { createHash } from 'node:crypto';
import { FakeYouzan, javaUrlEncode, youzanTrade } from './fake-youzan';
import { recordingReceiver } from './storefront-webhook-sender';

const SUCCESS = '{"code":0,"msg":"success"}';

/** The spec's own md5, apart from the fake's. */
function md5(text: string): string {
  return createHash('md5').update(Buffer.from(text, 'utf8')).digest('hex');
}

interface PushBody {
  readonly client_id: string;
  readonly msg: string;
  readonly sign: string;
  readonly sendCount: number;
  readonly test: boolean;
  readonly kdt_id: number;
  readonly type: string;
  readonly id: string;
}

describe('youzanTrade and javaUrlEncode', () => {
  it('builds the documented msg fields, the payment adding up in yuan', () => {
    const trade = youzanTrade({
      tid: 'E20261204000000000000001',
      lines: [
        { sku: 'A', quantity: 3, price: '0.10' },
        { sku: 'B', quantity: 1, price: '9.90' },
      ],
      postFee: '6.00',
      updatedAt: new Date('2026-12-04T10:20:05Z'),
    });
    expect(trade).toMatchObject({
      tid: 'E20261204000000000000001',
      status: 'WAIT_SELLER_SEND_GOODS',
      payment: '16.20',
      update_time: '2026-12-04 18:20:05',
    });
  });

  it("encodes as Java's URLEncoder: spaces as +, and ( ) ! ' ~ escaped", () => {
    expect(javaUrlEncode('{"a":"b c(1)!~*"}')).toBe('%7B%22a%22%3A%22b+c%281%29%21%7E*%22%7D');
  });
});

describe('FakeYouzan', () => {
  let youzan: FakeYouzan;

  beforeEach(async () => {
    youzan = await FakeYouzan.start({ clientId: 'cid', clientSecret: 'csecret', accessToken: 'token' });
  });

  afterEach(async () => {
    await youzan.stop();
  });

  it('pushes the trade URL-encoded, signed over msg still encoded', async () => {
    const waybill = await recordingReceiver([200], SUCCESS);
    try {
      const trade = youzanTrade({ updatedAt: new Date('2026-12-04T10:20:05Z') });
      const [push] = await youzan.push(trade, { to: waybill.url });
      expect(push).toMatchObject({ acknowledged: true, sendCount: 0 });
      const body = JSON.parse(waybill.received[0]?.body ?? '{}') as PushBody;
      expect(body).toMatchObject({
        client_id: 'cid',
        kdt_id: 19876543,
        type: 'TRADE_ORDER_STATE',
        id: trade.tid,
        test: false,
      });
      expect(body.sign).toBe(md5(`cid${body.msg}csecret`));
      expect(body.msg).toContain('+18%3A20%3A05');
      expect(JSON.parse(decodeURIComponent(body.msg.replace(/\+/g, ' ')))).toEqual(trade);
    } finally {
      await waybill.close();
    }
  });

  it('resends an unacknowledged push with sendCount counting up, the same msg and sign', async () => {
    const waybill = await recordingReceiver([500, 200, 200], '{"code":1}');
    try {
      const pushes = await youzan.push(youzanTrade(), { to: waybill.url, retryUntilAcknowledged: 3 });
      expect(pushes.map((push) => [push.status, push.acknowledged])).toEqual([
        [500, false],
        [200, false],
        [200, false],
        [200, false],
      ]);
      const bodies = waybill.received.map((got) => JSON.parse(got.body) as PushBody);
      expect(bodies.map((body) => body.sendCount)).toEqual([0, 1, 2, 3]);
      expect(new Set(bodies.map((body) => body.sign)).size).toBe(1);
    } finally {
      await waybill.close();
    }
  });

  it('sends the test push as a signed test: true', async () => {
    const waybill = await recordingReceiver([200], SUCCESS);
    try {
      const [ping] = await youzan.ping(waybill.url);
      expect(ping?.acknowledged).toBe(true);
      const body = JSON.parse(waybill.received[0]?.body ?? '{}') as PushBody;
      expect(body.test).toBe(true);
      expect(body.sign).toBe(md5(`cid${body.msg}csecret`));
    } finally {
      await waybill.close();
    }
  });

  it('records logistics confirmations, refusing a bad token and missing fields', async () => {
    const confirm = (body: object, token = 'token') =>
      fetch(`${youzan.baseUrl}/api/youzan.logistics.online.confirm/3.0.0?access_token=${token}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      }).then(async (response) => ({
        status: response.status,
        json: (await response.json()) as Record<string, unknown>,
      }));
    const ok = await confirm({
      tid: 'E1',
      out_stype: 'zhongtong',
      out_sid: '73100000000001',
      is_no_express: 0,
    });
    expect(ok.json).toMatchObject({ success: true, data: { is_success: true } });
    expect(youzan.confirmationsOf('E1')).toEqual([
      { tid: 'E1', outStype: 'zhongtong', outSid: '73100000000001', isNoExpress: false },
    ]);
    const badToken = await confirm({ tid: 'E1', out_stype: 'zhongtong', out_sid: '1' }, 'nope');
    expect(badToken).toMatchObject({ status: 200, json: { gw_err_resp: { err_code: 4203 } } });
    expect((await confirm({ tid: 'E1', out_stype: 'zhongtong' })).json).toMatchObject({ success: false });
    youzan.failNext = 1;
    expect((await confirm({ tid: 'E2', out_stype: 'zhongtong', out_sid: '1' })).status).toBe(503);
    expect(youzan.confirmations).toHaveLength(1);
  });
});
