import {
  createSign,
  createVerify,
  generateKeyPairSync,
  KeyObject,
  randomBytes,
  randomInt,
} from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { FakePaymentGateway, merchantOrderNumber } from './fake-payment-gateway';
import { closeLocal, listenLocal, readBody } from './local-http-party';

/**
 * A stand-in for Alipay's OpenAPI v2 gateway (`/gateway.do`), over real HTTP, speaking its wire
 * format: the common parameters in the query string and `biz_content` in a form body, every
 * request's RSA2 signature checked as the gateway checks it (all parameters but `sign`, empty
 * values dropped, sorted, `k=v&…`, SHA256withRSA with the app's public key; `sign_type` is
 * signed), answers `{"<method>_response":{…},"sign":"…"}` signed over the raw `…_response` JSON
 * text with Alipay's own key (written with `\/` as Alipay writes it, so a client that
 * re-serialises before verifying fails), and form-encoded async notifies signed by the rsaCheckV1
 * rule (without `sign` and `sign_type`). It generates its own Alipay key pair and the merchant's
 * (app) key pair: env() hands Waybill the app private key and the Alipay public key.
 * Hand-written on node:http and node:crypto, never on the `alipay-sdk` package the adapter uses:
 * the fake plays Alipay, so a mistake the two shared would pass every test (a dependency-cruiser
 * rule, parties-share-no-vendor-code, keeps it so).
 *
 * What it keeps:
 *   trades        alipay.trade.precreate (same out_trade_no, same amount → the same trade),
 *                 .query, .close (WAIT_BUYER_PAY only), .refund (out_request_no: once per number),
 *                 .pay with auth_no (capturing a fund authorisation)
 *   fund auth     the buyer opens the app freeze order string (GET /gateway.do?<orderStr>, or
 *                 buyerOpens(url)) → INIT; buyerPays → AUTHORIZED + a fund_auth_freeze notify;
 *                 alipay.fund.auth.operation.detail.query, .order.unfreeze (out_request_no: once
 *                 per number), .operation.cancel (also for one never opened: opening it later fails)
 * Simplifications, said so: a precreated trade exists (WAIT_BUYER_PAY) from the precreate on,
 * where real Alipay creates it only when the buyer scans the code (until then its trade.query and
 * trade.close answer ACQ.TRADE_NOT_EXIST); unpaid trades and freezes close at their
 * timeout_express, counted from the precreate / the opening. The fund_auth_freeze notify's fields
 * and the fund-auth "no such order" sub_code (AUTH_ORDER_NOT_EXIST) are not confirmed against
 * Alipay's documents.
 */
export interface FakeAlipayOptions {
  /** What env() asks of Waybill: `direct` (precreate QR) or `preauth` (fund authorisation). */
  readonly mode?: 'direct' | 'preauth';
  readonly payTimeoutMinutes?: number;
  /** How env() writes the app private key: PKCS#8 (`PRIVATE KEY`, Alipay's key tool) or PKCS#1. */
  readonly appKeyFormat?: 'pkcs8' | 'pkcs1';
  /** For the demo: the buyer "scans" this long after the trade opens, unless neverPays says not. */
  readonly autoPay?: { readonly afterMs: number; readonly neverPays?: (orderId: string) => boolean };
}

export interface FakeAlipayCall {
  readonly method: string;
  /** Every request parameter, query and body together, as received. */
  readonly params: Readonly<Record<string, string>>;
  readonly biz: Readonly<Record<string, unknown>>;
  /** The answer's `code` (10000, 40002, 40004, …). */
  readonly code: string;
  readonly subCode?: string;
  readonly lost: boolean;
}

export interface FakeAlipayNotify {
  readonly fields: Readonly<Record<string, string>>;
  readonly status: number;
  readonly body: string;
}

export interface FakeAlipayTrade {
  readonly outTradeNo: string;
  readonly tradeNo: string;
  readonly totalFen: number;
  readonly subject: string;
  readonly qrCode: string;
  status: 'WAIT_BUYER_PAY' | 'TRADE_SUCCESS' | 'TRADE_FINISHED' | 'TRADE_CLOSED';
  readonly notifyUrl?: string;
  readonly expiresAtMs: number;
  readonly createdAtMs: number;
  paidAtMs?: number;
  readonly authNo?: string;
  /** out_request_no → refunded fen. */
  readonly refunds: Map<string, number>;
}

export interface FakeAlipayFreeze {
  readonly outOrderNo: string;
  readonly outRequestNo: string;
  readonly authNo: string;
  readonly operationId: string;
  readonly amountFen: number;
  restFen: number;
  payFen: number;
  status: 'INIT' | 'AUTHORIZED' | 'FINISH' | 'CLOSED';
  readonly orderTitle: string;
  readonly notifyUrl?: string;
  readonly expiresAtMs: number;
  readonly createdAtMs: number;
  authorizedAtMs?: number;
  /** out_request_no → unfrozen fen. */
  readonly unfreezes: Map<string, number>;
}

interface Reply {
  readonly content: Record<string, unknown>;
}

type LoseOperation = 'refund' | 'close' | 'query' | 'capture';

const LOST_METHODS: Readonly<Record<LoseOperation, readonly string[]>> = {
  refund: ['alipay.trade.refund'],
  close: ['alipay.trade.close', 'alipay.fund.auth.order.unfreeze', 'alipay.fund.auth.operation.cancel'],
  query: ['alipay.trade.query', 'alipay.fund.auth.operation.detail.query'],
  capture: ['alipay.trade.pay'],
};

