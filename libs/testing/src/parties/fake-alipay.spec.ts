import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AlipaySdk } from 'alipay-sdk';
import { alipaySignContent, alipayTime, FakeAlipay } from './fake-alipay';
import { merchantOrderNumber } from './fake-payment-gateway';

/*
 * The fake signs and verifies by hand on node:crypto; the official SDK is the other side. Here
 * (and only in specs) both meet, to prove they agree: on request signatures, on answers signed
 * over the raw …_response text, on notifies and on app-freeze order strings.
 */
describe('FakeAlipay and alipay-sdk agree', () => {
  let fake: FakeAlipay;
  let sdk: AlipaySdk;

  beforeAll(async () => {
    fake = await FakeAlipay.start({ mode: 'direct' });
    const env = fake.env();
    sdk = new AlipaySdk({
      appId: env.PAYMENT_ALIPAY_APP_ID,
      privateKey: env.PAYMENT_ALIPAY_PRIVATE_KEY,
      alipayPublicKey: env.PAYMENT_ALIPAY_PUBLIC_KEY,
      gateway: env.PAYMENT_ALIPAY_GATEWAY,
      keyType: 'PKCS8',
      signType: 'RSA2',
      camelcase: false,
    });
  });
  afterAll(() => fake.stop());

  it('takes the SDK-signed request, and the SDK verifies the signed answer', async () => {
    const outTradeNo = merchantOrderNumber(randomUUID());
    const answer = await sdk.exec(
      'alipay.trade.precreate',
      {
        notify_url: 'http://waybill.invalid/v1/webhooks/payments/alipay',
        bizContent: { out_trade_no: outTradeNo, total_amount: '0.30', subject: '测试 & 订单 = 1' },
      },
      { validateSign: true },
    );
    expect(answer).toMatchObject({ code: '10000', out_trade_no: outTradeNo });
    // The answer carries `\/`, as Alipay writes it: the SDK verifies the raw text, not a re-serialisation.
    expect(answer.qr_code).toMatch(/^https:\/\/qr\.alipay\.com\//);
    const call = fake.calls.at(-1)!;
    expect(call.params).toMatchObject({
      method: 'alipay.trade.precreate',
      sign_type: 'RSA2',
      charset: 'utf-8',
    });
    expect(call.biz).toMatchObject({ subject: '测试 & 订单 = 1' });
  });

  it("answers a request signed with another key with Alipay's own error, still signed", async () => {
    const stranger = new AlipaySdk({
      appId: fake.appId,
      privateKey: generateKeyPairSync('rsa', { modulusLength: 2048 })
        .privateKey.export({ type: 'pkcs8', format: 'pem' })
        .toString(),
      alipayPublicKey: fake.alipayPublicKeyPem,
      gateway: fake.gatewayUrl,
      keyType: 'PKCS8',
      camelcase: false,
    });
    const answer = await stranger.exec(
      'alipay.trade.query',
      { bizContent: { out_trade_no: 'x' } },
      { validateSign: true },
    );
    expect(answer).toMatchObject({
      code: '40002',
      msg: 'Invalid Arguments',
      sub_code: 'isv.invalid-signature',
    });
  });

  it('signs notifies the SDK verifies, by the trade-notify rule (sign_type not signed)', () => {
    const fields = fake.signNotify({
      notify_id: '1',
      notify_type: 'trade_status_sync',
      notify_time: alipayTime(Date.now()),
      app_id: fake.appId,
      out_trade_no: 'abc',
      trade_status: 'TRADE_SUCCESS',
      total_amount: '1.00',
      subject: '订单 & 1',
    });
    expect(fields.sign_type).toBe('RSA2');
    expect(sdk.checkNotifySignV2(fields)).toBe(true);
    expect(sdk.rsaCheck(alipaySignContent(fields, ['sign', 'sign_type']), fields.sign, 'RSA2')).toBe(true);
    expect(sdk.rsaCheck(alipaySignContent(fields, ['sign']), fields.sign, 'RSA2')).toBe(false);
    expect(sdk.checkNotifySignV2({ ...fields, total_amount: '2.00' })).toBe(false);
  });

  it("leaves empty values out of a notify's signed string, as Alipay does and the SDK's checkNotifySign does not", () => {
    const fields = fake.signNotify({ notify_id: '2', notify_type: 'trade_status_sync', passback_params: '' });
    expect(sdk.rsaCheck(alipaySignContent(fields, ['sign', 'sign_type']), fields.sign, 'RSA2')).toBe(true);
    // Why the adapter builds the notify string itself: the SDK signs `passback_params=` in.
    expect(sdk.checkNotifySignV2(fields)).toBe(false);
  });

  it("opens the SDK's signed app-freeze order string, and refuses one changed after signing", () => {
    const outOrderNo = merchantOrderNumber(randomUUID());
    const orderString = sdk.sdkExecute('alipay.fund.auth.order.app.freeze', {
      notify_url: 'http://waybill.invalid/v1/webhooks/payments/alipay',
      bizContent: {
        out_order_no: outOrderNo,
        out_request_no: outOrderNo,
        order_title: '押金',
        amount: '100.00',
        product_code: 'PRE_AUTH_ONLINE',
      },
    });
    expect(() => fake.buyerOpens(`${fake.gatewayUrl}?${orderString.replace('100.00', '1.00')}`)).toThrow(
      /验签/,
    );
    expect(fake.buyerOpens(`${fake.gatewayUrl}?${orderString}`)).toMatchObject({
      outOrderNo,
      amountFen: 10_000,
      status: 'INIT',
    });
  });
});

describe('FakeAlipay notifies', () => {
  let fake: FakeAlipay;
  let server: Server;
  const received: { path: string; body: string; type: string }[] = [];

  beforeAll(async () => {
    fake = await FakeAlipay.start({ autoPay: { afterMs: 20, neverPays: (id) => id.startsWith('0') } });
    server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        received.push({ path: request.url ?? '', body, type: request.headers['content-type'] ?? '' });
        response.writeHead(200, { 'content-type': 'text/plain' }).end('success');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    fake.setNotifyTarget(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  });
  afterAll(async () => {
    await fake.stop();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('autoPay: the buyer pays a moment after the precreate, except those who never do', async () => {
    const env = fake.env();
    const sdk = new AlipaySdk({
      appId: env.PAYMENT_ALIPAY_APP_ID,
      privateKey: env.PAYMENT_ALIPAY_PRIVATE_KEY,
      alipayPublicKey: env.PAYMENT_ALIPAY_PUBLIC_KEY,
      gateway: env.PAYMENT_ALIPAY_GATEWAY,
      keyType: 'PKCS8',
      camelcase: false,
    });
    const payer = `1${randomUUID().slice(1)}`;
    const never = `0${randomUUID().slice(1)}`;
    for (const orderId of [payer, never]) {
      await sdk.exec('alipay.trade.precreate', {
        notify_url: 'http://elsewhere.invalid/v1/webhooks/payments/alipay',
        bizContent: { out_trade_no: merchantOrderNumber(orderId), total_amount: '9.99', subject: 's' },
      });
    }
    const deadline = Date.now() + 3000;
    while (fake.tradeStatus(payer) !== 'TRADE_SUCCESS' || received.length === 0) {
      if (Date.now() > deadline) {
        throw new Error('the fake buyer never paid');
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(fake.tradeStatus(never)).toBe('WAIT_BUYER_PAY');
    const notify = received.at(-1)!;
    // The notify URL's path, on the notify target.
    expect(notify.path).toBe('/v1/webhooks/payments/alipay');
    expect(notify.type).toBe('application/x-www-form-urlencoded; charset=utf-8');
    const fields = Object.fromEntries(new URLSearchParams(notify.body));
    expect(fields).toMatchObject({
      notify_type: 'trade_status_sync',
      trade_status: 'TRADE_SUCCESS',
      out_trade_no: merchantOrderNumber(payer),
      total_amount: '9.99',
      app_id: fake.appId,
    });
    expect(fields.notify_time).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect(sdk.checkNotifySignV2(fields)).toBe(true);
  });
});
