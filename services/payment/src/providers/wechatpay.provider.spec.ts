import { randomUUID } from 'node:crypto';
import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeWechatPay, merchantOrderNumber } from '@waybill/testing/parties';
import type { PaymentWebhookEvent } from '../domain/payment-outcomes';
import type { AuthorizeRequest, SettleRequest, WebhookParseResult } from './payment-provider';
import { WechatPayOptions, WechatPayPaymentProvider } from './wechatpay.provider';

/*
 * The adapter against FakeWechatPay over real HTTP; a small receiver stands in for the webhook
 * ingress: it verifies each notification with the adapter and answers with its webhookAnswers.
 */

interface Received {
  readonly raw: Buffer;
  readonly headers: IncomingHttpHeaders;
  readonly verdict: WebhookParseResult;
  readonly status: number;
}

let fake: FakeWechatPay;
let receiver: Server;
let received: Received[];
/** The receiver answers the next this many notifications 503, as a service down for a moment. */
let unavailableFor = 0;

function optionsFor(gateway: FakeWechatPay, overrides: Partial<WechatPayOptions> = {}): WechatPayOptions {
  const env = gateway.env();
  return {
    apiBase: env.PAYMENT_WECHATPAY_API_BASE,
    mchId: env.PAYMENT_WECHATPAY_MCH_ID,
    appId: env.PAYMENT_WECHATPAY_APP_ID,
    merchantSerialNo: env.PAYMENT_WECHATPAY_SERIAL_NO,
    merchantPrivateKey: env.PAYMENT_WECHATPAY_PRIVATE_KEY,
    apiV3Key: env.PAYMENT_WECHATPAY_API_V3_KEY,
    publicKeyId: env.PAYMENT_WECHATPAY_PUBLIC_KEY_ID,
    publicKey: env.PAYMENT_WECHATPAY_PUBLIC_KEY,
    notifyUrl: 'http://localhost:3003/v1/webhooks/payments/wechatpay',
    payTimeoutMinutes: Number(env.PAYMENT_WECHATPAY_PAY_TIMEOUT_MINUTES),
    toleranceSeconds: 300,
    timeoutMs: 2000,
    retry: { attempts: 3, initialBackoffMs: 5 },
    ...overrides,
  };
}

let wechat: WechatPayPaymentProvider;

beforeAll(async () => {
  fake = await FakeWechatPay.start();
  wechat = new WechatPayPaymentProvider(optionsFor(fake));
  receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const raw = Buffer.concat(chunks);
      if (unavailableFor > 0) {
        unavailableFor -= 1;
        response.writeHead(503).end();
        return;
      }
      const verdict = wechat.verifyWebhook(raw, request.headers, new Date());
      const answers = wechat.webhookAnswers;
      const ack = verdict.ok ? answers.accepted : answers.refused(verdict);
      received.push({ raw, headers: request.headers, verdict, status: ack.status });
      response.writeHead(ack.status, { 'Content-Type': ack.contentType });
      response.end(typeof ack.body === 'string' ? ack.body : JSON.stringify(ack.body));
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  fake.setNotifyTarget(`http://127.0.0.1:${(receiver.address() as AddressInfo).port}`);
});

beforeEach(() => {
  received = [];
});

afterAll(async () => {
  await fake.stop();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
});

function authorizeRequest(orderId: string, overrides: Partial<AuthorizeRequest> = {}): AuthorizeRequest {
  return {
    orderId,
    paymentId: randomUUID(),
    amount: 100,
    currency: 'CNY',
    paymentMethodRef: 'wechatpay_native',
    idempotencyKey: `${orderId}:authorize`,
    description: 'Waybill 订单',
    ...overrides,
  };
}

function settle(orderId: string, step: string, amount = 100, paymentAmount = 100): SettleRequest {
  return {
    orderId,
    paymentId: randomUUID(),
    providerPaymentRef: merchantOrderNumber(orderId),
    amount,
    currency: 'CNY',
    idempotencyKey: `${orderId}:${step}`,
    paymentAmount,
  };
}

function events(): PaymentWebhookEvent[] {
  return received.flatMap(({ verdict }) => (verdict.ok ? [verdict.event] : []));
}

async function opened(orderId = randomUUID(), amount = 100): Promise<string> {
  const outcome = await wechat.authorize(authorizeRequest(orderId, { amount }));
  expect(outcome.kind).toBe('requires-action');
  return orderId;
}