const BUYER_ID = '2088102177846880';
const SELLER_ID = '2088621955048271';
const HOUR_MS = 3_600_000;

export class FakeAlipay implements FakePaymentGateway {
  readonly provider = 'alipay';
  readonly calls: FakeAlipayCall[] = [];
  readonly notifies: FakeAlipayNotify[] = [];
  readonly trades = new Map<string, FakeAlipayTrade>();
  readonly freezes = new Map<string, FakeAlipayFreeze>();
  /** Fund authorisations cancelled before the buyer ever opened them (out_order_no). */
  private readonly cancelledUnopened = new Set<string>();
  private readonly lose = new Set<LoseOperation>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private declineNext = false;
  private notifyTarget?: string;
  private otherKey?: KeyObject;
  /** Answer the next N requests with HTTP 502 (to exercise bounded retries). */
  failNext = 0;

  private constructor(
    private readonly server: Server,
    readonly baseUrl: string,
    readonly appId: string,
    private readonly alipayPrivateKey: KeyObject,
    readonly alipayPublicKeyPem: string,
    private readonly appPublicKey: KeyObject,
    readonly appPrivateKeyPem: string,
    private readonly options: FakeAlipayOptions,
  ) {}

  static async start(options: FakeAlipayOptions = {}): Promise<FakeAlipay> {
    const alipay = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const app = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const appPrivateKeyPem = app.privateKey
      .export({ type: options.appKeyFormat === 'pkcs1' ? 'pkcs1' : 'pkcs8', format: 'pem' })
      .toString();
    const alipayPublicKeyPem = alipay.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const holder: { fake?: FakeAlipay } = {};
    const { server, baseUrl } = await listenLocal(async (request, response) => {
      // Requests arrive only after listen() resolved, by when the holder is filled.
      await holder.fake?.handle(request, response);
    });
    const appId = `2021${String(randomInt(0, 1e12)).padStart(12, '0')}`;
    holder.fake = new FakeAlipay(
      server,
      baseUrl,
      appId,
      alipay.privateKey,
      alipayPublicKeyPem,
      app.publicKey,
      appPrivateKeyPem,
      options,
    );
    return holder.fake;
  }

  get gatewayUrl(): string {
    return `${this.baseUrl}/gateway.do`;
  }

