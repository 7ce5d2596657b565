import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeKuaidi100, KUAIDI100_ACK } from './fake-kuaidi100';
import vectors from './fixtures/carriers-cn/signature-vectors.json';

/** The spec's own sign, written apart from the fake's. */
function k100Sign(param: string, salt: string): string {
  return createHash('md5')
    .update(Buffer.from(param + salt, 'utf8'))
    .digest('hex')
    .toUpperCase();
}

async function callback(answer = KUAIDI100_ACK) {
  const received: Record<string, string>[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push(Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))));
      response.writeHead(200, { 'Content-Type': 'application/json' });
      response.end(answer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/kuaidi100/push?shipment=S1`;
  return { url, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('FakeKuaidi100', () => {
  let k100: FakeKuaidi100;

  beforeEach(async () => {
    k100 = await FakeKuaidi100.start();
  });

  afterEach(async () => {
    await k100.stop();
  });

  async function poll(param: Record<string, unknown>, schema = 'json') {
    const response = await fetch(`${k100.baseUrl}/poll`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ schema, param: JSON.stringify(param) }).toString(),
    });
    return (await response.json()) as { result: boolean; returnCode: string; message: string };
  }

  function subscribe(url: string, extra: Record<string, unknown> = {}) {
    return poll({
      company: 'zhongtong',
      number: '73100196611386',
      key: k100.key,
      parameters: { callbackurl: url, salt: k100.salt, resultv2: '4', ...extra },
    });
  }

  it('reproduces the derived push-sign vector, as does the spec', () => {
    const v = vectors.kuaidi100_push_sign_derived;
    expect(FakeKuaidi100.sign(v.param, v.salt)).toBe(v.sign);
    expect(k100Sign(v.param, v.salt)).toBe(v.sign);
  });

  it('subscribes once, answers 501 to a repeat, 600 to a wrong key, and wants the phone for SF', async () => {
    expect(await subscribe('http://127.0.0.1:1/cb')).toEqual({
      result: true,
      returnCode: '200',
      message: '提交成功',
    });
    expect(await subscribe('http://127.0.0.1:1/cb')).toMatchObject({ result: false, returnCode: '501' });
    expect(
      await poll({
        company: 'zhongtong',
        number: '1',
        key: 'wrong',
        parameters: { callbackurl: 'http://x/' },
      }),
    ).toMatchObject({ returnCode: '600' });
    const sf = {
      company: 'shunfeng',
      number: 'SF1',
      key: k100.key,
      parameters: { callbackurl: 'http://x/' },
    };
    expect(await poll(sf)).toMatchObject({ returnCode: '700' });
    expect(await poll({ ...sf, parameters: { callbackurl: 'http://x/', phone: '5514' } })).toMatchObject({
      returnCode: '200',
    });
    expect(await poll({ ...sf, number: 'SF2' }, 'xml')).toMatchObject({ returnCode: '700' });
    expect(k100.subscription('zhongtong', '73100196611386')).toMatchObject({
      salt: k100.salt,
      resultv2: '4',
    });
    expect(Object.keys(k100.env()).sort()).toEqual([
      'LOGISTICS_KUAIDI100_API_BASE',
      'LOGISTICS_KUAIDI100_CUSTOMER',
      'LOGISTICS_KUAIDI100_KEY',
      'LOGISTICS_KUAIDI100_SALT',
    ]);
  });

  it('pushes the whole trace newest first, signed, to the callbackurl with its query', async () => {
    const waybill = await callback();
    try {
      await subscribe(waybill.url);
      await k100.push('zhongtong', '73100196611386', {
        nodes: [{ context: '已揽收', time: '2025-05-22 15:06:35' }],
      });
      const second = await k100.push('zhongtong', '73100196611386', {
        state: '3',
        status: 'shutdown',
        nodes: [{ context: '已签收', time: '2025-05-22 15:09:54' }],
      });
      expect(second.acknowledged).toBe(true);
      expect(waybill.received).toHaveLength(2);
      const last = waybill.received[1] ?? {};
      expect(last.sign).toBe(k100Sign(last.param ?? '', k100.salt));
      const param = JSON.parse(last.param ?? '{}') as {
        status: string;
        lastResult: { state: string; nu: string; data: { context: string }[] };
      };
      expect(param.status).toBe('shutdown');
      expect(param.lastResult.state).toBe('3');
      expect(param.lastResult.data.map((node) => node.context)).toEqual(['已签收', '已揽收']);
    } finally {
      await waybill.close();
    }
  });

  it('plays an outage (503, nothing taken) and a lost answer (taken, then 501 on the retry)', async () => {
    k100.outage(1);
    const down = await fetch(`${k100.baseUrl}/poll`, { method: 'POST', body: 'schema=json&param={}' });
    expect(down.status).toBe(503);
    expect(k100.subscription('zhongtong', '73100196611386')).toBeUndefined();

    k100.loseNextAnswer();
    await expect(subscribe('http://127.0.0.1:1/cb')).rejects.toThrow();
    expect(k100.subscription('zhongtong', '73100196611386')).toBeDefined();
    expect(await subscribe('http://127.0.0.1:1/cb')).toMatchObject({ returnCode: '501' });
  });

  it('takes a parcel it stopped polling (abort) as a new subscription, keeping its trace', async () => {
    const waybill = await callback();
    try {
      await subscribe(waybill.url);
      await k100.push('zhongtong', '73100196611386', { nodes: [{ context: '已揽收' }] });
      await k100.push('zhongtong', '73100196611386', { status: 'abort' });
      expect(await subscribe(waybill.url)).toMatchObject({ returnCode: '200' });
      expect(await subscribe(waybill.url)).toMatchObject({ returnCode: '501' });
      expect(k100.subscription('zhongtong', '73100196611386')?.trace.map((node) => node.context)).toEqual([
        '已揽收',
      ]);
    } finally {
      await waybill.close();
    }
  });

  it('sends abort, and counts only the exact answer as delivered', async () => {
    const waybill = await callback('{"result":true,"returnCode":"200","message":"success"}');
    try {
      await subscribe(waybill.url);
      const push = await k100.push('zhongtong', '73100196611386', { status: 'abort' });
      expect(JSON.parse(push.param)).toMatchObject({ status: 'abort', message: '3天查询无记录' });
      expect(push).toMatchObject({ status: 200, acknowledged: false });
    } finally {
      await waybill.close();
    }
  });
});
