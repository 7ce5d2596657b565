import {
  createCipheriv,
  createPublicKey,
  createSign,
  createVerify,
  generateKeyPairSync,
  KeyObject,
  randomBytes,
  randomInt,
  randomUUID,
} from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { FakePaymentGateway, merchantOrderNumber } from './fake-payment-gateway';
import { closeLocal, listenLocal, readBody } from './local-http-party';

/**
 * A stand-in for WeChat Pay APIv3 (微信支付) in public-key mode, over real HTTP: Native pay (create,
 * query by out_trade_no, close), domestic refunds (idempotent by out_refund_no) and the buyer's
 * encrypted, signed TRANSACTION.SUCCESS notifications. Hand-written on node:http and node:crypto,
 * never on a WeChat Pay package nor Waybill's adapter: it plays WeChat, so a mistake both shared
 * would pass every test (dependency-cruiser's parties-share-no-vendor-code).
 *
 * As WeChat does, it
 * - checks every request's `Authorization: WECHATPAY2-SHA256-RSA2048 mchid=…,nonce_str=…,signature=…,
 *   timestamp=…,serial_no=…` against the merchant key it generated: the scheme, all five fields, our
 *   mchid, the merchant serial, a timestamp within 5 minutes and SHA256withRSA over
 *   `METHOD\nURL\ntimestamp\nnonce\nbody\n`; any miss is 401 `{"code":"SIGN_ERROR","message":"签名错误"}`.
 *   Then a JSON content type on POST, `Wechatpay-Serial` (when sent) naming its public key, the body's
 *   mchid/appid being the merchant's (400 PARAM_ERROR / APPID_MCHID_NOT_MATCH);
 * - signs every answer, refusals included, with its platform key: `Wechatpay-Timestamp`, `-Nonce`,
 *   `-Serial` (its `PUB_KEY_ID_…`) and `-Signature` over `timestamp\nnonce\nbody\n`;
 * - answers an identical create for an open trade with the same code_url and a different one with
 *   403 OUT_TRADE_NO_USED; a paid trade's with 403 ORDERPAID, a closed one's with 403 ORDER_CLOSED;
 * - enforces `time_expire`: an unpaid trade past it is CLOSED and can no longer be paid;
 * - makes one refund per out_refund_no, whatever the number of calls, and no more than was paid;
 * - notifies with the resource sealed by AES-256-GCM under the APIv3 key, and sends again (a small
 *   bounded retry) when not answered 2xx.
 *
 * A real WeChat may leave a 401 SIGN_ERROR unsigned (it could not tell who asked); this fake signs it
 * like every answer. The adapter treats an unsigned answer as no answer, either way.
 */
export interface FakeWechatPayOptions {
  readonly payTimeoutMinutes?: number;
  /** For the demo: the buyer pays `afterMs` after each trade opens, unless `neverPays(orderId)`. */
  readonly autoPay?: { readonly afterMs: number; readonly neverPays?: (orderId: string) => boolean };
}

export interface FakeWechatTrade {
  readonly outTradeNo: string;
  readonly appid: string;
  readonly mchid: string;
  readonly description: string;
  readonly notifyUrl: string;
  readonly total: number;
  readonly currency: string;
  readonly timeExpire: Date;
  /** The create's parameters, key-sorted: an identical create answers the same code_url. */
  readonly params: string;
  readonly codeUrl: string;
  state: 'NOTPAY' | 'SUCCESS' | 'REFUND' | 'CLOSED';
  transactionId?: string;
  successTime?: string;
  openid?: string;
  readonly refunds: FakeWechatRefund[];
}

export interface FakeWechatRefund {
  readonly outRefundNo: string;
  readonly refundId: string;
  readonly amount: number;
  readonly createTime: string;
  status: 'SUCCESS' | 'PROCESSING' | 'CLOSED' | 'ABNORMAL';
}