  env(): Record<string, string> {
    return {
      PAYMENT_ALIPAY_APP_ID: this.appId,
      PAYMENT_ALIPAY_PRIVATE_KEY: this.appPrivateKeyPem,
      PAYMENT_ALIPAY_PUBLIC_KEY: this.alipayPublicKeyPem,
      PAYMENT_ALIPAY_GATEWAY: this.gatewayUrl,
      PAYMENT_ALIPAY_MODE: this.options.mode ?? 'direct',
      PAYMENT_ALIPAY_PAY_TIMEOUT_MINUTES: String(this.options.payTimeoutMinutes ?? 15),
    };
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) {
      clearTimeout(timer);
    }
    this.timers.clear();
    await closeLocal(this.server);
  }

  setNotifyTarget(baseUrl: string): void {
    this.notifyTarget = baseUrl.replace(/\/+$/, '');
  }

  declineNextPayment(): void {
    this.declineNext = true;
  }

  loseNextAnswer(operation: LoseOperation): void {
    this.lose.add(operation);
  }

  tradeStatus(orderId: string): string | undefined {
    const number = merchantOrderNumber(orderId);
    const trade = this.trades.get(number);
    if (trade) {
      this.expire(trade);
      return trade.status;
    }
    const freeze = this.freezes.get(number);
    if (freeze) {
      this.expireFreeze(freeze);
      return freeze.status;
    }
    return this.cancelledUnopened.has(number) ? 'CLOSED' : undefined;
  }

  refunds(orderId: string): readonly number[] {
    return [...(this.trades.get(merchantOrderNumber(orderId))?.refunds.values() ?? [])];
  }

  captures(orderId: string): readonly number[] {
    const trade = this.trades.get(merchantOrderNumber(orderId));
    return trade?.authNo ? [trade.totalFen] : [];
  }

  /**
   * The buyer's Alipay app submits the order string of an app freeze (the adapter's redirect
   * URL): checked as the gateway checks a request, then the authorisation waits for the buyer.
   */
  buyerOpens(url: string): FakeAlipayFreeze {
    const params = Object.fromEntries(new URL(url).searchParams);
    const opened = this.openFreeze(params);
    if ('error' in opened) {
      throw new Error(`fake Alipay refuses the order string: ${opened.error}`);
    }
    return opened.freeze;
  }

  async buyerPays(orderId: string, notify: 'deliver' | 'lose' | 'repeat' = 'deliver'): Promise<void> {
    const number = merchantOrderNumber(orderId);
    const trade = this.trades.get(number);
    const freeze = this.freezes.get(number);
    let fields: Record<string, string>;
    let notifyUrl: string | undefined;
    if (trade && !trade.authNo) {
      this.expire(trade);
      if (trade.status !== 'WAIT_BUYER_PAY') {
        throw new Error(`fake Alipay: trade ${number} is ${trade.status}, the buyer cannot pay it`);
      }
      this.pay(trade);
      fields = this.tradeNotifyFields(trade);
      notifyUrl = trade.notifyUrl;
    } else if (freeze) {
      this.expireFreeze(freeze);
      if (freeze.status !== 'INIT') {
        throw new Error(`fake Alipay: fund authorisation ${number} is ${freeze.status}`);
      }
      this.authorizeFreeze(freeze);
      fields = this.freezeNotifyFields(freeze);
      notifyUrl = freeze.notifyUrl;
    } else {
      throw new Error(
        `fake Alipay has no open trade for order ${orderId}` +
          (this.options.mode === 'preauth' ? ' (a fund authorisation must be opened: buyerOpens(url))' : ''),
      );
    }
    if (notify === 'lose') {
      return;
    }
    await this.sendNotify(notifyUrl, this.signNotify(fields));
    if (notify === 'repeat') {
      await this.sendNotify(notifyUrl, this.signNotify(fields));
    }
  }

  async buyerPaysAfterClose(orderId: string): Promise<void> {
    const number = merchantOrderNumber(orderId);
    const trade = this.trades.get(number);
    const freeze = this.freezes.get(number);
    if (trade && !trade.authNo) {
      // The buyer's payment crossed the close: Alipay took the money all the same.
      this.pay(trade);
      await this.sendNotify(trade.notifyUrl, this.signNotify(this.tradeNotifyFields(trade)));
      return;
    }
    if (freeze) {
      this.authorizeFreeze(freeze);
      await this.sendNotify(freeze.notifyUrl, this.signNotify(this.freezeNotifyFields(freeze)));
      return;
    }
    throw new Error(`fake Alipay has no trade for order ${orderId}`);
  }

  async sendSpoiledNotify(
    orderId: string,
    spoil: 'tampered' | 'stale' | 'wrong-key',
  ): Promise<{ readonly status: number; readonly body: string }> {
    const number = merchantOrderNumber(orderId);
    const trade = this.trades.get(number);
    const freeze = this.freezes.get(number);
    let fields: Record<string, string>;
    let notifyUrl: string | undefined;
    if (freeze && !trade) {
      fields = this.freezeNotifyFields({ ...freeze, status: 'AUTHORIZED', authorizedAtMs: Date.now() });
      notifyUrl = freeze.notifyUrl;
    } else {
      const base: FakeAlipayTrade = trade ?? {
        outTradeNo: number,
        tradeNo: tradeNumber(),
        totalFen: 1,
        subject: 'spoiled',
        qrCode: '',
        status: 'WAIT_BUYER_PAY',
        expiresAtMs: Date.now() + HOUR_MS,
        createdAtMs: Date.now(),
        refunds: new Map(),
      };
      fields = this.tradeNotifyFields({ ...base, status: 'TRADE_SUCCESS', paidAtMs: Date.now() });
      notifyUrl = base.notifyUrl;
    }
    if (spoil === 'stale') {
      fields.notify_time = alipayTime(Date.now() - 72 * HOUR_MS);
    }
    const signed = this.signNotify(fields, spoil === 'wrong-key' ? this.wrongKey() : this.alipayPrivateKey);
    if (spoil === 'tampered') {
      const key = 'total_amount' in signed ? 'total_amount' : 'amount';
      signed[key] = signed[key] === '0.01' ? '0.02' : '0.01';
    }
    return this.sendNotify(notifyUrl, signed);
  }

  /** Signs a notify's fields as Alipay does (rsaCheckV1: without sign and sign_type). */
  signNotify(fields: Record<string, string>, key: KeyObject = this.alipayPrivateKey): Record<string, string> {
    const unsigned = { ...fields, sign_type: 'RSA2' };
    return { ...unsigned, sign: rsaSign(alipaySignContent(unsigned, ['sign', 'sign_type']), key) };
  }

  /** POSTs a notify form as Alipay does; answers what Waybill said. */
  async sendNotify(
    notifyUrl: string | undefined,
    fields: Record<string, string>,
  ): Promise<{ readonly status: number; readonly body: string }> {
    const url = this.notifyUrlFor(notifyUrl);
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
      body: new URLSearchParams(fields).toString(),
    });
    const body = await response.text();
    this.notifies.push({ fields, status: response.status, body });
    return { status: response.status, body };
  }

  private notifyUrlFor(notifyUrl: string | undefined): string {
    const path = notifyUrl ? new URL(notifyUrl).pathname : '/v1/webhooks/payments/alipay';
    if (this.notifyTarget) {
      return `${this.notifyTarget}${path}`;
    }
    if (!notifyUrl) {
      throw new Error('fake Alipay knows no notify URL: call setNotifyTarget()');
    }
    return notifyUrl;
  }

  private wrongKey(): KeyObject {
    this.otherKey ??= generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    return this.otherKey;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(request);
    const url = new URL(request.url ?? '/', 'http://x');
    if (url.pathname !== '/gateway.do') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const params: Record<string, string> = {};
    let duplicate = false;
    const add = (entries: URLSearchParams) => {
      for (const [key, value] of entries) {
        duplicate ||= key in params;
        params[key] = value;
      }
    };
    add(url.searchParams);
    if (request.method === 'POST') {
      const type = request.headers['content-type'] ?? '';
      if (!type.startsWith('application/x-www-form-urlencoded')) {
        response.writeHead(415, { 'content-type': 'text/plain' }).end('form bodies only');
        return;
      }
      add(new URLSearchParams(body));
    }
    if (this.failNext > 0) {
      this.failNext -= 1;
      response.writeHead(502, { 'content-type': 'text/html' }).end('<html>502 Bad Gateway</html>');
      return;
    }
    if (request.method === 'GET') {
      // The buyer's app opening an order string (app freeze).
      const opened = duplicate ? { error: 'a parameter given twice' } : this.openFreeze(params);
      const ok = !('error' in opened);
      response
        .writeHead(ok ? 200 : 400, { 'content-type': 'text/html; charset=utf-8' })
        .end(ok ? '<html>请在支付宝中确认授权</html>' : `<html>${opened.error}</html>`);
      return;
    }
    const method = params.method ?? '';
    const responseKey = `${(method || 'error').replace(/\./g, '_')}_response`;
    const { content } = duplicate
      ? invalid('isv.invalid-parameter', '参数重复')
      : this.answer(method, params);
    const lostOperation = (Object.keys(LOST_METHODS) as LoseOperation[]).find(
      (operation) => this.lose.has(operation) && LOST_METHODS[operation].includes(method),
    );
    const code = String(content.code);
    this.calls.push({
      method,
      params,
      biz: safeJson(params.biz_content) ?? {},
      code,
      subCode: content.sub_code as string | undefined,
      lost: lostOperation !== undefined && code === '10000',
    });
    if (lostOperation !== undefined && code === '10000') {
      // Carried out, but the answer never arrives.
      this.lose.delete(lostOperation);
      response.socket?.destroy();
      return;
    }
    const json = JSON.stringify(content).replace(/\//g, '\\/');
    const sign = rsaSign(json, this.alipayPrivateKey);
    response.writeHead(200, { 'content-type': 'text/html;charset=utf-8' });
    response.end(`{"${responseKey}":${json},"sign":"${sign}"}`);
  }

  /** Checks the common parameters and the signature as the gateway does, then runs the method. */
  private answer(method: string, params: Record<string, string>): Reply {
    if (!method) {
      return missing('isv.missing-method', '缺少方法名参数');
    }
    if (!params.sign) {
      return missing('isv.missing-signature', '缺少签名参数');
    }
    if (params.app_id !== this.appId) {
      return invalid('isv.invalid-app-id', '无效的AppID参数');
    }
    if (params.sign_type !== 'RSA2') {
      return invalid('isv.invalid-signature-type', '无效的签名类型参数');
    }
    if ((params.charset ?? 'utf-8').toLowerCase() !== 'utf-8') {
      return invalid('isv.invalid-charset', '字符集错误');
    }
    if (!/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/.test(params.timestamp ?? '')) {
      return invalid('isv.invalid-timestamp', '非法的时间戳参数');
    }
    const content = alipaySignContent(params, ['sign']);
    if (!rsaVerify(content, params.sign, this.appPublicKey)) {
      return invalid(
        'isv.invalid-signature',
        `验签出错，建议检查签名字符串或签名私钥与应用公钥是否匹配，网关生成的验签字符串为：${content}`,
      );
    }
    const biz = safeJson(params.biz_content);
    if (!biz) {
      return invalid('isv.invalid-parameter', 'biz_content 不是 JSON');
    }
    switch (method) {
      case 'alipay.trade.precreate':
        return this.precreate(biz, params.notify_url);
      case 'alipay.trade.query':
        return this.queryTrade(biz);
      case 'alipay.trade.close':
        return this.closeTrade(biz);
      case 'alipay.trade.refund':
        return this.refundTrade(biz);
      case 'alipay.trade.pay':
        return this.payWithAuth(biz);
      case 'alipay.fund.auth.operation.detail.query':
        return this.queryFreeze(biz);
      case 'alipay.fund.auth.order.unfreeze':
        return this.unfreeze(biz);
      case 'alipay.fund.auth.operation.cancel':
        return this.cancelFreeze(biz);
      default:
        return invalid('isv.invalid-method', `不存在的方法名 ${method}`);
    }
  }

  private precreate(biz: Record<string, unknown>, notifyUrl: string | undefined): Reply {
    const outTradeNo = text(biz.out_trade_no);
    const totalFen = yuanToFen(text(biz.total_amount));
    const subject = text(biz.subject);
    if (!/^[A-Za-z0-9_]{1,64}$/.test(outTradeNo) || totalFen === undefined || !subject) {
      return failed('ACQ.INVALID_PARAMETER', '参数无效');
    }
    const existing = this.trades.get(outTradeNo);
    if (existing) {
      this.expire(existing);
      if (existing.totalFen !== totalFen || existing.subject !== subject) {
        return failed('ACQ.CONTEXT_INCONSISTENT', '交易信息被篡改');
      }
      if (existing.status === 'TRADE_SUCCESS' || existing.status === 'TRADE_FINISHED') {
        return failed('ACQ.TRADE_HAS_SUCCESS', '交易已被支付');
      }
      if (existing.status === 'TRADE_CLOSED') {
        return failed('ACQ.TRADE_HAS_CLOSE', '交易已经关闭');
      }
      return success({ out_trade_no: outTradeNo, qr_code: existing.qrCode });
    }
    if (this.declineNext) {
      this.declineNext = false;
      return failed('ACQ.TOTAL_FEE_EXCEED', '订单金额超过限额');
    }
    const now = Date.now();
    const tradeNo = tradeNumber();
    const trade: FakeAlipayTrade = {
      outTradeNo,
      tradeNo,
      totalFen,
      subject,
      qrCode: qrCode(tradeNo),
      status: 'WAIT_BUYER_PAY',
      notifyUrl,
      createdAtMs: now,
      expiresAtMs: now + timeoutMs(biz.timeout_express),
      refunds: new Map(),
    };
    this.trades.set(outTradeNo, trade);
    this.scheduleAutoPay(outTradeNo);
    return success({ out_trade_no: outTradeNo, qr_code: trade.qrCode });
  }

  private queryTrade(biz: Record<string, unknown>): Reply {
    const trade = this.findTrade(biz);
    if (!trade) {
      return failed('ACQ.TRADE_NOT_EXIST', '交易不存在');
    }
    this.expire(trade);
    return success({
      trade_no: trade.tradeNo,
      out_trade_no: trade.outTradeNo,
      buyer_logon_id: 'ali***@example.com',
      trade_status: trade.status,
      total_amount: fenToYuan(trade.totalFen),
      ...(trade.paidAtMs !== undefined && {
        buyer_pay_amount: fenToYuan(trade.totalFen),
        receipt_amount: fenToYuan(trade.totalFen),
        send_pay_date: alipayTime(trade.paidAtMs),
        buyer_user_id: BUYER_ID,
      }),
    });
  }

  private closeTrade(biz: Record<string, unknown>): Reply {
    const trade = this.findTrade(biz);
    if (!trade) {
      return failed('ACQ.TRADE_NOT_EXIST', '交易不存在');
    }
    this.expire(trade);
    if (trade.status !== 'WAIT_BUYER_PAY') {
      return failed('ACQ.TRADE_STATUS_ERROR', '交易状态不合法');
    }
    trade.status = 'TRADE_CLOSED';
    return success({ trade_no: trade.tradeNo, out_trade_no: trade.outTradeNo });
  }

  private refundTrade(biz: Record<string, unknown>): Reply {
    const trade = this.findTrade(biz);
    const fen = yuanToFen(text(biz.refund_amount));
    const outRequestNo = text(biz.out_request_no) || trade?.outTradeNo || '';
    if (fen === undefined || !/^[A-Za-z0-9_]{1,64}$/.test(outRequestNo)) {
      return failed('ACQ.INVALID_PARAMETER', '参数无效');
    }
    if (!trade) {
      return failed('ACQ.TRADE_NOT_EXIST', '交易不存在');
    }
    const refunded = () => [...trade.refunds.values()].reduce((sum, each) => sum + each, 0);
    const answer = (fundChange: 'Y' | 'N') =>
      success({
        trade_no: trade.tradeNo,
        out_trade_no: trade.outTradeNo,
        buyer_logon_id: 'ali***@example.com',
        fund_change: fundChange,
        refund_fee: fenToYuan(refunded()),
        gmt_refund_pay: alipayTime(Date.now()),
        buyer_user_id: BUYER_ID,
      });
    // The same request number refunds once: a retry answers the first refund again.
    if (trade.refunds.has(outRequestNo)) {
      return answer('N');
    }
    if (trade.status !== 'TRADE_SUCCESS') {
      return failed('ACQ.TRADE_STATUS_ERROR', '交易状态不合法');
    }
    if (refunded() + fen > trade.totalFen) {
      return failed('ACQ.REFUND_AMT_NOT_EQUAL_TOTAL', '退款金额超限');
    }
    trade.refunds.set(outRequestNo, fen);
    if (refunded() === trade.totalFen) {
      trade.status = 'TRADE_CLOSED';
    }
    return answer('Y');
  }

  private payWithAuth(biz: Record<string, unknown>): Reply {
    const outTradeNo = text(biz.out_trade_no);
    const fen = yuanToFen(text(biz.total_amount));
    const authNo = text(biz.auth_no);
    if (!/^[A-Za-z0-9_]{1,64}$/.test(outTradeNo) || fen === undefined || !text(biz.subject)) {
      return failed('ACQ.INVALID_PARAMETER', '参数无效');
    }
    if (!authNo || biz.product_code !== 'PRE_AUTH_ONLINE') {
      // Barcode payments (auth_code) are not played by this fake.
      return failed('ACQ.INVALID_PARAMETER', '仅支持预授权转支付 (auth_no, PRE_AUTH_ONLINE)');
    }
    const existing = this.trades.get(outTradeNo);
    if (existing) {
      return existing.totalFen === fen && existing.authNo === authNo
        ? failed('ACQ.TRADE_HAS_SUCCESS', '交易已被支付')
        : failed('ACQ.CONTEXT_INCONSISTENT', '交易信息被篡改');
    }
    const freeze = [...this.freezes.values()].find((each) => each.authNo === authNo);
    if (!freeze) {
      return failed('ACQ.AUTH_NO_ERROR', '授权号错误');
    }
    this.expireFreeze(freeze);
    if (freeze.status !== 'AUTHORIZED') {
      return failed('ACQ.AUTH_ORDER_HAS_FINISHED', '预授权订单状态不合法');
    }
    if (
      (biz.buyer_id !== undefined && biz.buyer_id !== BUYER_ID) ||
      (biz.seller_id !== undefined && biz.seller_id !== SELLER_ID)
    ) {
      return failed('ACQ.BUYER_SELLER_NOT_MATCH', '买卖家与预授权不一致');
    }
    if (fen > freeze.restFen) {
      return failed('ACQ.PAYMENT_AUTH_CODE_INVALID', '转支付金额大于冻结金额');
    }
    const now = Date.now();
    const trade: FakeAlipayTrade = {
      outTradeNo,
      tradeNo: tradeNumber(),
      totalFen: fen,
      subject: text(biz.subject),
      qrCode: '',
      status: 'TRADE_SUCCESS',
      createdAtMs: now,
      paidAtMs: now,
      expiresAtMs: now,
      authNo,
      refunds: new Map(),
    };
    this.trades.set(outTradeNo, trade);
    freeze.payFen += fen;
    freeze.restFen -= fen;
    // COMPLETE: what is left of the authorisation is released at once.
    if (biz.auth_confirm_mode === 'COMPLETE' || freeze.restFen === 0) {
      freeze.restFen = 0;
      freeze.status = 'FINISH';
    }
    return success({
      trade_no: trade.tradeNo,
      out_trade_no: outTradeNo,
      buyer_logon_id: 'ali***@example.com',
      total_amount: fenToYuan(fen),
      receipt_amount: fenToYuan(fen),
      gmt_payment: alipayTime(now),
      buyer_user_id: BUYER_ID,
      auth_trade_pay_mode: 'CREDIT_PREAUTH_PAY',
    });
  }

  private queryFreeze(biz: Record<string, unknown>): Reply {
    const freeze = this.findFreeze(biz);
    if (!freeze) {
      return failed('AUTH_ORDER_NOT_EXIST', '授权订单不存在');
    }
    this.expireFreeze(freeze);
    return success({
      auth_no: freeze.authNo,
      out_order_no: freeze.outOrderNo,
      order_status: freeze.status,
      total_freeze_amount: fenToYuan(freeze.amountFen),
      rest_amount: fenToYuan(freeze.restFen),
      total_pay_amount: fenToYuan(freeze.payFen),
      order_title: freeze.orderTitle,
      operation_id: freeze.operationId,
      out_request_no: freeze.outRequestNo,
      amount: fenToYuan(freeze.amountFen),
      operation_type: 'FREEZE',
      status:
        freeze.status === 'INIT'
          ? 'INIT'
          : freeze.status === 'CLOSED' && !freeze.authorizedAtMs
            ? 'CLOSED'
            : 'SUCCESS',
      gmt_create: alipayTime(freeze.createdAtMs),
      ...(freeze.authorizedAtMs !== undefined && {
        gmt_trans: alipayTime(freeze.authorizedAtMs),
        payer_user_id: BUYER_ID,
        payer_logon_id: 'ali***@example.com',
        payee_user_id: SELLER_ID,
      }),
    });
  }

  private unfreeze(biz: Record<string, unknown>): Reply {
    const authNo = text(biz.auth_no);
    const outRequestNo = text(biz.out_request_no);
    const fen = yuanToFen(text(biz.amount));
    if (!authNo || !/^[A-Za-z0-9_]{1,64}$/.test(outRequestNo) || fen === undefined || !text(biz.remark)) {
      return failed('ACQ.INVALID_PARAMETER', '参数无效');
    }
    const freeze = [...this.freezes.values()].find((each) => each.authNo === authNo);
    if (!freeze) {
      return failed('AUTH_ORDER_NOT_EXIST', '授权订单不存在');
    }
    const answer = () =>
      success({
        auth_no: freeze.authNo,
        out_order_no: freeze.outOrderNo,
        operation_id: randomDigits(20),
        out_request_no: outRequestNo,
        amount: fenToYuan(freeze.unfreezes.get(outRequestNo) ?? fen),
        status: 'SUCCESS',
        gmt_trans: alipayTime(Date.now()),
      });
    // The same request number unfreezes once.
    if (freeze.unfreezes.has(outRequestNo)) {
      return answer();
    }
    if (freeze.status !== 'AUTHORIZED') {
      return failed('ORDER_ALREADY_CLOSED', '授权订单已关闭或已完成');
    }
    if (fen > freeze.restFen) {
      return failed('UNFREEZE_AMOUNT_LESS_THAN_REST_AMOUNT', '解冻金额大于剩余冻结金额');
    }
    freeze.unfreezes.set(outRequestNo, fen);
    freeze.restFen -= fen;
    if (freeze.restFen === 0) {
      freeze.status = freeze.payFen > 0 ? 'FINISH' : 'CLOSED';
    }
    return answer();
  }

  private cancelFreeze(biz: Record<string, unknown>): Reply {
    if (!text(biz.remark)) {
      return failed('ACQ.INVALID_PARAMETER', '参数无效');
    }
    const freeze = this.findFreeze(biz);
    const outOrderNo = text(biz.out_order_no) || freeze?.outOrderNo || '';
    if (!freeze) {
      if (!/^[A-Za-z0-9_]{1,64}$/.test(outOrderNo)) {
        return failed('ACQ.INVALID_PARAMETER', '参数无效');
      }
      // Never opened by the buyer: recorded, so a later opening fails.
      this.cancelledUnopened.add(outOrderNo);
      return success({ out_order_no: outOrderNo, out_request_no: text(biz.out_request_no), action: 'close' });
    }
    this.expireFreeze(freeze);
    if (freeze.status === 'FINISH') {
      return failed('ORDER_ALREADY_FINISHED', '授权订单已完成');
    }
    const action = freeze.status === 'AUTHORIZED' ? 'unfreeze' : 'close';
    freeze.restFen = 0;
    freeze.status = 'CLOSED';
    return success({
      auth_no: freeze.authNo,
      out_order_no: freeze.outOrderNo,
      operation_id: freeze.operationId,
      out_request_no: freeze.outRequestNo,
      action,
    });
  }

  /** The buyer's app submitting an app-freeze order string. */
  private openFreeze(
    params: Record<string, string>,
  ): { readonly freeze: FakeAlipayFreeze } | { readonly error: string } {
    if (params.method !== 'alipay.fund.auth.order.app.freeze') {
      return { error: `not an app freeze order string (${params.method ?? 'no method'})` };
    }
    const reply = this.checkCommon(params);
    if (reply) {
      return { error: String(reply.content.sub_msg) };
    }
    const biz = safeJson(params.biz_content) ?? {};
    const outOrderNo = text(biz.out_order_no);
    const outRequestNo = text(biz.out_request_no);
    const fen = yuanToFen(text(biz.amount));
    if (
      !/^[A-Za-z0-9_]{1,64}$/.test(outOrderNo) ||
      !/^[A-Za-z0-9_]{1,64}$/.test(outRequestNo) ||
      fen === undefined ||
      !text(biz.order_title) ||
      biz.product_code !== 'PRE_AUTH_ONLINE'
    ) {
      return { error: '参数无效' };
    }
    if (this.cancelledUnopened.has(outOrderNo)) {
      return { error: '授权订单已撤销' };
    }
    const existing = this.freezes.get(outOrderNo);
    if (existing) {
      return existing.amountFen === fen ? { freeze: existing } : { error: '交易信息被篡改' };
    }
    const now = Date.now();
    const freeze: FakeAlipayFreeze = {
      outOrderNo,
      outRequestNo,
      authNo: randomDigits(28),
      operationId: randomDigits(20),
      amountFen: fen,
      restFen: fen,
      payFen: 0,
      status: 'INIT',
      orderTitle: text(biz.order_title),
      notifyUrl: params.notify_url,
      createdAtMs: now,
      expiresAtMs: now + timeoutMs(biz.timeout_express),
      unfreezes: new Map(),
    };
    if (this.declineNext) {
      // Alipay turns the buyer down (risk control, no funds to freeze): the order is closed.
      this.declineNext = false;
      freeze.status = 'CLOSED';
    }
    this.freezes.set(outOrderNo, freeze);
    if (freeze.status === 'INIT') {
      this.scheduleAutoPay(outOrderNo);
    }
    return { freeze };
  }

  private checkCommon(params: Record<string, string>): Reply | undefined {
    if (!params.sign) {
      return missing('isv.missing-signature', '缺少签名参数');
    }
    if (params.app_id !== this.appId) {
      return invalid('isv.invalid-app-id', '无效的AppID参数');
    }
    if (!rsaVerify(alipaySignContent(params, ['sign']), params.sign, this.appPublicKey)) {
      return invalid('isv.invalid-signature', '验签出错');
    }
    return undefined;
  }

  private scheduleAutoPay(number: string): void {
    const autoPay = this.options.autoPay;
    const orderId = orderIdOf(number);
    if (!autoPay || (autoPay.neverPays?.(orderId) ?? false)) {
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.buyerPays(orderId).catch(() => undefined);
    }, autoPay.afterMs);
    timer.unref();
    this.timers.add(timer);
  }

  private findTrade(biz: Record<string, unknown>): FakeAlipayTrade | undefined {
    const tradeNo = text(biz.trade_no);
    if (tradeNo) {
      return [...this.trades.values()].find((trade) => trade.tradeNo === tradeNo);
    }
    return this.trades.get(text(biz.out_trade_no));
  }

  private findFreeze(biz: Record<string, unknown>): FakeAlipayFreeze | undefined {
    const authNo = text(biz.auth_no);
    if (authNo) {
      return [...this.freezes.values()].find((freeze) => freeze.authNo === authNo);
    }
    const freeze = this.freezes.get(text(biz.out_order_no));
    return freeze && freeze.outRequestNo === text(biz.out_request_no) ? freeze : undefined;
  }

  private pay(trade: FakeAlipayTrade): void {
    trade.status = 'TRADE_SUCCESS';
    trade.paidAtMs = Date.now();
  }

  private authorizeFreeze(freeze: FakeAlipayFreeze): void {
    freeze.status = 'AUTHORIZED';
    freeze.restFen = freeze.amountFen;
    freeze.authorizedAtMs = Date.now();
  }

  private expire(trade: FakeAlipayTrade): void {
    if (trade.status === 'WAIT_BUYER_PAY' && Date.now() > trade.expiresAtMs) {
      trade.status = 'TRADE_CLOSED';
    }
  }

  private expireFreeze(freeze: FakeAlipayFreeze): void {
    if (freeze.status === 'INIT' && Date.now() > freeze.expiresAtMs) {
      freeze.status = 'CLOSED';
    }
  }

  private tradeNotifyFields(trade: FakeAlipayTrade): Record<string, string> {
    const amount = fenToYuan(trade.totalFen);
    return {
      notify_time: alipayTime(Date.now()),
      notify_type: 'trade_status_sync',
      notify_id: randomDigits(34),
      app_id: this.appId,
      auth_app_id: this.appId,
      charset: 'utf-8',
      version: '1.0',
      trade_no: trade.tradeNo,
      out_trade_no: trade.outTradeNo,
      buyer_id: BUYER_ID,
      buyer_logon_id: 'ali***@example.com',
      seller_id: SELLER_ID,
      trade_status: trade.status,
      total_amount: amount,
      receipt_amount: amount,
      invoice_amount: amount,
      buyer_pay_amount: amount,
      point_amount: '0.00',
      gmt_create: alipayTime(trade.createdAtMs),
      ...(trade.paidAtMs !== undefined && { gmt_payment: alipayTime(trade.paidAtMs) }),
      subject: trade.subject,
      fund_bill_list: JSON.stringify([{ amount, fundChannel: 'ALIPAYACCOUNT' }]),
    };
  }

  private freezeNotifyFields(freeze: FakeAlipayFreeze): Record<string, string> {
    const amount = fenToYuan(freeze.amountFen);
    return {
      notify_time: alipayTime(Date.now()),
      notify_type: 'fund_auth_freeze',
      notify_id: randomDigits(34),
      app_id: this.appId,
      charset: 'utf-8',
      version: '1.0',
      auth_no: freeze.authNo,
      out_order_no: freeze.outOrderNo,
      operation_id: freeze.operationId,
      out_request_no: freeze.outRequestNo,
      operation_type: 'FREEZE',
      amount,
      status: 'SUCCESS',
      total_freeze_amount: amount,
      rest_amount: fenToYuan(freeze.restFen),
      total_pay_amount: fenToYuan(freeze.payFen),
      payer_user_id: BUYER_ID,
      payer_logon_id: 'ali***@example.com',
      payee_user_id: SELLER_ID,
      gmt_create: alipayTime(freeze.createdAtMs),
      gmt_trans: alipayTime(freeze.authorizedAtMs ?? Date.now()),
    };
  }
}

