import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { FakeSf, SF_PUSH_ACK } from './fake-sf';

const FIXTURES = join(__dirname, '../../../../services/logistics/src/carriers/fixtures/sf');
const vectors = JSON.parse(readFileSync(join(FIXTURES, 'signature-vectors.json'), 'utf8')) as Record<
  string,
  { msgData?: string; input?: string; timestamp: string; checkWord: string; msgDigest: string }
>;
const sandbox = JSON.parse(readFileSync(join(FIXTURES, 'route-push-sandbox.json'), 'utf8')) as {
  pushes: { Body: { WaybillRoute: { opCode: string; acceptTime: string; remark: string }[] } }[];
};

/**
 * The spec's own msgDigest, written apart from the fake's (encodeURIComponent patched to Java's
 * URLEncoder, where the fake walks the UTF-8 bytes), and held to the official vector first.
 */
function specDigest(msgData: string, timestamp: string, checkWord: string): string {
  const encoded = encodeURIComponent(msgData + timestamp + checkWord)
    .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
  return createHash('md5').update(encoded).digest('base64');
}

interface Envelope {
  apiErrorMsg: string;
  apiResponseID: string;
  apiResultCode: string;
  apiResultData: string | null;
}

interface Business {
  success: boolean;
  errorCode: string;
  errorMsg: string | null;
  msgData: Record<string, unknown> | null;
}