export interface FakeWechatCall {
  readonly method: string;
  readonly url: string;
  readonly body: string;
  readonly status: number;
  /** The answer was carried out but never sent (loseNextAnswer). */
  readonly lost: boolean;
}

export interface FakeWechatNotify {
  readonly id: string;
  readonly outTradeNo: string;
  /** Waybill's answer to each attempt (0: no answer). */
  readonly statuses: number[];
}

type Operation = 'create' | 'query' | 'close' | 'refund' | 'capture';
type AnswerSpoil = 'signature' | 'serial' | 'stale' | 'unsigned';

interface Answer {
  readonly status: number;
  readonly body?: object;
}

const SCHEME = 'WECHATPAY2-SHA256-RSA2048';
const TOLERANCE_SECONDS = 300;
const SIGN_ERROR: Answer = { status: 401, body: { code: 'SIGN_ERROR', message: '签名错误' } };
const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export class FakeWechatPay implements FakePaymentGateway {
  readonly provider = 'wechatpay';
  readonly mchId = '1900007291';
  readonly appId = 'wxd678efh567hg6787';
  readonly merchantSerialNo = randomBytes(20).toString('hex').toUpperCase();
  readonly apiV3Key = randomString(32);
  readonly publicKeyId = `PUB_KEY_ID_01${randomDigits(22)}`;
  readonly calls: FakeWechatCall[] = [];
  readonly notifies: FakeWechatNotify[] = [];
  readonly trades = new Map<string, FakeWechatTrade>();
  /** The status the next refund takes (then SUCCESS again): CLOSED or ABNORMAL to refuse one. */
  nextRefundStatus?: FakeWechatRefund['status'];
  private readonly merchantKeys = generateKeyPairSync('rsa', { modulusLength: 2048 });
  private readonly platformKeys = generateKeyPairSync('rsa', { modulusLength: 2048 });
  private strangerKey?: KeyObject;
  private readonly lose = new Set<Operation>();
  private readonly spoiledAnswers: AnswerSpoil[] = [];
  private declineNext = false;
  private notifyTarget?: string;
  private readonly timers = new Set<NodeJS.Timeout>();

  private constructor(
    private readonly server: Server,
    readonly baseUrl: string,
    private readonly options: FakeWechatPayOptions,
  ) {}

  static async start(options: FakeWechatPayOptions = {}): Promise<FakeWechatPay> {
    const holder: { fake?: FakeWechatPay } = {};
    const { server, baseUrl } = await listenLocal(async (request, response) => {
      await holder.fake?.handle(request, response);
    });
    holder.fake = new FakeWechatPay(server, baseUrl, options);
    return holder.fake;
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) {
      clearTimeout(timer);
    }
    await closeLocal(this.server);
  }

  get merchantPrivateKeyPem(): string {
    return this.merchantKeys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  }

  get platformPublicKeyPem(): string {
    return this.platformKeys.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  }

  env(): Record<string, string> {
    return {
      PAYMENT_WECHATPAY_API_BASE: this.baseUrl,
      PAYMENT_WECHATPAY_MCH_ID: this.mchId,
      PAYMENT_WECHATPAY_APP_ID: this.appId,
      PAYMENT_WECHATPAY_SERIAL_NO: this.merchantSerialNo,
      PAYMENT_WECHATPAY_PRIVATE_KEY: this.merchantPrivateKeyPem,
      PAYMENT_WECHATPAY_API_V3_KEY: this.apiV3Key,
      PAYMENT_WECHATPAY_PUBLIC_KEY_ID: this.publicKeyId,
      PAYMENT_WECHATPAY_PUBLIC_KEY: this.platformPublicKeyPem,
      PAYMENT_WECHATPAY_PAY_TIMEOUT_MINUTES: String(this.options.payTimeoutMinutes ?? 15),
    };
  }

  setNotifyTarget(baseUrl: string): void {
    this.notifyTarget = baseUrl;
  }

  declineNextPayment(): void {
    this.declineNext = true;
  }

  loseNextAnswer(operation: Operation): void {
    this.lose.add(operation);
  }

  /** The next answers go out badly signed, with a foreign serial, stale or unsigned, in turn. */
  spoilNextAnswers(...spoils: AnswerSpoil[]): void {
    this.spoiledAnswers.push(...spoils);
  }

  tradeFor(orderId: string): FakeWechatTrade | undefined {
    const trade = this.trades.get(merchantOrderNumber(orderId));
    if (trade) {
      this.expire(trade);
    }
    return trade;
  }

  tradeStatus(orderId: string): string | undefined {
    return this.tradeFor(orderId)?.state;
  }

  refunds(orderId: string): readonly number[] {
    return (this.tradeFor(orderId)?.refunds ?? [])
      .filter((refund) => refund.status === 'SUCCESS' || refund.status === 'PROCESSING')
      .map((refund) => refund.amount);
  }

  /** WeChat's basic payment has no capture: the money is taken when the buyer pays. */
  captures(): readonly number[] {
    return [];
  }

  async buyerPays(orderId: string, notify: 'deliver' | 'lose' | 'repeat' = 'deliver'): Promise<void> {
    const trade = this.tradeFor(orderId);
    if (!trade) {
      throw new Error(`fake WeChat Pay has no trade for order ${orderId}`);
    }
    if (trade.state !== 'NOTPAY') {
      throw new Error(`fake WeChat Pay: trade ${trade.outTradeNo} is ${trade.state}, it cannot be paid`);
    }
    await this.pay(trade, notify);
  }

  async buyerPaysAfterClose(orderId: string): Promise<void> {
    const trade = this.tradeFor(orderId);
    if (!trade) {
      throw new Error(`fake WeChat Pay has no trade for order ${orderId}`);
    }
    await this.pay(trade, 'deliver');
  }

  async sendSpoiledNotify(
    orderId: string,
    spoil: 'tampered' | 'stale' | 'wrong-key',
  ): Promise<{ readonly status: number; readonly body: string }> {
    const trade = this.tradeFor(orderId);
    if (!trade) {
      throw new Error(`fake WeChat Pay has no trade for order ${orderId}`);
    }
    const paid: FakeWechatTrade = {
      ...trade,
      state: 'SUCCESS',
      transactionId: trade.transactionId ?? transactionId(),
      successTime: trade.successTime ?? chinaTime(new Date()),
    };
    const body = this.notificationBody(randomUUID(), paid);
    const now = Math.floor(Date.now() / 1000);
    const timestamp = spoil === 'stale' ? now - 2 * TOLERANCE_SECONDS : now;
    const key = spoil === 'wrong-key' ? this.stranger() : this.platformKeys.privateKey;
    const headers = this.signatureHeaders(body, key, timestamp);
    const sent = spoil === 'tampered' ? body.replace('"summary":"支付成功"', '"summary":"支付成功 "') : body;
    return this.post(this.notifyUrl(trade), sent, headers);
  }

  // --- the wire -----------------------------------------------------------------------------

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(request);
    const method = request.method ?? '';
    const url = request.url ?? '/';
    const { answer, operation } = this.answer(request, method, url, body);
    const lost = operation !== undefined && this.lose.delete(operation);
    this.calls.push({ method, url, body, status: answer.status, lost });
    if (lost) {
      // Carried out, but the answer never reaches the caller.
      request.socket.destroy();
      return;
    }
    this.send(response, answer);
  }

  private answer(
    request: IncomingMessage,
    method: string,
    url: string,
    body: string,
  ): { readonly answer: Answer; readonly operation?: Operation } {
    if (!this.authorized(request, method, url, body)) {
      return { answer: SIGN_ERROR };
    }
    const wechatpaySerial = header(request, 'wechatpay-serial');
    if (wechatpaySerial !== undefined && wechatpaySerial !== this.publicKeyId) {
      return { answer: error(400, 'PARAM_ERROR', 'Wechatpay-Serial 不是有效的微信支付公钥ID') };
    }
    const parsed = new URL(url, 'http://wechatpay.invalid');
    const path = parsed.pathname;
    let json: Record<string, unknown> = {};
    if (method === 'POST') {
      if (!header(request, 'content-type')?.startsWith('application/json')) {
        return { answer: error(400, 'PARAM_ERROR', 'Content-Type 必须为 application/json') };
      }
      try {
        json = JSON.parse(body) as Record<string, unknown>;
      } catch {
        return { answer: error(400, 'PARAM_ERROR', '请求体不是合法的JSON') };
      }
    }
    if (method === 'POST' && path === '/v3/pay/transactions/native') {
      return { answer: this.create(json), operation: 'create' };
    }
    const byOutTradeNo = /^\/v3\/pay\/transactions\/out-trade-no\/([^/]+)(\/close)?$/.exec(path);
    if (byOutTradeNo && method === 'GET' && !byOutTradeNo[2]) {
      const mchid = parsed.searchParams.get('mchid');
      return { answer: this.query(decodeURIComponent(byOutTradeNo[1]), mchid), operation: 'query' };
    }
    if (byOutTradeNo && method === 'POST' && byOutTradeNo[2]) {
      return { answer: this.close(decodeURIComponent(byOutTradeNo[1]), json), operation: 'close' };
    }
    if (method === 'POST' && path === '/v3/refund/domestic/refunds') {
      return { answer: this.refund(json), operation: 'refund' };
    }
    const refundQuery = /^\/v3\/refund\/domestic\/refunds\/([^/]+)$/.exec(path);
    if (method === 'GET' && refundQuery) {
      return { answer: this.refundQuery(decodeURIComponent(refundQuery[1])) };
    }
    return { answer: error(404, 'NOT_FOUND', `${method} ${path} 不存在`) };
  }

  /** WeChat's check of the merchant's signature: anything amiss is SIGN_ERROR. */
  private authorized(request: IncomingMessage, method: string, url: string, body: string): boolean {
    const fields = FakeWechatPay.readAuthorization(header(request, 'authorization'));
    if (!fields || fields.mchid !== this.mchId || fields.serial_no !== this.merchantSerialNo) {
      return false;
    }
    const timestamp = Number(fields.timestamp);
    if (
      !/^\d{1,12}$/.test(fields.timestamp) ||
      Math.abs(Date.now() / 1000 - timestamp) >= TOLERANCE_SECONDS
    ) {
      return false;
    }
    const message = `${method}\n${url}\n${fields.timestamp}\n${fields.nonce_str}\n${body}\n`;
    return FakeWechatPay.verify(message, fields.signature, this.merchantKeys.publicKey);
  }

  private create(json: Record<string, unknown>): Answer {
    const amount = json.amount as { total?: unknown; currency?: unknown } | undefined;
    const outTradeNo = json.out_trade_no;
    const timeExpire = typeof json.time_expire === 'string' ? parseRfc3339(json.time_expire) : undefined;
    if (json.mchid !== this.mchId) {
      return error(400, 'PARAM_ERROR', 'mchid 与请求头中的商户号不一致');
    }
    if (json.appid !== this.appId) {
      return error(400, 'APPID_MCHID_NOT_MATCH', 'AppID和mch_id不匹配');
    }
    if (
      typeof outTradeNo !== 'string' ||
      !/^[0-9A-Za-z_\-|*]{6,32}$/.test(outTradeNo) ||
      typeof json.description !== 'string' ||
      json.description === '' ||
      [...json.description].length > 127 ||
      typeof json.notify_url !== 'string' ||
      !/^https?:\/\/[^?#]+$/.test(json.notify_url) ||
      !amount ||
      !Number.isInteger(amount.total) ||
      (amount.total as number) < 1 ||
      (amount.currency ?? 'CNY') !== 'CNY' ||
      (json.time_expire !== undefined && !timeExpire)
    ) {
      return error(400, 'PARAM_ERROR', '参数错误');
    }
    if (timeExpire && timeExpire.getTime() <= Date.now()) {
      return error(400, 'PARAM_ERROR', 'time_expire 已过期');
    }
    const params = stableJson(json);
    const existing = this.trades.get(outTradeNo);
    if (existing) {
      this.expire(existing);
      if (existing.state === 'SUCCESS' || existing.state === 'REFUND') {
        return error(403, 'ORDERPAID', '该订单已支付');
      }
      if (existing.state === 'CLOSED') {
        return error(403, 'ORDER_CLOSED', '订单已关闭');
      }
      return existing.params === params
        ? { status: 200, body: { code_url: existing.codeUrl } }
        : error(403, 'OUT_TRADE_NO_USED', '商户订单号重复');
    }
    if (this.declineNext) {
      this.declineNext = false;
      return error(403, 'TRADE_ERROR', '交易错误');
    }
    const trade: FakeWechatTrade = {
      outTradeNo,
      appid: this.appId,
      mchid: this.mchId,
      description: json.description,
      notifyUrl: json.notify_url,
      total: amount.total as number,
      currency: 'CNY',
      // WeChat closes an unpaid Native trade after 2 hours when no time_expire is given.
      timeExpire: timeExpire ?? new Date(Date.now() + 2 * 3600_000),
      params,
      codeUrl: `weixin://wxpay/bizpayurl?pr=${randomString(9)}`,
      state: 'NOTPAY',
      refunds: [],
    };
    this.trades.set(outTradeNo, trade);
    this.scheduleAutoPay(trade);
    return { status: 200, body: { code_url: trade.codeUrl } };
  }

  private query(outTradeNo: string, mchid: string | null): Answer {
    if (mchid !== this.mchId) {
      return error(400, 'PARAM_ERROR', 'mchid 参数错误');
    }
    const trade = this.trades.get(outTradeNo);
    if (!trade) {
      return error(404, 'ORDER_NOT_EXIST', '订单不存在');
    }
    this.expire(trade);
    return { status: 200, body: this.transaction(trade) };
  }

  private close(outTradeNo: string, json: Record<string, unknown>): Answer {
    if (json.mchid !== this.mchId) {
      return error(400, 'PARAM_ERROR', 'mchid 参数错误');
    }
    const trade = this.trades.get(outTradeNo);
    if (!trade) {
      return error(404, 'ORDER_NOT_EXIST', '订单不存在');
    }
    this.expire(trade);
    if (trade.state === 'SUCCESS' || trade.state === 'REFUND') {
      return error(400, 'ORDERPAID', '订单已支付');
    }
    trade.state = 'CLOSED';
    return { status: 204 };
  }

  private refund(json: Record<string, unknown>): Answer {
    const amount = json.amount as { refund?: unknown; total?: unknown; currency?: unknown } | undefined;
    const outRefundNo = json.out_refund_no;
    const trade =
      typeof json.out_trade_no === 'string'
        ? this.trades.get(json.out_trade_no)
        : [...this.trades.values()].find((t) => t.transactionId === json.transaction_id);
    if (
      typeof outRefundNo !== 'string' ||
      !/^[0-9A-Za-z_\-|*@]{1,64}$/.test(outRefundNo) ||
      !amount ||
      !Number.isInteger(amount.refund) ||
      (amount.refund as number) < 1 ||
      !Number.isInteger(amount.total) ||
      (amount.currency ?? 'CNY') !== 'CNY'
    ) {
      return error(400, 'PARAM_ERROR', '参数错误');
    }
    if (!trade) {
      return error(404, 'RESOURCE_NOT_EXISTS', '订单不存在');
    }
    const refundAmount = amount.refund as number;
    const already = this.refundByNo(outRefundNo);
    if (already) {
      // One refund per out_refund_no, however often it is asked for.
      return already.trade === trade && already.refund.amount === refundAmount
        ? { status: 200, body: refundBody(trade, already.refund) }
        : error(400, 'INVALID_REQUEST', '同一退款单号的订单金额或退款金额与之前请求不一致');
    }
    if (trade.state !== 'SUCCESS' && trade.state !== 'REFUND') {
      return error(400, 'INVALID_REQUEST', '订单未支付，不能退款');
    }
    if (amount.total !== trade.total) {
      return error(400, 'PARAM_ERROR', '订单金额与原订单不一致');
    }
    const refunded = trade.refunds
      .filter((refund) => refund.status === 'SUCCESS' || refund.status === 'PROCESSING')
      .reduce((sum, refund) => sum + refund.amount, 0);
    if (refunded + refundAmount > trade.total) {
      return error(400, 'INVALID_REQUEST', '申请退款金额超过订单可退金额');
    }
    const status = this.nextRefundStatus ?? 'SUCCESS';
    this.nextRefundStatus = undefined;
    const refund: FakeWechatRefund = {
      outRefundNo,
      refundId: `50${randomDigits(30)}`,
      amount: refundAmount,
      createTime: chinaTime(new Date()),
      status,
    };
    trade.refunds.push(refund);
    if (status === 'SUCCESS') {
      trade.state = 'REFUND';
    }
    // WeChat answers PROCESSING and settles later; this one settles at once but answers the same way.
    return {
      status: 200,
      body: refundBody(trade, { ...refund, status: status === 'SUCCESS' ? 'PROCESSING' : status }),
    };
  }

  private refundQuery(outRefundNo: string): Answer {
    const found = this.refundByNo(outRefundNo);
    return found
      ? { status: 200, body: refundBody(found.trade, found.refund) }
      : error(404, 'RESOURCE_NOT_EXISTS', '退款单不存在');
  }

  private refundByNo(outRefundNo: string) {
    for (const trade of this.trades.values()) {
      const refund = trade.refunds.find((r) => r.outRefundNo === outRefundNo);
      if (refund) {
        return { trade, refund };
      }
    }
    return undefined;
  }

  private send(response: ServerResponse, answer: Answer): void {
    const text = answer.body === undefined ? '' : JSON.stringify(answer.body);
    const spoil = this.spoiledAnswers.shift();
    const now = Math.floor(Date.now() / 1000);
    const signed = this.signatureHeaders(
      text,
      spoil === 'signature' ? this.stranger() : this.platformKeys.privateKey,
      spoil === 'stale' ? now - 2 * TOLERANCE_SECONDS : now,
    );
    const headers: Record<string, string> = {
      'Request-ID': randomUUID(),
      ...(answer.body !== undefined && { 'Content-Type': 'application/json; charset=utf-8' }),
      ...(spoil !== 'unsigned' && signed),
      ...(spoil === 'serial' && { 'Wechatpay-Serial': `PUB_KEY_ID_01${randomDigits(22)}` }),
    };
    response.writeHead(answer.status, headers);
    response.end(text);
  }

  // --- the buyer and the notifier ------------------------------------------------------------

  private async pay(trade: FakeWechatTrade, notify: 'deliver' | 'lose' | 'repeat'): Promise<void> {
    trade.state = 'SUCCESS';
    trade.transactionId = transactionId();
    trade.successTime = chinaTime(new Date());
    trade.openid = `oUpF8u${randomString(22)}`;
    if (notify === 'lose') {
      return;
    }
    const id = randomUUID();
    const body = this.notificationBody(id, trade);
    await this.deliver(id, trade, body);
    if (notify === 'repeat') {
      await this.deliver(id, trade, body);
    }
  }

  /** Posts a notification, freshly signed, and sends it again (a few times) until answered 2xx. */
  private async deliver(id: string, trade: FakeWechatTrade, body: string): Promise<void> {
    const record: FakeWechatNotify = { id, outTradeNo: trade.outTradeNo, statuses: [] };
    this.notifies.push(record);
    for (let attempt = 0; attempt < 3; attempt++) {
      const headers = this.signatureHeaders(
        body,
        this.platformKeys.privateKey,
        Math.floor(Date.now() / 1000),
      );
      const { status } = await this.post(this.notifyUrl(trade), body, headers).catch(() => ({ status: 0 }));
      record.statuses.push(status);
      if (status >= 200 && status < 300) {
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 50 * (attempt + 1)));
    }
  }

  private notificationBody(id: string, trade: FakeWechatTrade): string {
    const nonce = randomString(12);
    const plaintext = JSON.stringify(this.transaction(trade));
    return JSON.stringify({
      id,
      create_time: chinaTime(new Date()),
      resource_type: 'encrypt-resource',
      event_type: 'TRANSACTION.SUCCESS',
      summary: '支付成功',
      resource: {
        original_type: 'transaction',
        algorithm: 'AEAD_AES_256_GCM',
        ciphertext: FakeWechatPay.seal(plaintext, this.apiV3Key, nonce, 'transaction'),
        associated_data: 'transaction',
        nonce,
      },
    });
  }

  private transaction(trade: FakeWechatTrade): Record<string, unknown> {
    const paid = trade.state === 'SUCCESS' || trade.state === 'REFUND';
    return {
      appid: trade.appid,
      mchid: trade.mchid,
      out_trade_no: trade.outTradeNo,
      ...(paid && { transaction_id: trade.transactionId }),
      trade_type: 'NATIVE',
      trade_state: trade.state,
      trade_state_desc: { NOTPAY: '未支付', SUCCESS: '支付成功', REFUND: '转入退款', CLOSED: '已关闭' }[
        trade.state
      ],
      ...(paid && {
        bank_type: 'OTHERS',
        attach: '',
        success_time: trade.successTime,
        payer: { openid: trade.openid ?? `oUpF8u${randomString(22)}` },
      }),
      amount: {
        total: trade.total,
        ...(paid && { payer_total: trade.total }),
        currency: 'CNY',
        payer_currency: 'CNY',
      },
    };
  }

  private notifyUrl(trade: FakeWechatTrade): string {
    if (!this.notifyTarget) {
      return trade.notifyUrl;
    }
    const { pathname, search } = new URL(trade.notifyUrl);
    return new URL(`${pathname}${search}`, this.notifyTarget).toString();
  }

  private async post(
    url: string,
    body: string,
    headers: Record<string, string>,
  ): Promise<{ readonly status: number; readonly body: string }> {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'User-Agent': 'Mozilla/4.0', ...headers },
      body,
      signal: AbortSignal.timeout(5000),
    });
    return { status: response.status, body: await response.text() };
  }

  private signatureHeaders(body: string, key: KeyObject, timestamp: number): Record<string, string> {
    const nonce = randomString(32);
    return {
      'Wechatpay-Timestamp': String(timestamp),
      'Wechatpay-Nonce': nonce,
      'Wechatpay-Serial': this.publicKeyId,
      'Wechatpay-Signature': FakeWechatPay.sign(`${timestamp}\n${nonce}\n${body}\n`, key),
      'Wechatpay-Signature-Type': SCHEME,
    };
  }

  private scheduleAutoPay(trade: FakeWechatTrade): void {
    const autoPay = this.options.autoPay;
    const orderId = orderIdOf(trade.outTradeNo);
    if (!autoPay || !orderId || autoPay.neverPays?.(orderId)) {
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.expire(trade);
      if (trade.state === 'NOTPAY') {
        void this.pay(trade, 'deliver').catch(() => undefined);
      }
    }, autoPay.afterMs);
    timer.unref();
    this.timers.add(timer);
  }

  /** Past time_expire an unpaid trade is closed and no longer payable. */
  private expire(trade: FakeWechatTrade): void {
    if (trade.state === 'NOTPAY' && trade.timeExpire.getTime() <= Date.now()) {
      trade.state = 'CLOSED';
    }
  }

  private stranger(): KeyObject {
    this.strangerKey ??= generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    return this.strangerKey;
  }

  // --- WeChat's scheme, as the fake speaks it (specs pin it to the official vectors) -----------

  /** SHA256withRSA, base64. */
  static sign(message: string, privateKey: KeyObject | string): string {
    return createSign('RSA-SHA256').update(message, 'utf8').sign(privateKey, 'base64');
  }

  static verify(message: string, signature: string, publicKey: KeyObject | string): boolean {
    try {
      return createVerify('RSA-SHA256').update(message, 'utf8').verify(publicKey, signature, 'base64');
    } catch {
      return false;
    }
  }

  /** AEAD_AES_256_GCM as WeChat seals a resource: base64(ct ‖ tag). */
  static seal(plaintext: string, key: string, nonce: string, associatedData: string): string {
    const cipher = createCipheriv('aes-256-gcm', Buffer.from(key, 'utf8'), Buffer.from(nonce, 'utf8'));
    cipher.setAAD(Buffer.from(associatedData, 'utf8'));
    return Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]).toString(
      'base64',
    );
  }

  /** The five fields of `WECHATPAY2-SHA256-RSA2048 k="v",…` (any order), or undefined. */
  static readAuthorization(value: string | undefined): Record<string, string> | undefined {
    if (!value?.startsWith(`${SCHEME} `)) {
      return undefined;
    }
    const fields: Record<string, string> = {};
    for (const match of value.slice(SCHEME.length + 1).matchAll(/\s*([a-z_]+)="([^"]*)"\s*(,|$)/g)) {
      fields[match[1]] = match[2];
    }
    const names = ['mchid', 'nonce_str', 'signature', 'timestamp', 'serial_no'];
    return names.every((name) => fields[name]) ? fields : undefined;
  }

  /** The public half of a merchant private key (for a spec checking a vector). */
  static publicKeyOf(privateKeyPem: string): KeyObject {
    return createPublicKey(privateKeyPem);
  }
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function error(status: number, code: string, message: string): Answer {
  return { status, body: { code, message } };
}