/**
 * The string Alipay signs and verifies: every parameter but those dropped, without empty values,
 * sorted by key (code unit order, which is ASCII order for Alipay's keys), `k=v` joined by `&`,
 * the values raw (not URL-encoded).
 */
export function alipaySignContent(params: Readonly<Record<string, string>>, drop: readonly string[]): string {
  return Object.keys(params)
    .filter((key) => !drop.includes(key) && params[key] !== '' && params[key] !== undefined)
    .sort()
    .map((key) => `${key}=${params[key]}`)
    .join('&');
}

function rsaSign(content: string, key: KeyObject): string {
  return createSign('RSA-SHA256').update(content, 'utf8').sign(key, 'base64');
}

function rsaVerify(content: string, signature: string, key: KeyObject): boolean {
  return createVerify('RSA-SHA256').update(content, 'utf8').verify(key, signature, 'base64');
}

function success(fields: Record<string, unknown>): Reply {
  return { content: { code: '10000', msg: 'Success', ...fields } };
}

function failed(subCode: string, subMsg: string): Reply {
  return { content: { code: '40004', msg: 'Business Failed', sub_code: subCode, sub_msg: subMsg } };
}

function invalid(subCode: string, subMsg: string): Reply {
  return { content: { code: '40002', msg: 'Invalid Arguments', sub_code: subCode, sub_msg: subMsg } };
}

