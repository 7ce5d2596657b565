import { createHash } from 'node:crypto';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeZto } from './fake-zto';
import sandbox from './fixtures/carriers-cn/zto-track-push-sandbox.json';

/** The spec's own digest, written apart from the fake's. */
function zopDigest(text: string, secret: string): string {
  return createHash('md5')
    .update(Buffer.from(text + secret, 'utf8'))
    .digest()
    .toString('base64');
}

interface Received {
  readonly contentType: string;
  readonly fields: Record<string, string>;
}

async function receiver(answer = '{"status":true,"message":"成功","result":"","statusCode":"0000"}') {
  const received: Received[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const contentType = request.headers['content-type'] ?? '';
      const fields = contentType.startsWith('application/json')
        ? (JSON.parse(text) as Record<string, string>)
        : Object.fromEntries(new URLSearchParams(text));
      received.push({ contentType, fields });
      response.writeHead(200, { 'Content-Type': 'application/json' });
      response.end(answer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/zto/push`;
  return {
    url,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('FakeZto', () => {
  let zto: FakeZto;

  beforeEach(async () => {
    zto = await FakeZto.start();
  });

  afterEach(async () => {
    await zto.stop();
  });

  async function call(path: string, body: object, digest?: string, keyHeader = 'x-companyid') {
    const text = JSON.stringify(body);
    const response = await fetch(`${zto.baseUrl}/${path}`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        [keyHeader]: zto.appKey,
        'x-datadigest': digest ?? zopDigest(text, zto.appSecret),
      },
      body: text,
    });
    return (await response.json()) as Record<string, unknown> & { result?: Record<string, unknown> };
  }

  const order = {
    partnerType: '2',
    orderType: '1',
    partnerOrderCode: 'WB-SHP-0001',
    senderInfo: { senderName: '张三', senderMobile: '13900000000', senderAddress: '文一西路588号' },
    receiveInfo: { receiverName: '李四', receiverMobile: '13800000000', receiverAddress: '郑州高新区' },
  };

  it('reproduces all 13 official sandbox digests, as does the spec', () => {
    for (const push of sandbox.pushes) {
      expect(FakeZto.digest(push.form.data, sandbox.appSecret)).toBe(push.form.data_digest);
      expect(zopDigest(push.form.data, sandbox.appSecret)).toBe(push.form.data_digest);
    }
  });

  it('books a waybill, and the same partnerOrderCode books the same one', async () => {
    const first = await call('zto.open.createOrder', order);
    expect(first).toMatchObject({ status: true, statusCode: '0000', message: '成功' });
    expect(first.result?.billCode).toMatch(/^\d{14}$/);
    const again = await call('zto.open.createOrder', order, undefined, 'x-appKey');
    expect(again.result?.billCode).toBe(first.result?.billCode);
    const other = await call('zto.open.createOrder', { ...order, partnerOrderCode: 'WB-SHP-0002' });
    expect(other.result?.billCode).not.toBe(first.result?.billCode);
    expect(zto.orders.size).toBe(2);
    expect(zto.env()).toEqual({
      LOGISTICS_ZTO_APP_KEY: zto.appKey,
      LOGISTICS_ZTO_APP_SECRET: zto.appSecret,
      LOGISTICS_ZTO_API_BASE: zto.baseUrl,
    });
  });

  it("refuses a wrong digest or app key with ZTO's gateway codes, and books nothing", async () => {
    const text = JSON.stringify(order);
    const wrong = await call('zto.open.createOrder', order, zopDigest(text, 'not-the-secret'));
    expect(wrong).toMatchObject({ status: false, statusCode: 'S211' });
    const response = await fetch(`${zto.baseUrl}/zto.open.createOrder`, {
      method: 'POST',
      headers: { 'x-companyid': 'someone-else', 'x-datadigest': zopDigest(text, zto.appSecret) },
      body: text,
    });
    expect(await response.json()).toMatchObject({ status: false, statusCode: 'S210' });
    expect(zto.orders.size).toBe(0);
  });

  it('subscribes on the misspelt track.subsrcibe', async () => {
    const answer = await call('zto.merchant.waybill.track.subsrcibe', {
      billCode: '73100196611386',
      mobilePhone: '5514',
    });
    expect(answer.status).toBe(true);
    expect(zto.subscriptions.get('73100196611386')).toEqual({
      billCode: '73100196611386',
      mobilePhone: '5514',
    });
    const correctlySpelt = await call('zto.merchant.waybill.track.subscribe', { billCode: '1' });
    expect(correctlySpelt.status).toBe(false);
  });

  it('refuses an order without a mobile or phone for the receiver, with S208', async () => {
    const { receiverMobile: _dropped, ...receiver } = order.receiveInfo;
    const answer = await call('zto.open.createOrder', { ...order, receiveInfo: receiver });
    expect(answer).toMatchObject({ status: false, statusCode: 'S208' });
    expect(zto.orders.size).toBe(0);
  });

  it('cancels a booked order by billCode or orderCode, and refuses an unknown one or a bad cancelType', async () => {
    const booked = await call('zto.open.createOrder', order);
    const billCode = booked.result?.billCode;
    const byBill = await call('zto.open.cancelPreOrder', { cancelType: '1', orderCode: '', billCode });
    expect(byBill).toEqual({ result: {}, message: '请求成功', status: true, statusCode: 'SYS000' });
    expect(zto.cancelled.has(order.partnerOrderCode)).toBe(true);
    const byOrder = await call('zto.open.cancelPreOrder', {
      cancelType: '2',
      orderCode: booked.result?.orderCode,
    });
    expect(byOrder.status).toBe(true);
    const unknown = await call('zto.open.cancelPreOrder', { cancelType: '1', billCode: '73199999999999' });
    expect(unknown).toMatchObject({ status: false, statusCode: 'FAKE_ORDER_NOT_FOUND' });
    const badType = await call('zto.open.cancelPreOrder', { cancelType: '9', billCode });
    expect(badType).toMatchObject({ status: false, statusCode: 'S208' });
  });

  it('refuses the next call of one kind with the code it is given, carrying nothing out', async () => {
    zto.refuseNext('subscribe', 'E413', '鉴权失败,请输入收寄人任一方电话号码后4位');
    const refused = await call('zto.merchant.waybill.track.subsrcibe', { billCode: '73100000000001' });
    expect(refused).toMatchObject({ status: false, statusCode: 'E413' });
    expect(zto.subscriptions.size).toBe(0);
    const again = await call('zto.merchant.waybill.track.subsrcibe', { billCode: '73100000000001' });
    expect(again.status).toBe(true);
  });

  it('plays an outage as a 503 page or as ZOP S203, carrying nothing out', async () => {
    zto.failNext = 1;
    const page = await fetch(`${zto.baseUrl}/zto.open.createOrder`, { method: 'POST', body: '{}' });
    expect(page.status).toBe(503);
    zto.failNext = 1;
    zto.failAs = 'S203';
    expect(await call('zto.open.createOrder', order)).toMatchObject({ status: false, statusCode: 'S203' });
    expect(zto.orders.size).toBe(0);
    expect((await call('zto.open.createOrder', order)).status).toBe(true);
  });

  it('a lost answer still carries the create out, and the retry gets the same waybill', async () => {
    zto.loseNextAnswer('create');
    await expect(call('zto.open.createOrder', order)).rejects.toThrow();
    const booked = zto.orderFor(order.partnerOrderCode);
    expect(booked?.billCode).toMatch(/^\d{14}$/);
    expect(zto.calls[0]?.lost).toBe(true);
    const retry = await call('zto.open.createOrder', order);
    expect(retry.result?.billCode).toBe(booked?.billCode);
  });

  it('pushes signed events as form fields or JSON, out of order and duplicated, recording the answers', async () => {
    const waybill = await receiver();
    try {
      const sent = await zto.push(
        '73100000000001',
        ['GOT', 'DEPARTURE', { action: 'SIGNED', expressSigner: '王五' }],
        {
          to: waybill.url,
          order: [2, 0, 1],
          duplicate: true,
        },
      );
      expect(sent).toHaveLength(6);
      expect(sent.every((push) => push.acknowledged)).toBe(true);
      const actions = waybill.received.map(
        (push) => (JSON.parse(push.fields.data) as { action: string }).action,
      );
      expect(actions).toEqual(['SIGNED', 'SIGNED', 'GOT', 'GOT', 'DEPARTURE', 'DEPARTURE']);
      for (const { contentType, fields } of waybill.received) {
        expect(contentType).toMatch(/^application\/x-www-form-urlencoded/);
        expect(fields.data_digest).toBe(zopDigest(fields.data, zto.appSecret));
        expect(fields).toMatchObject({ msg_type: 'Traces', company_id: zto.appKey });
        expect(JSON.parse(fields.data)).toMatchObject({ billCode: '73100000000001' });
      }
      await zto.push('73100000000001', ['DISPATCH'], { to: waybill.url, format: 'json', delayMs: 20 });
      const json = waybill.received[6];
      expect(json?.contentType).toMatch(/^application\/json/);
      expect(json?.fields.data_digest).toBe(zopDigest(json?.fields.data ?? '', zto.appSecret));
    } finally {
      await waybill.close();
    }
  });

  it('records an answer without status:true as not delivered', async () => {
    const waybill = await receiver('{"code":0,"msg":"ok","data":{}}');
    try {
      const [push] = await zto.push('73100000000001', ['GOT'], { to: waybill.url });
      expect(push).toMatchObject({
        status: 200,
        acknowledged: false,
        answer: '{"code":0,"msg":"ok","data":{}}',
      });
    } finally {
      await waybill.close();
    }
  });

  it('replays the 13 sandbox pushes in their recorded order, with the recorded digests under the sandbox app', async () => {
    await zto.stop();
    zto = await FakeZto.start(FakeZto.sandboxCredentials);
    const waybill = await receiver();
    try {
      const sent = await zto.replaySandboxPushes(waybill.url);
      expect(sent).toHaveLength(13);
      expect(waybill.received.map((push) => push.fields.data)).toEqual(
        sandbox.pushes.map((push) => push.form.data),
      );
      expect(waybill.received.map((push) => push.fields.data_digest)).toEqual(
        sandbox.pushes.map((push) => push.form.data_digest),
      );
      const times = waybill.received.map(
        (push) => (JSON.parse(push.fields.data) as { actionTime: string }).actionTime,
      );
      expect(times[8]).toBe('2025-05-22 15:06:35');
      expect(times[0] > times[8]).toBe(true);
      expect(zto.pushes.every((push) => push.acknowledged)).toBe(true);
    } finally {
      await waybill.close();
    }
  });
});