function refundBody(trade: FakeWechatTrade, refund: FakeWechatRefund): Record<string, unknown> {
  return {
    refund_id: refund.refundId,
    out_refund_no: refund.outRefundNo,
    transaction_id: trade.transactionId,
    out_trade_no: trade.outTradeNo,
    channel: 'ORIGINAL',
    user_received_account: '支付用户零钱',
    ...(refund.status === 'SUCCESS' && { success_time: refund.createTime }),
    create_time: refund.createTime,
    status: refund.status,
    funds_account: 'AVAILABLE',
    amount: {
      total: trade.total,
      refund: refund.amount,
      payer_total: trade.total,
      payer_refund: refund.amount,
      settlement_refund: refund.amount,
      settlement_total: trade.total,
      discount_refund: 0,
      currency: 'CNY',
    },
  };
}

function parseRfc3339(value: string): Date | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value)) {
    return undefined;
  }
  const at = new Date(value);
  return Number.isNaN(at.getTime()) ? undefined : at;
}

function chinaTime(at: Date): string {
  return `${new Date(at.getTime() + 8 * 3600_000).toISOString().slice(0, 19)}+08:00`;
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map(stableJson).join(',')}]`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${stableJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function orderIdOf(outTradeNo: string): string | undefined {
  const hex = /^[0-9a-f]{32}$/i.exec(outTradeNo)?.[0].toLowerCase();
  return (
    hex && `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
  );
}

function transactionId(): string {
  return `4200${randomDigits(24)}`;
}

function randomString(length: number): string {
  return Array.from({ length }, () => ALPHANUMERIC[randomInt(ALPHANUMERIC.length)]).join('');
}

function randomDigits(length: number): string {
  return Array.from({ length }, () => String(randomInt(10))).join('');
}
