import { createPrivateKey, createVerify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { ProviderUnavailableError } from './bounded-retry';
import {
  alipayFailure,
  alipaySdk,
  AlipayPaymentProvider,
  beijingTimeToDate,
  notifySignContent,
  privateKeyType,
} from './alipay.provider';

/*
 * Alipay's own signed data (fixtures/alipay, from the official Node SDK's test suite) against the
 * code that signs and verifies: the notify rule written here, and the SDK client as the adapter
 * configures it.
 */
const FIXTURES = join(__dirname, 'fixtures', 'alipay');
const read = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');
const fields = (name: string) => (JSON.parse(read(name)) as { fields: Record<string, string> }).fields;

function provider(appId: string, alipayPublicKey: string, gateway = 'http://127.0.0.1:1/gateway.do') {
  return new AlipayPaymentProvider({
    appId,
    privateKey: read('app-private-key.pem'),
    alipayPublicKey,
    gateway,
    mode: 'direct',
    payTimeoutMinutes: 15,
    notifyUrl: 'http://waybill.invalid/v1/webhooks/payments/alipay',
    webhookToleranceSeconds: 300,
    timeoutMs: 1000,
    retry: { attempts: 1, initialBackoffMs: 0 },
  });
}

const form = (values: Record<string, string>) => Buffer.from(new URLSearchParams(values).toString());

describe('Alipay trade notify (notify_trade_status_sync.json, a real Alipay-signed notify)', () => {
  const notify = fields('notify_trade_status_sync.json');
  const key = read('alipay-notify-trade-public-key.pem');
  const alipay = provider(notify.app_id, key);
  const sentAt = beijingTimeToDate(notify.notify_time)!;
  const soon = new Date(sentAt.getTime() + 10_000);

  it('reads notify_time as Beijing time', () => {
    expect(sentAt.toISOString()).toBe('2019-08-15T07:56:25.000Z');
    expect(beijingTimeToDate('2019-02-30 10:00:00')).toBeUndefined();
    expect(beijingTimeToDate('2019-08-15T15:56:25')).toBeUndefined();
  });

  it('verifies by the rsaCheckV1 rule (without sign and sign_type); keeping sign_type fails', () => {
    const sdk = alipaySdk({
      appId: notify.app_id,
      privateKey: read('app-private-key.pem'),
      alipayPublicKey: key,
      gateway: 'http://127.0.0.1:1/gateway.do',
      timeoutMs: 1000,
    });
    expect(notifySignContent(notify)).not.toContain('sign_type=');
    expect(sdk.rsaCheck(notifySignContent(notify), notify.sign, 'RSA2')).toBe(true);
    // Empty values are left out of the signed string, as Alipay leaves them out when signing.
    expect(sdk.rsaCheck(notifySignContent({ ...notify, passback_params: '' }), notify.sign, 'RSA2')).toBe(
      true,
    );
    const { sign, ...withSignType } = notify;
    const keptSignType = Object.keys(withSignType)
      .sort()
      .map((name) => `${name}=${withSignType[name]}`)
      .join('&');
    expect(keptSignType).toContain('sign_type=RSA2');
    expect(sdk.rsaCheck(keptSignType, sign, 'RSA2')).toBe(false);
    // The SDK's own check agrees on this vector.
    expect(sdk.checkNotifySignV2(notify)).toBe(true);
  });

  it('accepts the form-encoded notify: its notify_id dedupes, and a foreign out_trade_no is nothing to act on', () => {
    expect(alipay.verifyWebhook(form(notify), {}, soon)).toEqual({
      ok: true,
      event: { providerEventId: notify.notify_id, type: 'trade_status_sync.TRADE_SUCCESS' },
    });
  });

  it('refuses it changed, signed for SHA-1, unsigned, repeated, or for another app', () => {
    expect(alipay.verifyWebhook(form({ ...notify, total_amount: '100.10' }), {}, soon)).toMatchObject({
      ok: false,
      rejection: 'SIGNATURE_MISMATCH',
    });
    expect(alipay.verifyWebhook(form({ ...notify, sign_type: 'RSA' }), {}, soon)).toMatchObject({
      ok: false,
      rejection: 'SIGNATURE_MALFORMED',
    });
    const { sign: _sign, ...unsigned } = notify;
    expect(alipay.verifyWebhook(form(unsigned), {}, soon)).toMatchObject({
      ok: false,
      rejection: 'SIGNATURE_MISSING',
    });
    const twice = Buffer.concat([form(notify), Buffer.from('&trade_status=TRADE_CLOSED')]);
    expect(alipay.verifyWebhook(twice, {}, soon)).toMatchObject({
      ok: false,
      rejection: 'SIGNATURE_MALFORMED',
    });
    expect(provider('2019073100000000', key).verifyWebhook(form(notify), {}, soon)).toMatchObject({
      ok: false,
      rejection: 'PAYLOAD_MALFORMED',
    });
  });

  it('takes it while Alipay may still redeliver it (about 25 h), not after, nor from the future', () => {
    const hours = (h: number) => new Date(sentAt.getTime() + h * 3_600_000);
    expect(alipay.verifyWebhook(form(notify), {}, hours(25)).ok).toBe(true);
    expect(alipay.verifyWebhook(form(notify), {}, hours(27))).toMatchObject({
      ok: false,
      rejection: 'TIMESTAMP_OUT_OF_TOLERANCE',
    });
    expect(alipay.verifyWebhook(form(notify), {}, hours(-1))).toMatchObject({
      ok: false,
      rejection: 'TIMESTAMP_OUT_OF_TOLERANCE',
    });
  });
});

describe('Alipay gateway message (notify_servicemarket_order.json, signed by the rsaCheckV2 rule)', () => {
  it('is not a trade notify: the rsaCheckV1 verifier refuses it', () => {
    const message = fields('notify_servicemarket_order.json');
    const key = read('alipay-notify-sign-public-key-v2.pem');
    const alipay = provider(message.app_id, key);
    const withSignType = Object.keys(message)
      .filter((name) => name !== 'sign')
      .sort()
      .map((name) => `${name}=${message[name]}`)
      .join('&');
    // The vector itself is good, by its own rule.
    expect(createVerify('RSA-SHA256').update(withSignType, 'utf8').verify(key, message.sign, 'base64')).toBe(
      true,
    );
    expect(alipay.verifyWebhook(form(message), {}, beijingTimeToDate(message.notify_time))).toMatchObject({
      ok: false,
      rejection: 'SIGNATURE_MISMATCH',
    });
  });
});

describe('Alipay v2 answers (sync_response_open_file_upload.json, a real sandbox answer)', () => {
  const vector = JSON.parse(read('sync_response_open_file_upload.json')) as { raw: string };
  let server: Server;
  let body = vector.raw;
  let gateway: string;

  beforeAll(async () => {
    server = createServer((request, response) => {
      request.resume();
      request.on('end', () =>
        response.writeHead(200, { 'content-type': 'text/html;charset=utf-8' }).end(body),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    gateway = `http://127.0.0.1:${(server.address() as AddressInfo).port}/gateway.do`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const client = () =>
    alipaySdk({
      appId: '2021000000000000',
      privateKey: read('app-private-key.pem'),
      alipayPublicKey: read('alipay-public-key.pem'),
      gateway,
      timeoutMs: 2000,
    });

  it('verifies over the raw …_response text with the Alipay public key', async () => {
    body = vector.raw;
    await expect(client().exec('alipay.open.file.upload', {}, { validateSign: true })).resolves.toMatchObject(
      {
        code: '10000',
        file_id: 'CAxAToWB1JsAAAAAAAAAAAAADgSLAQBr',
      },
    );
  });

  it('turns an answer whose sign does not verify into "unavailable", never a result', async () => {
    body = vector.raw.replace('CAxAToWB1Js', 'CAxAToWB1Jt');
    const error = await client()
      .exec('alipay.open.file.upload', {}, { validateSign: true })
      .then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
    const failure = alipayFailure(error);
    expect(failure).toBeInstanceOf(ProviderUnavailableError);
    expect(failure.message).toMatch(/does not verify/);
  });
});

describe('Alipay request signing (the SDK test app key pair)', () => {
  const pkcs1 = read('app-private-key.pem');
  const pkcs8 = createPrivateKey(pkcs1).export({ type: 'pkcs8', format: 'pem' }).toString();
  const appPublicKey = read('app-public-key.pem');

  /** Alipay's check of a request: every parameter but sign, no empty values, sorted, RSA2. */
  function gatewayAccepts(orderString: string): boolean {
    const params = Object.fromEntries(new URLSearchParams(orderString));
    const content = Object.keys(params)
      .filter((name) => name !== 'sign' && params[name] !== '')
      .sort()
      .map((name) => `${name}=${params[name]}`)
      .join('&');
    return createVerify('RSA-SHA256').update(content, 'utf8').verify(appPublicKey, params.sign, 'base64');
  }

  it('reads the key type from the PEM header', () => {
    expect(privateKeyType(pkcs1)).toBe('PKCS1');
    expect(privateKeyType(pkcs8)).toBe('PKCS8');
    expect(() => privateKeyType('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n')).toThrow(
      /PKCS/,
    );
  });

  it.each([
    ['PKCS#1', pkcs1],
    ['PKCS#8', pkcs8],
  ])('signs with a %s key as the gateway verifies it (sign_type signed)', (_format, privateKey) => {
    const sdk = alipaySdk({
      appId: '2021000000000000',
      privateKey,
      alipayPublicKey: read('alipay-public-key.pem'),
      gateway: 'http://127.0.0.1:1/gateway.do',
      timeoutMs: 1000,
    });
    const orderString = sdk.sdkExecute('alipay.fund.auth.order.app.freeze', {
      notify_url: 'http://waybill.invalid/v1/webhooks/payments/alipay',
      bizContent: {
        out_order_no: 'a'.repeat(32),
        amount: '12.34',
        product_code: 'PRE_AUTH_ONLINE',
        order_title: '订单',
      },
    });
    expect(orderString).toContain('sign_type=RSA2');
    expect(gatewayAccepts(orderString)).toBe(true);
    expect(gatewayAccepts(orderString.replace('12.34', '12.35'))).toBe(false);
  });
});