describe('FakeSf', () => {
  let sf: FakeSf;

  beforeEach(async () => {
    sf = await FakeSf.start();
  });

  afterEach(async () => {
    await sf.stop();
  });

  function form(serviceCode: string, msg: object, spoil: Partial<Record<string, string>> = {}) {
    const env = sf.env();
    const msgData = JSON.stringify(msg);
    const timestamp = String(Date.now());
    return {
      partnerID: env.LOGISTICS_SF_PARTNER_ID,
      requestID: randomUUID(),
      serviceCode,
      timestamp,
      msgData,
      msgDigest: specDigest(msgData, timestamp, env.LOGISTICS_SF_CHECK_WORD),
      ...spoil,
    } as Record<string, string>;
  }

  async function call(fields: Record<string, string>): Promise<Envelope> {
    const response = await fetch(`${sf.env().LOGISTICS_SF_API_BASE}/std/service`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded;charset=UTF-8' },
      body: new URLSearchParams(fields).toString(),
    });
    expect(response.status).toBe(200);
    return (await response.json()) as Envelope;
  }

  function result(envelope: Envelope): Business {
    expect(envelope.apiResultCode).toBe('A1000');
    expect(typeof envelope.apiResultData).toBe('string');
    return JSON.parse(envelope.apiResultData as string) as Business;
  }

  const order = (orderId: string) => ({
    language: 'zh-CN',
    orderId,
    monthlyCard: sf.env().LOGISTICS_SF_MONTHLY_CARD,
    cargoDetails: [{ name: "A'座(1~2)! 书*" }],
    contactInfoList: [
      { contactType: 1, contact: '张三', mobile: '13800000000', address: '南山区科技园 A座' },
      { contactType: 2, contact: '李四', mobile: '13900000000', address: '天河区 (1~2)!' },
    ],
    payMethod: 1,
    expressTypeId: 1,
  });

  it("the spec's digest and the fake's both reproduce the official and derived vectors", () => {
    const official = vectors.sf_msgDigest_standard_md5;
    expect(specDigest(official.msgData!, official.timestamp, official.checkWord)).toBe(
      'IIKJtuLVzoFTu4kHI8M8vA==',
    );
    expect(FakeSf.digest(official.msgData!, official.timestamp, official.checkWord)).toBe(official.msgDigest);
    const edge = vectors.sf_msgDigest_java_urlencoder_edge;
    expect(FakeSf.javaUrlEncode(`${edge.input}${edge.timestamp}${edge.checkWord}`)).toBe(
      '%E4%B8%AD+*%7E%2B1test',
    );
    expect(FakeSf.digest(edge.input!, edge.timestamp, edge.checkWord)).toBe(edge.msgDigest);
    const edge2 = vectors.sf_msgDigest_java_urlencoder_edge2;
    expect(specDigest(edge2.msgData!, edge2.timestamp, edge2.checkWord)).toBe(edge2.msgDigest);
    expect(FakeSf.digest(edge2.msgData!, edge2.timestamp, edge2.checkWord)).toBe(edge2.msgDigest);
  });

  it('env() gives the four logistics settings', () => {
    expect(Object.keys(sf.env()).sort()).toEqual([
      'LOGISTICS_SF_API_BASE',
      'LOGISTICS_SF_CHECK_WORD',
      'LOGISTICS_SF_MONTHLY_CARD',
      'LOGISTICS_SF_PARTNER_ID',
    ]);
    expect(sf.env().LOGISTICS_SF_API_BASE).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('books a waybill, and answers a second create with the same orderId with 8016 重复下单', async () => {
    const first = result(await call(form('EXP_RECE_CREATE_ORDER', order('WB-1'))));
    expect(first).toMatchObject({ success: true, errorCode: 'S0000' });
    const list = first.msgData?.waybillNoInfoList as { waybillType: number; waybillNo: string }[];
    expect(list[0].waybillNo).toMatch(/^SF\d{13}$/);
    expect(sf.waybillFor('WB-1')?.waybillNo).toBe(list[0].waybillNo);

    const again = result(await call(form('EXP_RECE_CREATE_ORDER', order('WB-1'))));
    expect(again).toEqual({ success: false, errorCode: '8016', errorMsg: '重复下单', msgData: null });
    expect(sf.waybills.size).toBe(1);
  });

  it('refuses a wrong digest with A1006 and books nothing', async () => {
    const envelope = await call(form('EXP_RECE_CREATE_ORDER', order('WB-2'), { msgDigest: 'AAAA' }));
    expect(envelope).toMatchObject({ apiResultCode: 'A1006', apiResultData: null });
    expect(envelope.apiErrorMsg).toContain('数字签名无效');
    expect(envelope.apiResponseID).toMatch(/^[0-9A-F]{32}$/);
    // encodeURIComponent's digest (no Java fix-ups) is refused too, on an address with ' ( ) ! ~.
    const fields = form('EXP_RECE_CREATE_ORDER', order('WB-2'));
    fields.msgDigest = createHash('md5')
      .update(encodeURIComponent(fields.msgData + fields.timestamp + sf.checkWord))
      .digest('base64');
    expect((await call(fields)).apiResultCode).toBe('A1006');
    expect(sf.waybills.size).toBe(0);
  });

  it('refuses missing fields with A1001 and a stranger with A1004', async () => {
    const fields = form('EXP_RECE_CREATE_ORDER', order('WB-3'));
    delete fields.requestID;
    expect(await call(fields)).toMatchObject({ apiResultCode: 'A1001', apiResultData: null });
    const stranger = await call(form('EXP_RECE_CREATE_ORDER', order('WB-3'), { partnerID: 'NOBODY' }));
    expect(stranger).toMatchObject({ apiResultCode: 'A1004', apiResultData: null });
    expect(sf.waybills.size).toBe(0);
  });

  it('can be down (503) or rate limited (A1005) for the next calls, carrying nothing out', async () => {
    sf.failNext = 1;
    sf.rateLimitNext = 1;
    const down = await fetch(sf.serviceUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded;charset=UTF-8' },
      body: new URLSearchParams(form('EXP_RECE_CREATE_ORDER', order('WB-5'))).toString(),
    });
    expect(down.status).toBe(503);
    await down.text();
    expect(await call(form('EXP_RECE_CREATE_ORDER', order('WB-5')))).toMatchObject({
      apiResultCode: 'A1005',
      apiResultData: null,
    });
    expect(sf.waybills.size).toBe(0);
    expect(result(await call(form('EXP_RECE_CREATE_ORDER', order('WB-5'))))).toMatchObject({
      errorCode: 'S0000',
    });
  });

  it('cancels once; cancelling again is 8037', async () => {
    result(await call(form('EXP_RECE_CREATE_ORDER', order('WB-4'))));
    const cancel = result(await call(form('EXP_RECE_UPDATE_ORDER', { orderId: 'WB-4', dealType: 2 })));
    expect(cancel).toMatchObject({ success: true, errorCode: 'S0000' });
    expect(sf.waybillFor('WB-4')?.state).toBe('cancelled');
    const twice = result(await call(form('EXP_RECE_UPDATE_ORDER', { orderId: 'WB-4', dealType: 2 })));
    expect(twice).toMatchObject({ success: false, errorCode: '8037' });
  });

  describe('route pushes', () => {
    let receiver: Server;
    let url: string;
    const received: { path: string; type: string; body: string }[] = [];
    let answer = SF_PUSH_ACK;

    beforeEach(async () => {
      received.length = 0;
      answer = SF_PUSH_ACK;
      receiver = createServer((request, response) => {
        const chunks: Buffer[] = [];
        request.on('data', (chunk: Buffer) => chunks.push(chunk));
        request.on('end', () => {
          received.push({
            path: request.url ?? '',
            type: request.headers['content-type'] ?? '',
            body: Buffer.concat(chunks).toString('utf8'),
          });
          response.writeHead(200, { 'Content-Type': 'application/json' });
          response.end(answer);
        });
      });
      await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/v1/webhooks/carriers/sf/tok123`;
    });

    afterEach(async () => {
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
    });

    async function booked(orderId: string): Promise<string> {
      const created = result(await call(form('EXP_RECE_CREATE_ORDER', order(orderId))));
      return (created.msgData?.waybillNoInfoList as { waybillNo: string }[])[0].waybillNo;
    }

    const sandboxRoutes = () => sandbox.pushes.map((push) => push.Body.WaybillRoute[0]);

    it('posts the sandbox routes unsigned as {"Body":{"WaybillRoute":[…]}} and records the ack', async () => {
      const mailno = await booked('WB-5');
      const pushes = await sf.pushRoutes(mailno, sandboxRoutes(), { to: url });
      expect(pushes).toHaveLength(1);
      expect(pushes[0]).toMatchObject({ status: 200, answer: SF_PUSH_ACK, acked: true });
      expect(received).toHaveLength(1);
      expect(received[0].path).toBe('/v1/webhooks/carriers/sf/tok123');
      expect(received[0].type).toBe('application/json;charset=UTF-8');
      expect(received[0].body).toBe(pushes[0].body);
      const routes = (
        JSON.parse(received[0].body) as {
          Body: { WaybillRoute: { mailno: string; orderid: string; opCode: string }[] };
        }
      ).Body.WaybillRoute;
      expect(routes.map((r) => r.opCode)).toEqual(['50', '30', '31', '44', '80']);
      expect(routes.every((r) => r.mailno === mailno && r.orderid === 'WB-5')).toBe(true);

      // The route query answers what was pushed, ascending by time.
      const query = result(
        await call(
          form('EXP_RECE_SEARCH_ROUTES', {
            language: '0',
            trackingType: '1',
            trackingNumber: [mailno],
            methodType: '1',
          }),
        ),
      );
      const resps = query.msgData?.routeResps as { mailNo: string; routes: { opCode: string }[] }[];
      expect(resps[0].mailNo).toBe(mailno);
      expect(resps[0].routes.map((r) => r.opCode)).toEqual(['50', '30', '31', '44', '80']);
    });

    it('batches at most 10, and can send them reversed, twice and late; a wrong ack is recorded as such', async () => {
      const mailno = await booked('WB-6');
      answer = '{"code":0,"msg":"ok"}';
      const routes = Array.from({ length: 12 }, (_, i) => ({
        opCode: '30',
        acceptTime: `2025-05-26 10:${String(i).padStart(2, '0')}:00`,
      }));
      const started = Date.now();
      const pushes = await sf.pushRoutes(mailno, routes, {
        to: url,
        outOfOrder: true,
        duplicate: true,
        delayMs: 20,
      });
      expect(Date.now() - started).toBeGreaterThanOrEqual(60);
      expect(pushes.map((p) => p.routeIds.length)).toEqual([2, 2, 10, 10]);
      expect(pushes[0].routeIds).toEqual(pushes[1].routeIds);
      expect(pushes.every((p) => !p.acked && p.status === 200)).toBe(true);
      const first = JSON.parse(pushes[0].body) as { Body: { WaybillRoute: { acceptTime: string }[] } };
      expect(first.Body.WaybillRoute.map((r) => r.acceptTime)).toEqual([
        '2025-05-26 10:11:00',
        '2025-05-26 10:10:00',
      ]);
      expect(received).toHaveLength(4);
      expect(sf.pushes).toHaveLength(4);
    });
  });

  it('loseNextAnswer("create") books the waybill but drops the connection; the retry gets 8016', async () => {
    sf.loseNextAnswer('create');
    await expect(call(form('EXP_RECE_CREATE_ORDER', order('WB-7')))).rejects.toThrow();
    expect(sf.waybillFor('WB-7')?.state).toBe('created');
    expect(sf.calls.at(-1)).toMatchObject({ lost: true, errorCode: 'S0000' });
    const retry = result(await call(form('EXP_RECE_CREATE_ORDER', order('WB-7'))));
    expect(retry.errorCode).toBe('8016');
    expect(sf.calls.at(-1)?.lost).toBe(false);
  });
});