function missing(subCode: string, subMsg: string): Reply {
  return {
    content: { code: '40001', msg: 'Missing Required Arguments', sub_code: subCode, sub_msg: subMsg },
  };
}

function safeJson(raw: string | undefined): Record<string, unknown> | undefined {
  if (raw === undefined) {
    return undefined;
  }
  try {
    const value: unknown = JSON.parse(raw);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** Alipay's amounts: yuan with at most 2 decimals, 0.01 to 100000000. Never through a float. */
function yuanToFen(yuan: string): number | undefined {
  const match = /^(0|[1-9]\d{0,8})(?:\.(\d{1,2}))?$/.exec(yuan);
  if (!match) {
    return undefined;
  }
  const fen = Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
  return fen >= 1 && fen <= 100_000_000_00 ? fen : undefined;
}

function fenToYuan(fen: number): string {
  return `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
}

/** `timeout_express` as Alipay reads it: 1m–15d (`m`, `h`, `d`; `c` is "today"), 15d if absent. */
function timeoutMs(value: unknown): number {
  const match = /^(\d+)([mhd])$/.exec(text(value));
  if (!match) {
    return 15 * 24 * HOUR_MS;
  }
  const unit = { m: 60_000, h: HOUR_MS, d: 24 * HOUR_MS }[match[2] as 'm' | 'h' | 'd'];
  return Number(match[1]) * unit;
}

/** "yyyy-MM-dd HH:mm:ss" in Beijing time (UTC+8, no daylight saving), as Alipay writes times. */
export function alipayTime(ms: number): string {
  return new Date(ms + 8 * HOUR_MS).toISOString().slice(0, 19).replace('T', ' ');
}

function randomDigits(length: number): string {
  let digits = '';
  while (digits.length < length) {
    digits += String(randomInt(0, 1e9)).padStart(9, '0');
  }
  return digits.slice(0, length);
}

function tradeNumber(): string {
  const day = alipayTime(Date.now()).slice(0, 10).replace(/-/g, '');
  return `${day}22001${randomDigits(17)}`;
}

function qrCode(tradeNo: string): string {
  return `https://qr.alipay.com/bax${tradeNo.slice(-10)}${randomBytes(4).toString('hex')}`;
}

function orderIdOf(number: string): string {
  return /^[0-9a-f]{32}$/i.test(number)
    ? `${number.slice(0, 8)}-${number.slice(8, 12)}-${number.slice(12, 16)}-${number.slice(16, 20)}-${number.slice(20)}`
    : number;
}
