import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeAlipay, type FakeAlipayOptions } from '@waybill/testing/parties';
import { AlipayPaymentProvider, requestNumber, yuan } from './alipay.provider';
import type { AuthorizationOutcome } from '../domain/payment-outcomes';
import type { AuthorizeRequest, SettleRequest, WebhookParseResult } from './payment-provider';

/*
 * The adapter against FakeAlipay over real HTTP: the package signs, the fake verifies as Alipay
 * does; the fake signs answers and notifies, the adapter verifies. Notifies reach a small local
 * server that hands each body to verifyWebhook and answers with the adapter's webhookAnswers, as
 * the webhook ingress does.
 */

interface Receiver {
  readonly url: string;
  readonly verdicts: WebhookParseResult[];
  readonly server: Server;
}

async function receiver(provider: () => AlipayPaymentProvider): Promise<Receiver> {
  const verdicts: WebhookParseResult[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const alipay = provider();
      const verdict = alipay.verifyWebhook(Buffer.concat(chunks), request.headers);
      verdicts.push(verdict);
      const answer = verdict.ok ? alipay.webhookAnswers.accepted : alipay.webhookAnswers.refused(verdict);
      response.writeHead(answer.status, { 'content-type': answer.contentType });
      response.end(typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, verdicts, server };
}

interface World {
  readonly fake: FakeAlipay;
  readonly alipay: AlipayPaymentProvider;
  readonly notifies: Receiver;
}

async function world(options: FakeAlipayOptions, attempts = 3): Promise<World> {
  const fake = await FakeAlipay.start(options);
  const env = fake.env();
  const holder: { alipay?: AlipayPaymentProvider } = {};
  const notifies = await receiver(() => holder.alipay!);
  holder.alipay = new AlipayPaymentProvider({
    appId: env.PAYMENT_ALIPAY_APP_ID,
    privateKey: env.PAYMENT_ALIPAY_PRIVATE_KEY,
    alipayPublicKey: env.PAYMENT_ALIPAY_PUBLIC_KEY,
    gateway: env.PAYMENT_ALIPAY_GATEWAY,
    mode: env.PAYMENT_ALIPAY_MODE as 'direct' | 'preauth',
    payTimeoutMinutes: Number(env.PAYMENT_ALIPAY_PAY_TIMEOUT_MINUTES),
    notifyUrl: 'http://waybill.invalid/v1/webhooks/payments/alipay',
    webhookToleranceSeconds: 300,
    timeoutMs: 2000,
    retry: { attempts, initialBackoffMs: 0 },
  });
  fake.setNotifyTarget(notifies.url);
  return { fake, alipay: holder.alipay, notifies };
}

async function stop(w: World): Promise<void> {
  await w.fake.stop();
  w.notifies.server.closeAllConnections();
  await new Promise<void>((resolve) => w.notifies.server.close(() => resolve()));
}

function authorizeRequest(orderId: string, amount = 1234): AuthorizeRequest {
  return {
    orderId,
    paymentId: randomUUID(),
    amount,
    currency: 'CNY',
    paymentMethodRef: 'alipay',
    idempotencyKey: `${orderId}:authorize`,
    description: `Waybill 订单 ${orderId.slice(0, 8)}`,
  };
}

function settle(orderId: string, step: string, amount = 1234, paymentAmount = amount): SettleRequest {
  return {
    orderId,
    paymentId: randomUUID(),
    providerPaymentRef: orderId.replace(/-/g, ''),
    amount,
    currency: 'CNY',
    idempotencyKey: `${orderId}:${step}`,
    paymentAmount,
  };
}

function redirectUrl(outcome: AuthorizationOutcome): string {
  if (outcome.kind !== 'requires-action' || outcome.nextAction?.type !== 'redirect') {
    throw new Error(`expected a redirect, got ${JSON.stringify(outcome)}`);
  }
  return outcome.nextAction.url;
}

function lastEvent(w: World) {
  const verdict = w.notifies.verdicts.at(-1);
  if (!verdict?.ok) {
    throw new Error(`the last notify was refused: ${JSON.stringify(verdict)}`);
  }
  return verdict.event;
}

describe('AlipayPaymentProvider, direct mode (precreate QR code)', () => {
  let w: World;
  beforeEach(async () => {
    w = await world({ mode: 'direct' });
  });
  afterEach(() => stop(w));

  it('approves: a QR code, the buyer pays, the notify verifies into authorized', async () => {
    const orderId = randomUUID();
    const outcome = await w.alipay.authorize(authorizeRequest(orderId));
    const number = orderId.replace(/-/g, '');
    expect(outcome).toMatchObject({
      kind: 'requires-action',
      providerPaymentRef: number,
      nextAction: { type: 'qr_code', qrCode: expect.stringMatching(/^https:\/\/qr\.alipay\.com\//) },
    });
    expect(w.alipay.captureMode).toBe('immediate');
    const precreate = w.fake.calls.find((call) => call.method === 'alipay.trade.precreate')!;
    expect(precreate.biz).toMatchObject({
      out_trade_no: number,
      total_amount: '12.34',
      subject: `Waybill 订单 ${orderId.slice(0, 8)}`,
      timeout_express: '15m',
    });
    expect(precreate.params.notify_url).toBe('http://waybill.invalid/v1/webhooks/payments/alipay');

    await w.fake.buyerPays(orderId);
    expect(w.fake.notifies.at(-1)).toMatchObject({ status: 200, body: 'success' });
    expect(lastEvent(w)).toEqual({
      providerEventId: w.fake.notifies.at(-1)!.fields.notify_id,
      type: 'trade_status_sync.TRADE_SUCCESS',
      orderId,
      outcome: { kind: 'authorized', providerPaymentRef: number },
    });
    expect(await w.alipay.query(settle(orderId, 'query'))).toEqual({
      kind: 'authorized',
      providerPaymentRef: number,
    });
  });

  it('repeats a precreate as the same trade, and one already paid as authorized', async () => {
    const orderId = randomUUID();
    const first = await w.alipay.authorize(authorizeRequest(orderId));
    const second = await w.alipay.authorize(authorizeRequest(orderId));
    expect(second).toEqual({ ...first, expiresAt: expect.any(Date) });
    expect(w.fake.trades.size).toBe(1);
    await w.fake.buyerPays(orderId, 'lose');
    expect(await w.alipay.authorize(authorizeRequest(orderId))).toEqual({
      kind: 'authorized',
      providerPaymentRef: orderId.replace(/-/g, ''),
    });
  });

  it('declines: the gateway refuses the trade with its sub_code', async () => {
    w.fake.declineNextPayment();
    const outcome = await w.alipay.authorize(authorizeRequest(randomUUID()));
    expect(outcome).toMatchObject({
      kind: 'failed',
      reason: 'PAYMENT.DECLINED',
      declineCode: 'ACQ.TOTAL_FEE_EXCEED',
    });
    expect(outcome).not.toHaveProperty('mayHaveSucceeded');
  });

  it('never paid: awaiting-buyer, void closes the trade, then failed; a second void is done', async () => {
    const orderId = randomUUID();
    await w.alipay.authorize(authorizeRequest(orderId));
    expect(await w.alipay.query(settle(orderId, 'query'))).toEqual({ kind: 'awaiting-buyer' });
    expect(await w.alipay.void(settle(orderId, 'void'))).toMatchObject({ kind: 'done' });
    expect(w.fake.tradeStatus(orderId)).toBe('TRADE_CLOSED');
    expect(await w.alipay.query(settle(orderId, 'query'))).toMatchObject({
      kind: 'failed',
      declineCode: 'TRADE_CLOSED',
    });
    expect(await w.alipay.void(settle(orderId, 'void'))).toMatchObject({ kind: 'done' });
  });

  it('voids a trade Alipay never heard of (no scan) as done, and reports it as still awaiting the buyer', async () => {
    const orderId = randomUUID();
    expect(await w.alipay.void(settle(orderId, 'void'))).toMatchObject({ kind: 'done' });
    // Real Alipay creates a precreate trade only when the buyer scans: "no such trade" is "not yet".
    expect(await w.alipay.query(settle(orderId, 'query'))).toEqual({ kind: 'awaiting-buyer' });
  });

  it('refuses to void a paid trade (it must be refunded), and the race of a payment crossing the close is notified', async () => {
    const orderId = randomUUID();
    await w.alipay.authorize(authorizeRequest(orderId));
    await w.alipay.void(settle(orderId, 'void'));
    await w.fake.buyerPaysAfterClose(orderId);
    expect(lastEvent(w).outcome).toEqual({
      kind: 'authorized',
      providerPaymentRef: orderId.replace(/-/g, ''),
    });
    expect(await w.alipay.void(settle(orderId, 'void'))).toMatchObject({
      kind: 'refused',
      code: 'TRADE_SUCCESS',
    });
  });

  it('finds a payment whose notify was lost by query', async () => {
    const orderId = randomUUID();
    await w.alipay.authorize(authorizeRequest(orderId));
    await w.fake.buyerPays(orderId, 'lose');
    expect(w.notifies.verdicts).toHaveLength(0);
    expect(await w.alipay.query(settle(orderId, 'query'))).toMatchObject({ kind: 'authorized' });
  });

  it('gives a repeated notify the same providerEventId (the ingress dedupes on it)', async () => {
    const orderId = randomUUID();
    await w.alipay.authorize(authorizeRequest(orderId));
    await w.fake.buyerPays(orderId, 'repeat');
    const [first, second] = w.notifies.verdicts;
    expect(first.ok && second.ok).toBe(true);
    if (first.ok && second.ok) {
      expect(second.event.providerEventId).toBe(first.event.providerEventId);
    }
  });

  it.each([
    ['tampered', 'SIGNATURE_MISMATCH'],
    ['wrong-key', 'SIGNATURE_MISMATCH'],
    ['stale', 'TIMESTAMP_OUT_OF_TOLERANCE'],
  ] as const)('refuses a %s notify with 400 fail (so Alipay sends it again)', async (spoil, rejection) => {
    const orderId = randomUUID();
    await w.alipay.authorize(authorizeRequest(orderId));
    expect(await w.fake.sendSpoiledNotify(orderId, spoil)).toEqual({ status: 400, body: 'fail' });
    expect(w.notifies.verdicts.at(-1)).toMatchObject({ ok: false, rejection });
  });

  it('refunds once when the answer to the first try is lost, and refunds in part', async () => {
    const orderId = randomUUID();
    await w.alipay.authorize(authorizeRequest(orderId, 10_000));
    await w.fake.buyerPays(orderId);
    w.fake.loseNextAnswer('refund');
    const first = await w.alipay.refund(settle(orderId, 'refund:1', 2550, 10_000));
    expect(first).toEqual({ kind: 'done', providerRef: requestNumber(`${orderId}:refund:1`) });
    const refundCalls = w.fake.calls.filter((call) => call.method === 'alipay.trade.refund');
    expect(refundCalls.map((call) => call.lost)).toEqual([true, false]);
    expect(refundCalls[0].biz).toEqual(refundCalls[1].biz);
    expect(refundCalls[0].biz).toMatchObject({ refund_amount: '25.50' });
    // The saga retrying the same step later: still one refund.
    expect(await w.alipay.refund(settle(orderId, 'refund:1', 2550, 10_000))).toMatchObject({ kind: 'done' });
    expect(w.fake.refunds(orderId)).toEqual([2550]);
    expect(await w.alipay.refund(settle(orderId, 'refund:2', 7450, 10_000))).toMatchObject({ kind: 'done' });
    expect(w.fake.refunds(orderId)).toEqual([2550, 7450]);
    expect(w.fake.tradeStatus(orderId)).toBe('TRADE_CLOSED');
    expect(await w.alipay.refund(settle(orderId, 'refund:3', 1, 10_000))).toMatchObject({
      kind: 'refused',
      code: 'ACQ.TRADE_STATUS_ERROR',
    });
  });

  it('calls a gateway that never answers unavailable, and an authorize then may have succeeded', async () => {
    const orderId = randomUUID();
    w.fake.failNext = 3;
    expect(await w.alipay.authorize(authorizeRequest(orderId))).toMatchObject({
      kind: 'failed',
      reason: 'PAYMENT.PROVIDER_ERROR',
      mayHaveSucceeded: true,
    });
    w.fake.failNext = 3;
    expect(await w.alipay.void(settle(orderId, 'void'))).toMatchObject({ kind: 'unavailable' });
    w.fake.failNext = 3;
    expect(await w.alipay.query(settle(orderId, 'query'))).toMatchObject({ kind: 'unknown' });
    // Fewer failures than attempts: the bounded retry goes through.
    w.fake.failNext = 2;
    expect(await w.alipay.authorize(authorizeRequest(orderId))).toMatchObject({ kind: 'requires-action' });
  });

  it('closes with the next try when the answer of a close is lost', async () => {
    const orderId = randomUUID();
    await w.alipay.authorize(authorizeRequest(orderId));
    w.fake.loseNextAnswer('close');
    expect(await w.alipay.void(settle(orderId, 'void'))).toMatchObject({ kind: 'done' });
    expect(w.fake.tradeStatus(orderId)).toBe('TRADE_CLOSED');
  });

  it('capture of an immediate payment is done without a call', async () => {
    const calls = w.fake.calls.length;
    expect(await w.alipay.capture(settle(randomUUID(), 'capture'))).toEqual({ kind: 'done' });
    expect(w.fake.calls).toHaveLength(calls);
  });

  it('announces a closed trade as canceled and ignores a refund notify', () => {
    const orderId = randomUUID();
    const number = orderId.replace(/-/g, '');
    const body = (fields: Record<string, string>) =>
      Buffer.from(
        new URLSearchParams({
          notify_id: 'n1',
          notify_type: 'trade_status_sync',
          out_trade_no: number,
          ...fields,
        }).toString(),
      );
    expect(w.alipay.readWebhook(body({ trade_status: 'TRADE_CLOSED' })).outcome).toEqual({
      kind: 'canceled',
      providerPaymentRef: number,
    });
    expect(
      w.alipay.readWebhook(body({ trade_status: 'TRADE_SUCCESS', gmt_refund: '2026-12-03 10:00:00' }))
        .outcome,
    ).toBeUndefined();
    expect(w.alipay.readWebhook(body({ trade_status: 'WAIT_BUYER_PAY' })).outcome).toBeUndefined();
  });
});

describe('AlipayPaymentProvider, preauth mode (fund authorisation)', () => {
  let w: World;
  beforeEach(async () => {
    w = await world({ mode: 'preauth', appKeyFormat: 'pkcs1' });
  });
  afterEach(() => stop(w));

  async function authorized(orderId: string, amount = 20_000): Promise<void> {
    w.fake.buyerOpens(redirectUrl(await w.alipay.authorize(authorizeRequest(orderId, amount))));
    await w.fake.buyerPays(orderId);
  }

  it('authorizes by the freeze notify, and captures with auth_no (COMPLETE releases the rest)', async () => {
    const orderId = randomUUID();
    const number = orderId.replace(/-/g, '');
    const outcome = await w.alipay.authorize(authorizeRequest(orderId, 20_000));
    expect(w.alipay.captureMode).toBe('manual');
    expect(outcome).toMatchObject({
      kind: 'requires-action',
      providerPaymentRef: number,
      nextAction: { type: 'redirect', url: expect.stringContaining(`${w.fake.gatewayUrl}?`) },
    });
    expect(w.fake.calls).toHaveLength(0);
    const freeze = w.fake.buyerOpens(redirectUrl(outcome));
    expect(freeze).toMatchObject({ outOrderNo: number, amountFen: 20_000, status: 'INIT' });
    expect(await w.alipay.query(settle(orderId, 'query', 20_000))).toEqual({ kind: 'awaiting-buyer' });

    await w.fake.buyerPays(orderId);
    expect(w.fake.notifies.at(-1)).toMatchObject({ status: 200, body: 'success' });
    expect(lastEvent(w)).toMatchObject({
      type: 'fund_auth_freeze.SUCCESS',
      orderId,
      outcome: { kind: 'authorized', providerPaymentRef: number },
    });
    expect(await w.alipay.query(settle(orderId, 'query', 20_000))).toEqual({
      kind: 'authorized',
      providerPaymentRef: number,
    });

    expect(await w.alipay.capture(settle(orderId, 'capture', 15_000, 20_000))).toMatchObject({
      kind: 'done',
    });
    const pay = w.fake.calls.find((call) => call.method === 'alipay.trade.pay')!;
    expect(pay.biz).toMatchObject({
      out_trade_no: number,
      total_amount: '150.00',
      product_code: 'PRE_AUTH_ONLINE',
      auth_no: freeze.authNo,
      auth_confirm_mode: 'COMPLETE',
    });
    expect(w.fake.captures(orderId)).toEqual([15_000]);
    expect(w.fake.freezes.get(number)).toMatchObject({ status: 'FINISH', restFen: 0, payFen: 15_000 });
    expect(w.fake.tradeStatus(orderId)).toBe('TRADE_SUCCESS');
    // A capture retried after its answer was lost is the same trade.
    expect(await w.alipay.capture(settle(orderId, 'capture', 15_000, 20_000))).toMatchObject({
      kind: 'done',
    });
    expect(w.fake.captures(orderId)).toEqual([15_000]);
    // Refunds work on the captured trade.
    expect(await w.alipay.refund(settle(orderId, 'refund:1', 5000, 15_000))).toMatchObject({ kind: 'done' });
    expect(w.fake.refunds(orderId)).toEqual([5000]);
  });

  it('captures once when the answer of trade.pay is lost', async () => {
    const orderId = randomUUID();
    await authorized(orderId);
    w.fake.loseNextAnswer('capture');
    expect(await w.alipay.capture(settle(orderId, 'capture', 20_000))).toMatchObject({ kind: 'done' });
    expect(w.fake.captures(orderId)).toEqual([20_000]);
  });

  it('voids an authorised freeze by unfreezing what is left, once, with a stable out_request_no', async () => {
    const orderId = randomUUID();
    await authorized(orderId);
    w.fake.loseNextAnswer('close');
    expect(await w.alipay.void(settle(orderId, 'void', 20_000))).toMatchObject({ kind: 'done' });
    const unfreezes = w.fake.calls.filter((call) => call.method === 'alipay.fund.auth.order.unfreeze');
    expect(unfreezes.map((call) => call.lost)).toEqual([true, false]);
    expect(unfreezes[0].biz).toMatchObject({
      out_request_no: requestNumber(`${orderId}:void`),
      amount: '200.00',
    });
    const freeze = w.fake.freezes.get(orderId.replace(/-/g, ''))!;
    expect([...freeze.unfreezes.values()]).toEqual([20_000]);
    expect(w.fake.tradeStatus(orderId)).toBe('CLOSED');
    expect(await w.alipay.void(settle(orderId, 'void', 20_000))).toMatchObject({ kind: 'done' });
    expect(await w.alipay.query(settle(orderId, 'query', 20_000))).toMatchObject({
      kind: 'failed',
      declineCode: 'CLOSED',
    });
  });

  it('voids a freeze the buyer never confirmed (or never opened) by cancelling it', async () => {
    const opened = randomUUID();
    w.fake.buyerOpens(redirectUrl(await w.alipay.authorize(authorizeRequest(opened))));
    expect(await w.alipay.void(settle(opened, 'void'))).toMatchObject({ kind: 'done' });
    expect(w.fake.tradeStatus(opened)).toBe('CLOSED');
    await expect(w.fake.buyerPays(opened)).rejects.toThrow(/CLOSED/);

    const unopened = randomUUID();
    const never = redirectUrl(await w.alipay.authorize(authorizeRequest(unopened)));
    expect(await w.alipay.void(settle(unopened, 'void'))).toMatchObject({ kind: 'done' });
    expect(w.fake.calls.at(-1)?.method).toBe('alipay.fund.auth.operation.cancel');
    // The buyer opening it after the cancel is turned away.
    expect(() => w.fake.buyerOpens(never)).toThrow(/撤销/);
  });

  it('refuses to capture a freeze that was never authorised, and to void a captured one', async () => {
    const orderId = randomUUID();
    const outcome = await w.alipay.authorize(authorizeRequest(orderId));
    expect(await w.alipay.capture(settle(orderId, 'capture'))).toMatchObject({ kind: 'refused' });
    w.fake.buyerOpens(redirectUrl(outcome));
    await w.fake.buyerPays(orderId);
    // More than was frozen is Alipay's refusal.
    expect(await w.alipay.capture(settle(orderId, 'capture', 1235))).toMatchObject({ kind: 'refused' });
    expect(await w.alipay.capture(settle(orderId, 'capture'))).toMatchObject({ kind: 'done' });
    expect(await w.alipay.void(settle(orderId, 'void'))).toMatchObject({
      kind: 'refused',
      code: 'order_status_FINISH',
    });
  });

  it('a declined freeze reads as closed', async () => {
    const orderId = randomUUID();
    const outcome = await w.alipay.authorize(authorizeRequest(orderId));
    w.fake.declineNextPayment();
    w.fake.buyerOpens(redirectUrl(outcome));
    expect(await w.alipay.query(settle(orderId, 'query'))).toMatchObject({
      kind: 'failed',
      declineCode: 'CLOSED',
    });
  });

  it('reads a capture trade notify as captured', () => {
    const number = randomUUID().replace(/-/g, '');
    const body = new URLSearchParams({
      notify_id: 'n2',
      notify_type: 'trade_status_sync',
      out_trade_no: number,
      trade_status: 'TRADE_SUCCESS',
    });
    expect(w.alipay.readWebhook(Buffer.from(body.toString())).outcome).toEqual({
      kind: 'captured',
      providerPaymentRef: number,
    });
  });
});

describe('AlipayPaymentProvider against a gateway that never answers', () => {
  it('reports a timeout as TIMED_OUT that may have succeeded, and a query as unknown', async () => {
    const hanging = createServer(() => undefined);
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    const port = (hanging.address() as AddressInfo).port;
    const fake = await FakeAlipay.start();
    const env = fake.env();
    await fake.stop();
    try {
      const alipay = new AlipayPaymentProvider({
        appId: env.PAYMENT_ALIPAY_APP_ID,
        privateKey: env.PAYMENT_ALIPAY_PRIVATE_KEY,
        alipayPublicKey: env.PAYMENT_ALIPAY_PUBLIC_KEY,
        gateway: `http://127.0.0.1:${port}/gateway.do`,
        mode: 'direct',
        payTimeoutMinutes: 15,
        notifyUrl: 'http://waybill.invalid/v1/webhooks/payments/alipay',
        webhookToleranceSeconds: 300,
        timeoutMs: 200,
        retry: { attempts: 2, initialBackoffMs: 0 },
      });
      const orderId = randomUUID();
      expect(await alipay.authorize(authorizeRequest(orderId))).toMatchObject({
        kind: 'failed',
        reason: 'PAYMENT.TIMED_OUT',
        mayHaveSucceeded: true,
        message: expect.stringContaining('2 attempt(s)'),
      });
      expect(await alipay.query(settle(orderId, 'query'))).toMatchObject({ kind: 'unknown' });
      expect(await alipay.refund(settle(orderId, 'refund:1'))).toMatchObject({ kind: 'unavailable' });
    } finally {
      hanging.closeAllConnections();
      await new Promise<void>((resolve) => hanging.close(() => resolve()));
    }
  }, 30_000);
});

describe('Alipay amounts', () => {
  it('writes fen as yuan strings by digits, never through a float', () => {
    expect(yuan(1, 'CNY')).toEqual({ ok: true, yuan: '0.01' });
    expect(yuan(10, 'CNY')).toEqual({ ok: true, yuan: '0.10' });
    expect(yuan(1999, 'CNY')).toEqual({ ok: true, yuan: '19.99' });
    // 0.1 + 0.2 in floating point is 0.30000000000000004 yuan.
    expect(yuan(10 + 20, 'CNY')).toEqual({ ok: true, yuan: '0.30' });
    expect(yuan(100_000_000_00, 'CNY')).toEqual({ ok: true, yuan: '100000000.00' });
    expect(yuan(100_000_000_01, 'CNY').ok).toBe(false);
    expect(yuan(0, 'CNY').ok).toBe(false);
    expect(yuan(12.5, 'CNY').ok).toBe(false);
    expect(yuan(100, 'USD').ok).toBe(false);
  });
});
