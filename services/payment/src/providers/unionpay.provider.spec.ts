import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { FakeUnionPay } from '@waybill/testing/parties';
import type { PaymentWebhookEvent } from '../domain/payment-outcomes';
import { AuthorizeRequest, SettleRequest, WebhookParseResult } from './payment-provider';
import { UnionPayOptions, UnionPayPaymentProvider, unionPayOrderId } from './unionpay.provider';

/*
 * The adapter against the fake UnionPay over real HTTP: the fake mints its own CA chain, verifies
 * every request as UnionPay does and signs every answer and notification; the adapter verifies them
 * through that chain. Both share one movable clock, so payTimeout can pass in a test.
 */

interface Received {
  readonly raw: Buffer;
  readonly parsed: WebhookParseResult;
  readonly status: number;
  readonly body: string;
}

const NOTIFY_URL = 'https://waybill.example/v1/webhooks/payments/unionpay';

describe.each(['direct', 'preauth'] as const)(
  'UnionPayPaymentProvider (%s) against the fake UnionPay',
  (mode) => {
    const clock = { now: new Date() };
    let fake: FakeUnionPay;
    let notifyServer: Server;
    let provider: UnionPayPaymentProvider;
    let options: UnionPayOptions;
    const received: Received[] = [];

    beforeAll(async () => {
      fake = await FakeUnionPay.start({ mode, payTimeoutMinutes: 15, clock: () => clock.now });
      const env = fake.env();
      options = {
        merId: env.PAYMENT_UNIONPAY_MER_ID,
        signKey: env.PAYMENT_UNIONPAY_SIGN_KEY,
        signCert: env.PAYMENT_UNIONPAY_SIGN_CERT,
        rootCert: env.PAYMENT_UNIONPAY_ROOT_CERT,
        middleCert: env.PAYMENT_UNIONPAY_MIDDLE_CERT,
        apiBase: env.PAYMENT_UNIONPAY_API_BASE,
        mode,
        payTimeoutMinutes: Number(env.PAYMENT_UNIONPAY_PAY_TIMEOUT_MINUTES),
        notifyUrl: NOTIFY_URL,
        frontUrl: 'https://shop.example/paid',
        timeoutMs: 2000,
        retry: { attempts: 3, initialBackoffMs: 5 },
        pendingQueries: { attempts: 3, initialBackoffMs: 5 },
        clock: () => clock.now,
      };
      provider = new UnionPayPaymentProvider(options);
      // Waybill's webhook endpoint, reduced to the provider's verdict and answers.
      notifyServer = createServer((request, response) => {
        const chunks: Buffer[] = [];
        request.on('data', (chunk: Buffer) => chunks.push(chunk));
        request.on('end', () => {
          const raw = Buffer.concat(chunks);
          const parsed = provider.verifyWebhook(raw, request.headers, clock.now);
          const answers = provider.webhookAnswers;
          const ack = parsed.ok ? answers.accepted : answers.refused(parsed);
          const body = typeof ack.body === 'string' ? ack.body : JSON.stringify(ack.body);
          received.push({ raw, parsed, status: ack.status, body });
          response.writeHead(ack.status, { 'Content-Type': ack.contentType }).end(body);
        });
      });
      await new Promise<void>((resolve) => notifyServer.listen(0, '127.0.0.1', resolve));
      fake.setNotifyTarget(`http://127.0.0.1:${(notifyServer.address() as AddressInfo).port}`);
    });

    afterAll(async () => {
      await fake.stop();
      notifyServer.closeAllConnections();
      await new Promise((resolve) => notifyServer.close(resolve));
    });

    beforeEach(() => {
      clock.now = new Date();
      received.length = 0;
    });

    const authorizeRequest = (orderId: string, amount = 1000, currency = 'CNY'): AuthorizeRequest => ({
      orderId,
      paymentId: randomUUID(),
      amount,
      currency,
      paymentMethodRef: 'unionpay',
      idempotencyKey: `${orderId}:authorize`,
      description: 'Waybill order',
    });

    const settle = (
      orderId: string,
      providerPaymentRef: string | undefined,
      step: string,
      amount = 1000,
      extra: Partial<SettleRequest> = {},
    ): SettleRequest => ({
      orderId,
      paymentId: randomUUID(),
      providerPaymentRef,
      amount,
      currency: 'CNY',
      idempotencyKey: `${orderId}:${step}`,
      paymentAmount: 1000,
      ...extra,
    });

    /** A trade opened by the buyer's browser: authorize, then follow the redirect. */
    async function openTrade(amount = 1000): Promise<{ orderId: string; ref: string; url: string }> {
      const orderId = randomUUID();
      const outcome = await provider.authorize(authorizeRequest(orderId, amount));
      if (outcome.kind !== 'requires-action' || outcome.nextAction?.type !== 'redirect') {
        throw new Error(`expected a redirect, got ${JSON.stringify(outcome)}`);
      }
      const page = await fake.openCashier(outcome.nextAction.url);
      expect(page.status).toBe(200);
      return { orderId, ref: outcome.providerPaymentRef, url: outcome.nextAction.url };
    }

    async function paidTrade(amount = 1000): Promise<{ orderId: string; ref: string }> {
      const trade = await openTrade(amount);
      await fake.buyerPays(trade.orderId);
      return trade;
    }

    /** Verified notifies of one order (the fake also notifies refunds and completions, a moment later). */
    const events = (orderId: string): PaymentWebhookEvent[] =>
      received.flatMap((r) => (r.parsed.ok && r.parsed.event.orderId === orderId ? [r.parsed.event] : []));

    it('authorize builds the signed front form as a redirect URL that expires at payTimeout', async () => {
      const orderId = randomUUID();
      const outcome = await provider.authorize(authorizeRequest(orderId, 1234));
      expect(outcome).toMatchObject({ kind: 'requires-action', nextAction: { type: 'redirect' } });
      if (outcome.kind !== 'requires-action' || outcome.nextAction?.type !== 'redirect') {
        return;
      }
      expect(outcome.providerPaymentRef).toMatch(new RegExp(`^${unionPayOrderId(orderId)}:\\d{14}$`));
      expect(outcome.expiresAt).toEqual(new Date(clock.now.getTime() + 15 * 60_000));
      const url = new URL(outcome.nextAction.url);
      expect(`${url.origin}${url.pathname}`).toBe(`${fake.baseUrl}/gateway/api/frontTransReq.do`);
      expect(Object.fromEntries(url.searchParams)).toMatchObject({
        version: '5.1.0',
        signMethod: '01',
        certId: fake.certId,
        txnType: mode === 'preauth' ? '02' : '01',
        txnSubType: '01',
        bizType: '000201',
        channelType: '07',
        accessType: '0',
        currencyCode: '156',
        txnAmt: '1234',
        orderId: unionPayOrderId(orderId),
        backUrl: NOTIFY_URL,
      });
      expect(provider.captureMode).toBe(mode === 'preauth' ? 'manual' : 'immediate');
    });

    it('refuses any currency but CNY before the buyer sees anything', async () => {
      await expect(provider.authorize(authorizeRequest(randomUUID(), 1000, 'USD'))).resolves.toMatchObject({
        kind: 'failed',
        reason: 'PAYMENT.INVALID_PAYMENT_METHOD',
      });
    });

    it('approve: the buyer pays, a verified notify says authorized with the same ref, and query agrees', async () => {
      const { orderId, ref } = await openTrade();
      expect(fake.tradeStatus(orderId)).toBe('WAITING');
      await fake.buyerPays(orderId);
      expect(events(orderId)).toHaveLength(1);
      expect(received.find((r) => r.parsed.ok && r.parsed.event.orderId === orderId)).toMatchObject({
        status: 200,
        body: 'ok',
      });
      expect(events(orderId)[0]).toMatchObject({
        type: mode === 'preauth' ? 'unionpay.preauth' : 'unionpay.consume',
        orderId,
        outcome: { kind: 'authorized', providerPaymentRef: ref },
      });
      expect(events(orderId)[0].providerEventId).toMatch(/^\d{21}:0[12]$/);
      await expect(provider.query(settle(orderId, ref, 'query'))).resolves.toEqual({
        kind: 'authorized',
        providerPaymentRef: ref,
      });
      expect(fake.tradeStatus(orderId)).toBe('PAID');
    });

    it('decline: the gateway refuses the payment, notifies a failure and query says failed', async () => {
      fake.declineNextPayment();
      const orderId = randomUUID();
      const outcome = await provider.authorize(authorizeRequest(orderId));
      if (outcome.kind !== 'requires-action' || outcome.nextAction?.type !== 'redirect') {
        throw new Error('expected a redirect');
      }
      const page = await fake.openCashier(outcome.nextAction.url);
      expect(page.body).toContain('data-resp-code="64"');
      await waitFor(() => events(orderId).length === 1);
      expect(events(orderId)[0].outcome).toMatchObject({
        kind: 'failed',
        reason: 'PAYMENT.DECLINED',
        declineCode: '64',
        providerPaymentRef: outcome.providerPaymentRef,
      });
      await expect(
        provider.query(settle(orderId, outcome.providerPaymentRef, 'query')),
      ).resolves.toMatchObject({
        kind: 'failed',
        reason: 'PAYMENT.DECLINED',
        declineCode: '64',
      });
    });

    it('never paid: query says awaiting-buyer, then failed once payTimeout has passed; void is done', async () => {
      const { orderId, ref } = await openTrade();
      await expect(provider.query(settle(orderId, ref, 'query'))).resolves.toEqual({
        kind: 'awaiting-buyer',
      });
      clock.now = new Date(clock.now.getTime() + 17 * 60_000);
      await expect(provider.query(settle(orderId, ref, 'query'))).resolves.toMatchObject({
        kind: 'failed',
        reason: 'PAYMENT.TIMED_OUT',
        declineCode: '34',
      });
      await expect(fake.buyerPays(orderId)).rejects.toThrow(/payTimeout/);
      expect(fake.tradeStatus(orderId)).toBe('TIMED_OUT');
      await expect(provider.void(settle(orderId, ref, 'void'))).resolves.toEqual({ kind: 'done' });
    });

    it('a lost notify: query finds the payment authorized', async () => {
      const { orderId, ref } = await openTrade();
      await fake.buyerPays(orderId, 'lose');
      expect(events(orderId)).toHaveLength(0);
      await expect(provider.query(settle(orderId, ref, 'query'))).resolves.toEqual({
        kind: 'authorized',
        providerPaymentRef: ref,
      });
    });

    it.each(['03', '04', '05'] as const)(
      'origRespCode %s is "unknown, ask again"; asked again, it is known',
      async (code) => {
        const { orderId, ref } = await paidTrade();
        fake.unknownNextQuery(code);
        await expect(provider.query(settle(orderId, ref, 'query'))).resolves.toMatchObject({
          kind: 'unknown',
        });
        await expect(provider.query(settle(orderId, ref, 'query'))).resolves.toMatchObject({
          kind: 'authorized',
        });
      },
    );

    it('a repeated notify carries the same providerEventId (the dedupe key)', async () => {
      const { orderId } = await openTrade();
      await fake.buyerPays(orderId, 'repeat');
      const [first, second] = events(orderId);
      expect(events(orderId)).toHaveLength(2);
      expect(second.providerEventId).toBe(first.providerEventId);
    });

    it.each([
      ['tampered', 'SIGNATURE_MISMATCH'],
      ['stale', 'TIMESTAMP_OUT_OF_TOLERANCE'],
      ['wrong-key', 'SIGNATURE_MISMATCH'],
    ] as const)(
      'a %s notify is refused with 400 %s, so UnionPay sends it again',
      async (spoil, rejection) => {
        const { orderId } = await paidTrade();
        const answer = await fake.sendSpoiledNotify(orderId, spoil);
        expect(answer).toEqual({ status: 400, body: `refused: WEBHOOK.${rejection}` });
        expect(received.filter((r) => !r.parsed.ok).at(-1)?.parsed).toMatchObject({ ok: false, rejection });
      },
    );

    it('reads a stored notify again after its certificate has expired (verified at receipt only)', async () => {
      const { orderId, ref } = await paidTrade();
      const stored = received.find((r) => r.parsed.ok && r.parsed.event.orderId === orderId)!.raw;
      const twoYearsOn = new Date(clock.now.getTime() + 2 * 365 * 86_400_000);
      expect(provider.verifyWebhook(stored, {}, twoYearsOn)).toMatchObject({
        ok: false,
        rejection: 'TIMESTAMP_OUT_OF_TOLERANCE',
      });
      expect(provider.readWebhook(stored).outcome).toEqual({ kind: 'authorized', providerPaymentRef: ref });
    });

    it('an answer that does not verify (another UnionPay chain) is no answer: query is unknown', async () => {
      const { orderId, ref } = await paidTrade();
      const fixture = (name: string) => readFileSync(join(__dirname, 'fixtures', 'unionpay', name), 'utf8');
      const distrustful = new UnionPayPaymentProvider({
        ...options,
        rootCert: fixture('acp_test_root.cer'),
        middleCert: fixture('acp_test_middle.cer'),
      });
      await expect(distrustful.query(settle(orderId, ref, 'query'))).resolves.toMatchObject({
        kind: 'unknown',
        message: expect.stringContaining('does not verify'),
      });
    });

    it('the fake refuses a request signed with another key: respCode 11', async () => {
      const { orderId, ref } = await paidTrade();
      const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
        type: 'pkcs8',
        format: 'pem',
      });
      const forger = new UnionPayPaymentProvider({ ...options, signKey: otherKey.toString() });
      await expect(forger.void(settle(orderId, ref, 'void'))).resolves.toMatchObject({ kind: 'unavailable' });
      expect(fake.calls.at(-1)).toMatchObject({ path: '/gateway/api/queryTrans.do', answered: '11' });
    });

    if (mode === 'direct') {
      it('refund retried after a lost answer is one refund at the gateway', async () => {
        const { orderId, ref } = await paidTrade();
        fake.loseNextAnswer('refund');
        const outcome = await provider.refund(settle(orderId, ref, 'refund:1'));
        expect(outcome).toMatchObject({ kind: 'done', providerRef: expect.stringMatching(/^\d{21}$/) });
        const refundCalls = fake.calls.filter((call) => call.fields.txnType === '04');
        expect(refundCalls.map((call) => call.answered)).toEqual(['lost', '00']);
        expect(new Set(refundCalls.map((call) => call.fields.orderId)).size).toBe(1);
        // The saga retrying the step later is still the same refund.
        await expect(provider.refund(settle(orderId, ref, 'refund:1'))).resolves.toMatchObject({
          kind: 'done',
        });
        expect(fake.refunds(orderId)).toEqual([1000]);
      });

      it('partial refunds add up to the payment and no further', async () => {
        const { orderId, ref } = await paidTrade();
        await expect(provider.refund(settle(orderId, ref, 'refund:1', 300))).resolves.toMatchObject({
          kind: 'done',
        });
        await expect(provider.refund(settle(orderId, ref, 'refund:2', 700))).resolves.toMatchObject({
          kind: 'done',
        });
        await expect(provider.refund(settle(orderId, ref, 'refund:3', 1))).resolves.toMatchObject({
          kind: 'refused',
          code: '36',
        });
        expect(fake.refunds(orderId)).toEqual([300, 700]);
      });

      it('a refund answered 05 (accepted, unknown) is queried before it is called done', async () => {
        const { orderId, ref } = await paidTrade();
        fake.unknownNextBackAnswer('05');
        await expect(provider.refund(settle(orderId, ref, 'refund:1', 500))).resolves.toMatchObject({
          kind: 'done',
        });
        expect(fake.refunds(orderId)).toEqual([500]);
      });

      it('void of a paid consume is refused trade_paid (the saga refunds it); a late payment after void is notified', async () => {
        const paid = await paidTrade();
        await expect(provider.void(settle(paid.orderId, paid.ref, 'void'))).resolves.toMatchObject({
          kind: 'refused',
          code: 'trade_paid',
        });
        const open = await openTrade();
        await expect(provider.void(settle(open.orderId, open.ref, 'void'))).resolves.toEqual({
          kind: 'done',
        });
        await fake.buyerPaysAfterClose(open.orderId);
        expect(events(open.orderId)[0].outcome).toEqual({ kind: 'authorized', providerPaymentRef: open.ref });
      });

      it('capture is refused: a direct payment is taken at once', async () => {
        const { orderId, ref } = await paidTrade();
        await expect(provider.capture(settle(orderId, ref, 'capture'))).resolves.toMatchObject({
          kind: 'refused',
        });
        expect(fake.captures(orderId)).toEqual([]);
      });
    } else {
      it('completion after the pre-authorisation, then a refund of the completion by its queryId', async () => {
        const { orderId, ref } = await paidTrade();
        const captured = await provider.capture(settle(orderId, ref, 'capture', 800));
        expect(captured).toMatchObject({ kind: 'done', providerRef: expect.stringMatching(/^\d{21}$/) });
        expect(fake.captures(orderId)).toEqual([800]);
        expect(fake.tradeStatus(orderId)).toBe('COMPLETED');
        const captureRef = captured.kind === 'done' ? captured.providerRef : undefined;
        await expect(
          provider.refund(settle(orderId, ref, 'refund:1', 300, { captureRef })),
        ).resolves.toMatchObject({
          kind: 'done',
        });
        expect(fake.refunds(orderId)).toEqual([300]);
        // Without the completion's queryId there is nothing to refund against.
        await expect(provider.refund(settle(orderId, ref, 'refund:2', 100))).resolves.toMatchObject({
          kind: 'refused',
          code: 'capture_ref_unknown',
        });
      });

      it('a completion whose answer was lost is retried into one completion; over 115 % is refused', async () => {
        const { orderId, ref } = await paidTrade();
        fake.loseNextAnswer('capture');
        await expect(provider.capture(settle(orderId, ref, 'capture', 1000))).resolves.toMatchObject({
          kind: 'done',
        });
        expect(fake.captures(orderId)).toEqual([1000]);
        const other = await paidTrade();
        await expect(
          provider.capture(settle(other.orderId, other.ref, 'capture', 1151)),
        ).resolves.toMatchObject({
          kind: 'refused',
          code: '36',
        });
      });

      it('undo of a pre-authorisation: done, done again, and nothing to complete afterwards', async () => {
        const { orderId, ref } = await paidTrade();
        await expect(provider.void(settle(orderId, ref, 'void'))).resolves.toMatchObject({ kind: 'done' });
        expect(fake.tradeStatus(orderId)).toBe('UNDONE');
        expect(fake.calls.filter((call) => call.fields.txnType === '32')).toHaveLength(1);
        await expect(provider.void(settle(orderId, ref, 'void'))).resolves.toMatchObject({ kind: 'done' });
        await expect(provider.capture(settle(orderId, ref, 'capture'))).resolves.toMatchObject({
          kind: 'refused',
          code: '35',
        });
      });

      it('void of a pre-authorisation the buyer never made sends nothing and is done', async () => {
        const { orderId, ref } = await openTrade();
        const before = fake.calls.length;
        await expect(provider.void(settle(orderId, ref, 'void'))).resolves.toEqual({ kind: 'done' });
        expect(fake.calls.slice(before).map((call) => call.fields.txnType)).toEqual(['00']);
      });
    }
  },
);

async function waitFor(done: () => boolean, ms = 2000): Promise<void> {
  const until = Date.now() + ms;
  while (!done()) {
    if (Date.now() > until) {
      throw new Error('timed out waiting');
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