describe('WechatPayPaymentProvider against FakeWechatPay', () => {
  it('opens a Native trade, the buyer pays, the notification verifies and decrypts into authorized', async () => {
    const orderId = randomUUID();
    const before = Date.now();
    const outcome = await wechat.authorize(authorizeRequest(orderId));
    expect(outcome).toMatchObject({
      kind: 'requires-action',
      providerPaymentRef: merchantOrderNumber(orderId),
      nextAction: { type: 'qr_code', qrCode: expect.stringMatching(/^weixin:\/\/wxpay\/bizpayurl\?pr=/) },
    });
    const expiresAt = (outcome as { expiresAt: Date }).expiresAt.getTime();
    expect(expiresAt).toBeGreaterThan(before + 14 * 60_000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 15 * 60_000);
    const trade = fake.tradeFor(orderId);
    expect(trade).toMatchObject({
      state: 'NOTPAY',
      total: 100,
      currency: 'CNY',
      description: 'Waybill 订单',
    });
    expect(trade?.timeExpire.getTime()).toBe(expiresAt);
    expect(JSON.parse(fake.calls.at(-1)?.body ?? '{}')).toMatchObject({
      time_expire: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/),
      notify_url: 'http://localhost:3003/v1/webhooks/payments/wechatpay',
    });

    await fake.buyerPays(orderId);
    expect(fake.tradeStatus(orderId)).toBe('SUCCESS');
    expect(received.map(({ status }) => status)).toEqual([200]);
    expect(events()).toEqual([
      {
        providerEventId: expect.any(String),
        type: 'TRANSACTION.SUCCESS',
        orderId,
        outcome: { kind: 'authorized', providerPaymentRef: merchantOrderNumber(orderId) },
      },
    ]);
    await expect(wechat.query(settle(orderId, 'query'))).resolves.toEqual({
      kind: 'authorized',
      providerPaymentRef: merchantOrderNumber(orderId),
    });
    // Immediate capture: nothing to collect.
    await expect(wechat.capture(settle(orderId, 'capture'))).resolves.toMatchObject({ kind: 'done' });
    expect(fake.captures()).toEqual([]);
  });

  it('re-reads a stored notification long after its signature went stale', async () => {
    const orderId = await opened();
    await fake.buyerPays(orderId);
    const [first] = received;
    expect(first.verdict.ok).toBe(true);
    expect(wechat.verifyWebhook(first.raw, first.headers, new Date(Date.now() + 3600_000))).toMatchObject({
      rejection: 'TIMESTAMP_OUT_OF_TOLERANCE',
    });
    expect(wechat.readWebhook(first.raw)).toEqual(first.verdict.ok && first.verdict.event);
  });

  it('answers a decline as failed DECLINED with WeChat code', async () => {
    fake.declineNextPayment();
    const orderId = randomUUID();
    await expect(wechat.authorize(authorizeRequest(orderId))).resolves.toMatchObject({
      kind: 'failed',
      reason: 'PAYMENT.DECLINED',
      declineCode: 'TRADE_ERROR',
      message: '交易错误',
    });
    expect(fake.tradeStatus(orderId)).toBeUndefined();
  });

  it('takes CNY only', async () => {
    const calls = fake.calls.length;
    await expect(
      wechat.authorize(authorizeRequest(randomUUID(), { currency: 'EUR' })),
    ).resolves.toMatchObject({
      kind: 'failed',
      reason: 'PAYMENT.INVALID_PAYMENT_METHOD',
    });
    expect(fake.calls).toHaveLength(calls);
  });

  it('never paid: awaiting-buyer, then closed (twice, re-entrant), then failed and unpayable', async () => {
    const orderId = await opened();
    await expect(wechat.query(settle(orderId, 'query'))).resolves.toEqual({ kind: 'awaiting-buyer' });
    await expect(wechat.void(settle(orderId, 'void'))).resolves.toMatchObject({ kind: 'done' });
    expect(fake.tradeStatus(orderId)).toBe('CLOSED');
    await expect(wechat.void(settle(orderId, 'void'))).resolves.toMatchObject({ kind: 'done' });
    await expect(wechat.query(settle(orderId, 'query'))).resolves.toMatchObject({
      kind: 'failed',
      declineCode: 'CLOSED',
    });
    await expect(fake.buyerPays(orderId)).rejects.toThrow(/CLOSED/);
  });

  it('closes even when the answer to the close was lost', async () => {
    const orderId = await opened();
    fake.loseNextAnswer('close');
    await expect(wechat.void(settle(orderId, 'void'))).resolves.toMatchObject({ kind: 'done' });
    expect(
      fake.calls
        .filter((call) => call.url.endsWith('/close'))
        .map((call) => call.lost)
        .slice(-2),
    ).toEqual([true, false]);
  });

  it('cannot close a paid trade: refused ORDERPAID', async () => {
    const orderId = await opened();
    await fake.buyerPays(orderId);
    await expect(wechat.void(settle(orderId, 'void'))).resolves.toMatchObject({
      kind: 'refused',
      code: 'ORDERPAID',
    });
  });

  it('the buyer pays a moment after the close: notified all the same', async () => {
    const orderId = await opened();
    await wechat.void(settle(orderId, 'void'));
    await fake.buyerPaysAfterClose(orderId);
    expect(events().map((event) => event.outcome)).toEqual([
      { kind: 'authorized', providerPaymentRef: merchantOrderNumber(orderId) },
    ]);
  });

  it('enforces time_expire: an unpaid trade past it is closed', async () => {
    // The adapter's clock 57 s behind with a 1-minute timeout: time_expire about 3 s from now.
    const slow = new WechatPayPaymentProvider(
      optionsFor(fake, { payTimeoutMinutes: 1, clock: () => new Date(Date.now() - 57_000) }),
    );
    const orderId = randomUUID();
    await expect(slow.authorize(authorizeRequest(orderId))).resolves.toMatchObject({
      kind: 'requires-action',
    });
    expect(fake.tradeStatus(orderId)).toBe('NOTPAY');
    await new Promise((resolve) => setTimeout(resolve, 3500));
    expect(fake.tradeStatus(orderId)).toBe('CLOSED');
    await expect(fake.buyerPays(orderId)).rejects.toThrow(/CLOSED/);
    await expect(wechat.query(settle(orderId, 'query'))).resolves.toMatchObject({ kind: 'failed' });
  });

  it('a lost notification: the query finds the payment', async () => {
    const orderId = await opened();
    await fake.buyerPays(orderId, 'lose');
    expect(received).toEqual([]);
    await expect(wechat.query(settle(orderId, 'query'))).resolves.toMatchObject({ kind: 'authorized' });
  });

  it('a repeated notification carries the same providerEventId', async () => {
    const orderId = await opened();
    await fake.buyerPays(orderId, 'repeat');
    const ids = events().map((event) => event.providerEventId);
    expect(ids).toHaveLength(2);
    expect(ids[0]).toBe(ids[1]);
  });

  it.each(['tampered', 'stale', 'wrong-key'] as const)(
    'refuses a %s notification with 401 and WeChat FAIL',
    async (spoil) => {
      const orderId = await opened();
      await expect(fake.sendSpoiledNotify(orderId, spoil)).resolves.toEqual({
        status: 401,
        body: JSON.stringify({ code: 'FAIL', message: '失败' }),
      });
      expect(received.map(({ verdict }) => !verdict.ok && verdict.rejection)).toEqual([
        spoil === 'stale' ? 'TIMESTAMP_OUT_OF_TOLERANCE' : 'SIGNATURE_MISMATCH',
      ]);
    },
  );

  it("answers an unreadable (another merchant's) notification 400 FAIL", async () => {
    const orderId = await opened();
    // Another merchant's notification, correctly signed: refused as unreadable for us.
    const other = new WechatPayPaymentProvider(optionsFor(fake, { appId: 'wx0000000000000000' }));
    await fake.buyerPays(orderId);
    const [{ raw, headers }] = received;
    const verdict = other.verifyWebhook(raw, headers, new Date());
    expect(verdict).toMatchObject({ ok: false, rejection: 'PAYLOAD_MALFORMED' });
    expect(other.webhookAnswers.refused(verdict as Extract<typeof verdict, { ok: false }>)).toEqual({
      status: 400,
      contentType: 'application/json; charset=utf-8',
      body: { code: 'FAIL', message: '失败' },
    });
  });

  it('WeChat sends a notification again until it is answered 2xx', async () => {
    const orderId = await opened();
    unavailableFor = 1;
    await fake.buyerPays(orderId);
    expect(fake.notifies.at(-1)?.statuses).toEqual([503, 200]);
    expect(events()).toHaveLength(1);
  });

  it('ignores refund notifications (no outcome)', () => {
    const body = Buffer.from(JSON.stringify({ id: 'EV-1', event_type: 'REFUND.SUCCESS', resource: {} }));
    expect(wechat.readWebhook(body)).toEqual({ providerEventId: 'EV-1', type: 'REFUND.SUCCESS' });
  });

  it('a create re-sent after a lost answer opens one trade and hands back the same QR code', async () => {
    const orderId = randomUUID();
    fake.loseNextAnswer('create');
    const outcome = await wechat.authorize(authorizeRequest(orderId));
    expect(outcome.kind).toBe('requires-action');
    const creates = fake.calls.filter((call) => call.url === '/v3/pay/transactions/native').slice(-2);
    expect(creates.map((call) => call.lost)).toEqual([true, false]);
    expect(creates[0].body).toBe(creates[1].body);
    expect(outcome).toMatchObject({ nextAction: { qrCode: fake.tradeFor(orderId)?.codeUrl } });
  });

  it('re-authorizing a paid trade answers authorized (ORDERPAID)', async () => {
    const orderId = await opened();
    await fake.buyerPays(orderId);
    await expect(wechat.authorize(authorizeRequest(orderId))).resolves.toEqual({
      kind: 'authorized',
      providerPaymentRef: merchantOrderNumber(orderId),
    });
  });

  it('a refund retried after a lost answer is one refund at WeChat', async () => {
    const orderId = await opened();
    await fake.buyerPays(orderId);
    fake.loseNextAnswer('refund');
    await expect(wechat.refund(settle(orderId, 'refund:1'))).resolves.toMatchObject({ kind: 'done' });
    expect(fake.refunds(orderId)).toEqual([100]);
    const refundCalls = fake.calls.filter((call) => call.url === '/v3/refund/domestic/refunds').slice(-2);
    expect(refundCalls.map((call) => call.lost)).toEqual([true, false]);
    expect(JSON.parse(refundCalls[0].body)).toEqual(JSON.parse(refundCalls[1].body));
    // And a later retry of the same step still is.
    await expect(wechat.refund(settle(orderId, 'refund:1'))).resolves.toMatchObject({ kind: 'done' });
    expect(fake.refunds(orderId)).toEqual([100]);
    expect(fake.tradeStatus(orderId)).toBe('REFUND');
    await expect(wechat.query(settle(orderId, 'query'))).resolves.toMatchObject({ kind: 'authorized' });
  });

  it('refunds in parts, stating the whole payment beside each, never more than was paid', async () => {
    const orderId = await opened(randomUUID(), 1000);
    await fake.buyerPays(orderId);
    await expect(wechat.refund(settle(orderId, 'refund:1', 300, 1000))).resolves.toMatchObject({
      kind: 'done',
    });
    await expect(wechat.refund(settle(orderId, 'refund:2', 700, 1000))).resolves.toMatchObject({
      kind: 'done',
    });
    expect(fake.refunds(orderId)).toEqual([300, 700]);
    await expect(wechat.refund(settle(orderId, 'refund:3', 1, 1000))).resolves.toMatchObject({
      kind: 'refused',
      code: 'INVALID_REQUEST',
    });
  });

  it.each(['CLOSED', 'ABNORMAL'] as const)('a refund WeChat answers %s is refused', async (status) => {
    const orderId = await opened();
    await fake.buyerPays(orderId);
    fake.nextRefundStatus = status;
    await expect(wechat.refund(settle(orderId, 'refund:1'))).resolves.toMatchObject({
      kind: 'refused',
      code: status,
    });
    expect(fake.refunds(orderId)).toEqual([]);
  });

  it.each(['signature', 'serial', 'stale', 'unsigned'] as const)(
    'does not trust an answer with a %s problem: it is no answer',
    async (spoil) => {
      const orderId = await opened();
      await fake.buyerPays(orderId, 'lose');
      fake.spoilNextAnswers(spoil, spoil, spoil);
      await expect(wechat.query(settle(orderId, 'query'))).resolves.toMatchObject({
        kind: 'unknown',
        message: expect.stringContaining("not WeChat Pay's"),
      });
      fake.spoilNextAnswers(spoil, spoil, spoil);
      await expect(wechat.authorize(authorizeRequest(randomUUID()))).resolves.toMatchObject({
        kind: 'failed',
        mayHaveSucceeded: true,
      });
      // One spoiled answer, then a good one: the bounded retry gets the real answer.
      fake.spoilNextAnswers(spoil);
      await expect(wechat.query(settle(orderId, 'query'))).resolves.toMatchObject({ kind: 'authorized' });
    },
  );

  it('a forged "declined" is not believed either', async () => {
    fake.declineNextPayment();
    fake.spoilNextAnswers('signature', 'signature', 'signature');
    await expect(wechat.authorize(authorizeRequest(randomUUID()))).resolves.toMatchObject({
      kind: 'failed',
      mayHaveSucceeded: true,
    });
  });

  it('an unreachable WeChat: authorize may have succeeded, query unknown, settlements unavailable', async () => {
    const down = new WechatPayPaymentProvider(
      optionsFor(fake, { apiBase: 'http://127.0.0.1:1', retry: { attempts: 2, initialBackoffMs: 1 } }),
    );
    const orderId = randomUUID();
    await expect(down.authorize(authorizeRequest(orderId))).resolves.toMatchObject({
      kind: 'failed',
      reason: 'PAYMENT.PROVIDER_ERROR',
      providerPaymentRef: merchantOrderNumber(orderId),
      mayHaveSucceeded: true,
    });
    await expect(down.query(settle(orderId, 'query'))).resolves.toMatchObject({ kind: 'unknown' });
    await expect(down.void(settle(orderId, 'void'))).resolves.toMatchObject({ kind: 'unavailable' });
    await expect(down.refund(settle(orderId, 'refund:1'))).resolves.toMatchObject({ kind: 'unavailable' });
  });

  it('a query for a trade WeChat never opened is failed ORDER_NOT_EXIST; its close is done', async () => {
    const orderId = randomUUID();
    await expect(wechat.query(settle(orderId, 'query'))).resolves.toMatchObject({
      kind: 'failed',
      declineCode: 'ORDER_NOT_EXIST',
    });
    await expect(wechat.void(settle(orderId, 'void'))).resolves.toMatchObject({ kind: 'done' });
  });

  it('the fake refuses a request not signed by the merchant key: 401 SIGN_ERROR', async () => {
    const stranger = await FakeWechatPay.start();
    try {
      // Right merchant number and serial, someone else's key.
      const forged = new WechatPayPaymentProvider(
        optionsFor(fake, { merchantPrivateKey: stranger.env().PAYMENT_WECHATPAY_PRIVATE_KEY }),
      );
      await expect(forged.authorize(authorizeRequest(randomUUID()))).resolves.toMatchObject({
        kind: 'failed',
        reason: 'PAYMENT.PROVIDER_ERROR',
        declineCode: 'SIGN_ERROR',
      });
      const otherMerchant = new WechatPayPaymentProvider(optionsFor(fake, { mchId: '1230000109' }));
      await expect(otherMerchant.authorize(authorizeRequest(randomUUID()))).resolves.toMatchObject({
        declineCode: 'SIGN_ERROR',
      });
      expect(fake.calls.at(-1)).toMatchObject({ status: 401 });
    } finally {
      await stranger.stop();
    }
  });
});

describe('FakeWechatPay autoPay (the demo buyer)', () => {
  it('pays each new trade after afterMs unless neverPays says otherwise', async () => {
    const unpaid = randomUUID();
    const auto = await FakeWechatPay.start({ autoPay: { afterMs: 20, neverPays: (id) => id === unpaid } });
    auto.setNotifyTarget(`http://127.0.0.1:${(receiver.address() as AddressInfo).port}`);
    try {
      const adapter = new WechatPayPaymentProvider(optionsFor(auto));
      const paid = randomUUID();
      await adapter.authorize(authorizeRequest(paid));
      await adapter.authorize(authorizeRequest(unpaid));
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(auto.tradeStatus(paid)).toBe('SUCCESS');
      expect(auto.tradeStatus(unpaid)).toBe('NOTPAY');
    } finally {
      await auto.stop();
    }
  });
});
