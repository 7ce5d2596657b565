import { createHash, createSign, randomUUID } from 'node:crypto';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeUnionPay } from './fake-unionpay';

/*
 * The fake's own rules, driven by hand-signed requests (the adapter's side is proven in
 * services/payment/src/providers/unionpay.provider.spec.ts).
 */
describe('FakeUnionPay', () => {
  let fake: FakeUnionPay;
  let notifies: URLSearchParams[];
  let receiver: Server;

  beforeAll(async () => {
    fake = await FakeUnionPay.start({
      autoPay: { afterMs: 5, neverPays: (orderId) => orderId.startsWith('00000000') },
    });
    notifies = [];
    receiver = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        notifies.push(new URLSearchParams(Buffer.concat(chunks).toString()));
        response.end('ok');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    fake.setNotifyTarget(`http://127.0.0.1:${(receiver.address() as AddressInfo).port}`);
  });

  afterAll(async () => {
    await fake.stop();
    receiver.closeAllConnections();
    await new Promise((resolve) => receiver.close(resolve));
  });

  const beijing = (at: Date) =>
    new Date(at.getTime() + 8 * 3_600_000).toISOString().replace(/[-:T]/g, '').slice(0, 14);

  function signed(fields: Record<string, string>, certId = fake.certId): Record<string, string> {
    const env = fake.env();
    const all: Record<string, string> = {
      version: '5.1.0',
      encoding: 'UTF-8',
      signMethod: '01',
      accessType: '0',
      merId: env.PAYMENT_UNIONPAY_MER_ID,
      certId,
      ...fields,
    };
    const text = Object.keys(all)
      .sort()
      .map((key) => `${key}=${all[key]}`)
      .join('&');
    const digest = createHash('sha256').update(text, 'utf8').digest('hex');
    return {
      ...all,
      signature: createSign('RSA-SHA256').update(digest).sign(env.PAYMENT_UNIONPAY_SIGN_KEY, 'base64'),
    };
  }

  const front = (orderId: string) => {
    const now = new Date();
    return signed({
      txnType: '01',
      txnSubType: '01',
      bizType: '000201',
      channelType: '07',
      orderId: orderId.replace(/-/g, ''),
      txnTime: beijing(now),
      txnAmt: '100',
      currencyCode: '156',
      frontUrl: 'https://shop.example/paid',
      backUrl: 'https://waybill.example/v1/webhooks/payments/unionpay',
      payTimeout: beijing(new Date(now.getTime() + 15 * 60_000)),
    });
  };

  const post = async (path: string, fields: Record<string, string>) => {
    const response = await fetch(`${fake.baseUrl}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
    return response.text();
  };

  it('takes the front form posted by a browser, and autoPay pays it with a signed notify', async () => {
    const orderId = randomUUID();
    const page = await post('/gateway/api/frontTransReq.do', front(orderId));
    expect(page).toContain('data-resp-code="00"');
    await waitFor(() => fake.tradeStatus(orderId) === 'PAID' && notifies.length > 0);
    const notify = notifies.at(-1)!;
    expect(notify.get('orderId')).toBe(orderId.replace(/-/g, ''));
    expect(notify.get('respCode')).toBe('00');
    expect(notify.get('signPubKeyCert')).toContain('\r\n');
  });

  it('autoPay leaves the orders neverPays names waiting', async () => {
    const orderId = `00000000-${randomUUID().slice(9)}`;
    await post('/gateway/api/frontTransReq.do', front(orderId));
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(fake.tradeStatus(orderId)).toBe('WAITING');
  });

  it('answers 11 验证签名失败 for a wrong certId or a signature that does not match, 34 for an unknown order', async () => {
    const query = (orderId: string) => ({
      txnType: '00',
      txnSubType: '00',
      bizType: '000000',
      orderId,
      txnTime: '20260101000000',
    });
    expect(await post('/gateway/api/queryTrans.do', signed(query('abcdefgh12345678'), '1234'))).toContain(
      'respCode=11&',
    );
    const tampered = { ...signed(query('abcdefgh12345678')), orderId: 'abcdefgh87654321' };
    expect(await post('/gateway/api/queryTrans.do', tampered)).toContain('respMsg=验证签名失败');
    const answer = await post('/gateway/api/queryTrans.do', signed(query('abcdefgh12345678')));
    expect(answer).toContain('respCode=34&');
    // Raw k=v&: the certificate's CRLF and base64 arrive as they are.
    expect(answer).toMatch(/signPubKeyCert=-----BEGIN CERTIFICATE-----\r\n/);
  });
});

async function waitFor(done: () => boolean, ms = 3000): Promise<void> {
  const until = Date.now() + ms;
  while (!done()) {
    if (Date.now() > until) {
      throw new Error('timed out waiting');
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
