import { createHash, createSign, createVerify, randomInt } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { FakePaymentGateway, merchantOrderNumber } from './fake-payment-gateway';
import { closeLocal, listenLocal, readBody } from './local-http-party';
import { DistinguishedName, issueCertificate, TestCertificate } from './test-certificates';

/*
 * A stand-in for the UnionPay online gateway (全渠道 ACP 5.1.0), over real HTTP, speaking its wire
 * format: form-encoded requests signed with signMethod 01 (sha256 hex, then SHA256withRSA, base64;
 * certId = the merchant certificate's decimal serial), answers as raw `k=v&k=v` (not URL-encoded,
 * `signPubKeyCert` with CRLF inside) signed by a UnionPay signing certificate carried in the answer,
 * and back notifications posted as forms to the backUrl's path. Hand-written on node:http and
 * node:crypto, sharing no code with Waybill's adapter (no npm package exists for UnionPay either):
 * a mistake the two shared would pass every test.
 *
 * At start it makes its own CA chain (test-certificates.ts): a root and a middle CA standing for
 * CFCA's, the UnionPay signing leaf (CN `041@…@中国银联股份有限公司@…`), the merchant's signing key
 * and certificate (serial = certId), and, for spoiled notifies, an expired UnionPay leaf and one
 * from another CA. env() hands Waybill the merchant key and certificate and the root and middle.
 *
 * What it checks of every request, as UnionPay does: version 5.1.0, signMethod 01, the merId, the
 * certId of the merchant certificate, the signature over every received field but `signature`
 * (else respCode 11 验证签名失败), then the fields of the transaction type.
 *
 * Trades: 01 consume and 02 pre-authorisation open when the buyer's browser submits the front form
 * (GET or POST on frontTransReq.do — Waybill's adapter hands the storefront that form as a URL; see
 * openCashier), and lapse at their payTimeout unpaid. Back transactions: 03 completion (≤ 115 % of
 * the pre-authorisation), 32 undo (the whole pre-authorisation, before completion), 04 refund (of a
 * consume or a completion, in parts, never more than it). The orderId of a back transaction is its
 * idempotency: the same orderId with the same content is answered as the first time (never done
 * twice), with other content 12 重复交易. 00 query answers 34 查无此交易 for an unknown or unpaid
 * orderId (or a txnTime that does not match), else 00 with the transaction's origRespCode.
 *
 * [unverified] Codes beyond the notes (00/A6, 03/04/05, 11, 12, 34): 35 original transaction
 * missing or in the wrong state, 36 differs from the original, 64 insufficient balance (the
 * decline), 13 a required field missing; and that a declined front payment is notified.
 */

export interface FakeUnionPayOptions {
  /** Handed to Waybill in env(). */
  readonly mode?: 'direct' | 'preauth';
  readonly payTimeoutMinutes?: number;
  readonly merId?: string;
  /** For the demo: the buyer pays each opened trade after afterMs, unless neverPays(Waybill order id). */
  readonly autoPay?: { readonly afterMs: number; readonly neverPays?: (orderId: string) => boolean };
  /** The gateway's clock (payTimeout); tests move it. */
  readonly clock?: () => Date;
}

export type FakeUnionPayStatus = 'WAITING' | 'PAID' | 'DECLINED' | 'TIMED_OUT' | 'COMPLETED' | 'UNDONE';

interface Transaction {
  readonly orderId: string;
  readonly txnTime: string;
  readonly txnType: string;
  readonly txnSubType: string;
  readonly txnAmt: number;
  readonly backUrl: string;
  /** Front trades only. */
  readonly payTimeout?: Date;
  /** The original's queryId, for back transactions. */
  readonly origQryId?: string;
  queryId?: string;
  /** What a query answers as origRespCode; undefined while a front trade waits for the buyer. */
  respCode?: string;
  status: FakeUnionPayStatus;
  traceTime?: string;
}

export interface FakeUnionPayCall {
  readonly path: string;
  readonly method: string;
  readonly fields: Readonly<Record<string, string>>;
  /** The respCode answered ('lost' when the answer was dropped). */
  readonly answered: string;
}

type BackOperation = 'refund' | 'close' | 'query' | 'capture';
const LOSE_TXN_TYPE: Record<BackOperation, string> = {
  refund: '04',
  capture: '03',
  close: '32',
  query: '00',
};

const PATHS = {
  front: '/gateway/api/frontTransReq.do',
  back: '/gateway/api/backTransReq.do',
  query: '/gateway/api/queryTrans.do',
} as const;

const MESSAGES: Record<string, string> = {
  '00': '成功[0000000]',
  '05': '交易已受理，请稍后查询交易结果',
  '10': '报文格式错误',
  '11': '验证签名失败',
  '12': '重复交易',
  '13': '报文交易要素缺失',
  '34': '查无此交易',
  '35': '原交易不存在或状态不正确',
  '36': '与原交易信息不符',
  '64': '卡上的余额不足',
};

const UNIONPAY_SIGNER_CN = '041@8310000000083040@中国银联股份有限公司@00016495';

interface Chain {
  readonly root: TestCertificate;
  readonly middle: TestCertificate;
  readonly signer: TestCertificate;
  readonly merchant: TestCertificate;
  readonly expiredSigner: TestCertificate;
  readonly foreignSigner: TestCertificate;
}

export class FakeUnionPay implements FakePaymentGateway {
  readonly provider = 'unionpay';
  readonly calls: FakeUnionPayCall[] = [];
  private readonly transactions = new Map<string, Transaction>();
  private readonly lose = new Set<string>();
  private declineNext = false;
  private unknownQueryOnce?: string;
  private unknownBackOnce?: string;
  private notifyTarget?: string;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly clock: () => Date;
  readonly merId: string;
  /** The merchant certificate's serial in decimal: the certId every request must carry. */
  readonly certId: string;

  private constructor(
    private readonly server: Server,
    readonly baseUrl: string,
    private readonly chain: Chain,
    private readonly options: FakeUnionPayOptions,
  ) {
    this.clock = options.clock ?? (() => new Date());
    this.merId = options.merId ?? '777290058110097';
    this.certId = BigInt(`0x${chain.merchant.certificate.serialNumber}`).toString(10);
  }

  static async start(options: FakeUnionPayOptions = {}): Promise<FakeUnionPay> {
    const chain = await makeChain();
    const holder: { fake?: FakeUnionPay } = {};
    const { server, baseUrl } = await listenLocal(async (request, response) => {
      await holder.fake?.handle(request, response).catch(() => response.destroy());
    });
    holder.fake = new FakeUnionPay(server, baseUrl, chain, options);
    return holder.fake;
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) {
      clearTimeout(timer);
    }
    await closeLocal(this.server);
  }

  env(): Record<string, string> {
    return {
      PAYMENT_UNIONPAY_MER_ID: this.merId,
      PAYMENT_UNIONPAY_SIGN_KEY: this.chain.merchant.keyPem,
      PAYMENT_UNIONPAY_SIGN_CERT: this.chain.merchant.pem,
      PAYMENT_UNIONPAY_ROOT_CERT: this.chain.root.pem,
      PAYMENT_UNIONPAY_MIDDLE_CERT: this.chain.middle.pem,
      PAYMENT_UNIONPAY_API_BASE: this.baseUrl,
      PAYMENT_UNIONPAY_MODE: this.options.mode ?? 'direct',
      PAYMENT_UNIONPAY_PAY_TIMEOUT_MINUTES: String(this.options.payTimeoutMinutes ?? 15),
    };
  }

  setNotifyTarget(baseUrl: string): void {
    this.notifyTarget = baseUrl.replace(/\/+$/, '');
  }

  declineNextPayment(): void {
    this.declineNext = true;
  }

  loseNextAnswer(operation: BackOperation): void {
    this.lose.add(LOSE_TXN_TYPE[operation]);
  }

  /** The next query of an existing transaction answers origRespCode `code` ("unknown, ask again") once. */
  unknownNextQuery(code: '03' | '04' | '05' = '05'): void {
    this.unknownQueryOnce = code;
  }

  /** The next back transaction is carried out but answered `code` (unknown) instead of 00. */
  unknownNextBackAnswer(code: '03' | '04' | '05' = '05'): void {
    this.unknownBackOnce = code;
  }

  /**
   * The buyer's browser follows the adapter's nextAction URL (a GET with the signed form as its
   * query string), as a storefront's redirect would. UnionPay learns of a front trade only then.
   */
  async openCashier(url: string): Promise<{ readonly status: number; readonly body: string }> {
    const response = await fetch(url);
    return { status: response.status, body: await response.text() };
  }

  async buyerPays(orderId: string, notify: 'deliver' | 'lose' | 'repeat' = 'deliver'): Promise<void> {
    const trade = this.openTrade(orderId);
    if (this.clock() > (trade.payTimeout ?? new Date(0))) {
      trade.status = 'TIMED_OUT';
      throw new Error(`fake UnionPay: the trade of ${orderId} passed its payTimeout unpaid`);
    }
    if (trade.status !== 'WAITING') {
      throw new Error(`fake UnionPay: the trade of ${orderId} is ${trade.status}, not waiting for the buyer`);
    }
    this.pay(trade);
    if (notify !== 'lose') {
      await this.notify(trade);
    }
    if (notify === 'repeat') {
      await this.notify(trade);
    }
  }

  async buyerPaysAfterClose(orderId: string): Promise<void> {
    const trade = this.openTrade(orderId);
    if (trade.status !== 'WAITING' && trade.status !== 'TIMED_OUT') {
      throw new Error(`fake UnionPay: the trade of ${orderId} is ${trade.status}`);
    }
    this.pay(trade);
    await this.notify(trade);
  }

  /**
   * `tampered`: txnAmt changed after signing; `stale`: signed by a UnionPay certificate that
   * expired yesterday (UnionPay notifies carry no signed timestamp, so an expired signing
   * certificate is what goes stale); `wrong-key`: a UnionPay-named certificate from another CA.
   */
  async sendSpoiledNotify(
    orderId: string,
    spoil: 'tampered' | 'stale' | 'wrong-key',
  ): Promise<{ readonly status: number; readonly body: string }> {
    const trade = this.openTrade(orderId);
    const fields = this.notifyFields({
      ...trade,
      respCode: trade.respCode ?? '00',
      queryId: trade.queryId ?? queryId(this.clock()),
    });
    switch (spoil) {
      case 'tampered':
        return this.post(trade.backUrl, {
          ...this.sign(fields, this.chain.signer),
          txnAmt: String(trade.txnAmt * 100),
        });
      case 'stale':
        return this.post(trade.backUrl, this.sign(fields, this.chain.expiredSigner));
      case 'wrong-key':
        return this.post(trade.backUrl, this.sign(fields, this.chain.foreignSigner));
    }
  }

  tradeStatus(orderId: string): string | undefined {
    const trade = this.transactions.get(merchantOrderNumber(orderId));
    if (trade) {
      this.lapse(trade);
    }
    return trade?.status;
  }

  refunds(orderId: string): readonly number[] {
    const trade = this.transactions.get(merchantOrderNumber(orderId));
    const originals = new Set([trade?.queryId, ...this.completionsOf(trade).map((txn) => txn.queryId)]);
    return this.successful('04')
      .filter((txn) => originals.has(txn.origQryId))
      .map((txn) => txn.txnAmt);
  }

  captures(orderId: string): readonly number[] {
    return this.completionsOf(this.transactions.get(merchantOrderNumber(orderId))).map((txn) => txn.txnAmt);
  }

  // --- the gateway ---

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://fake');
    const body = await readBody(request);
    const raw = request.method === 'GET' ? url.search.slice(1) : body;
    const fields = Object.fromEntries(new URLSearchParams(raw));
    if (url.pathname === PATHS.front && (request.method === 'GET' || request.method === 'POST')) {
      return this.front(request, response, fields);
    }
    if (request.method !== 'POST' || (url.pathname !== PATHS.back && url.pathname !== PATHS.query)) {
      response.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    if (!request.headers['content-type']?.startsWith('application/x-www-form-urlencoded')) {
      return this.answer(response, url.pathname, fields, this.reply(fields, '10'));
    }
    const refusal = this.checkRequest(fields);
    const answer =
      refusal ?? (url.pathname === PATHS.query ? this.query(fields) : this.backTransaction(fields));
    return this.answer(response, url.pathname, fields, answer);
  }

  /** The signature and envelope checks UnionPay makes of every request; undefined when it passes. */
  private checkRequest(fields: Record<string, string>): Record<string, string> | undefined {
    if (fields.version !== '5.1.0' || fields.signMethod !== '01' || !fields.signature) {
      return this.reply(fields, '10');
    }
    if (fields.certId !== this.certId) {
      return this.reply(fields, '11');
    }
    const digest = createHash('sha256').update(signedString(fields), 'utf8').digest('hex');
    let valid = false;
    try {
      valid = createVerify('RSA-SHA256')
        .update(digest, 'utf8')
        .verify(this.chain.merchant.certificate.publicKey, fields.signature, 'base64');
    } catch {
      valid = false;
    }
    if (!valid) {
      return this.reply(fields, '11');
    }
    if (fields.merId !== this.merId || fields.accessType !== '0') {
      return this.reply(fields, '13');
    }
    return undefined;
  }

  private front(request: IncomingMessage, response: ServerResponse, fields: Record<string, string>): void {
    const page = (status: number, respCode: string, text: string) => {
      this.calls.push({ path: PATHS.front, method: request.method ?? '', fields, answered: respCode });
      response
        .writeHead(status, { 'Content-Type': 'text/html; charset=utf-8' })
        .end(`<!doctype html><title>银联在线支付 (fake)</title><p data-resp-code="${respCode}">${text}</p>`);
    };
    const refusal = this.checkRequest(fields);
    if (refusal) {
      return page(200, refusal.respCode, `${refusal.respCode} ${refusal.respMsg}`);
    }
    const { txnType, txnSubType, bizType, orderId, txnTime, txnAmt, currencyCode, backUrl, frontUrl } =
      fields;
    const payTimeout = parseTime(fields.payTimeout ?? '');
    const amount = Number(txnAmt);
    if (
      (txnType !== '01' && txnType !== '02') ||
      txnSubType !== '01' ||
      bizType !== '000201' ||
      !/^0[78]$/.test(fields.channelType ?? '') ||
      !/^[0-9A-Za-z]{8,32}$/.test(orderId ?? '') ||
      !parseTime(txnTime ?? '') ||
      !/^[1-9]\d*$/.test(txnAmt ?? '') ||
      currencyCode !== '156' ||
      !backUrl ||
      !frontUrl ||
      !payTimeout
    ) {
      return page(200, '13', `13 ${MESSAGES['13']}`);
    }
    if (this.transactions.has(orderId)) {
      return page(200, '12', `12 ${MESSAGES['12']}`);
    }
    const trade: Transaction = {
      orderId,
      txnTime,
      txnType,
      txnSubType,
      txnAmt: amount,
      backUrl,
      payTimeout,
      status: 'WAITING',
    };
    this.transactions.set(orderId, trade);
    if (this.declineNext) {
      this.declineNext = false;
      trade.status = 'DECLINED';
      trade.respCode = '64';
      trade.queryId = queryId(this.clock());
      trade.traceTime = traceTime(this.clock());
      this.later(0, () => this.notify(trade));
      return page(200, '64', `64 ${MESSAGES['64']}`);
    }
    const autoPay = this.options.autoPay;
    const waybillOrder = waybillOrderId(orderId);
    if (autoPay && !autoPay.neverPays?.(waybillOrder)) {
      this.later(autoPay.afterMs, () => this.buyerPays(waybillOrder));
    }
    return page(200, '00', `请付款 ${(amount / 100).toFixed(2)} 元 (订单 ${orderId})`);
  }

  private query(fields: Record<string, string>): Record<string, string> {
    if (!fields.orderId || !fields.txnTime || fields.txnType !== '00') {
      return this.reply(fields, '13');
    }
    const txn = this.transactions.get(fields.orderId);
    if (txn) {
      this.lapse(txn);
    }
    if (!txn || txn.txnTime !== fields.txnTime || txn.respCode === undefined) {
      return this.reply(fields, '34');
    }
    let origRespCode = txn.respCode;
    if (this.unknownQueryOnce) {
      origRespCode = this.unknownQueryOnce;
      this.unknownQueryOnce = undefined;
    }
    return {
      ...this.reply(fields, '00'),
      ...this.transactionFields(txn),
      bizType: '000000',
      origRespCode,
      origRespMsg: MESSAGES[origRespCode] ?? '交易失败',
    };
  }

  private backTransaction(fields: Record<string, string>): Record<string, string> {
    const { txnType, orderId, txnTime, origQryId, txnAmt, backUrl } = fields;
    const amount = Number(txnAmt);
    if (
      !['03', '04', '32'].includes(txnType ?? '') ||
      !/^[0-9A-Za-z]{8,32}$/.test(orderId ?? '') ||
      !parseTime(txnTime ?? '') ||
      !origQryId ||
      !/^[1-9]\d*$/.test(txnAmt ?? '') ||
      !backUrl
    ) {
      return this.reply(fields, '13');
    }
    const earlier = this.transactions.get(orderId);
    if (earlier) {
      const same =
        earlier.txnType === txnType && earlier.origQryId === origQryId && earlier.txnAmt === amount;
      return same && earlier.respCode === '00'
        ? { ...this.reply(fields, '00'), ...this.transactionFields(earlier) }
        : this.reply(fields, '12');
    }
    const original = [...this.transactions.values()].find((txn) => txn.queryId === origQryId);
    if (!original) {
      return this.reply(fields, '35');
    }
    const refusal = this.refusal(txnType, original, amount);
    if (refusal) {
      return this.reply(fields, refusal);
    }
    const txn: Transaction = {
      orderId,
      txnTime,
      txnType,
      txnSubType: '00',
      txnAmt: amount,
      backUrl,
      origQryId,
      queryId: queryId(this.clock()),
      respCode: '00',
      status: 'PAID',
      traceTime: traceTime(this.clock()),
    };
    this.transactions.set(orderId, txn);
    if (txnType === '03') {
      original.status = 'COMPLETED';
    } else if (txnType === '32') {
      original.status = 'UNDONE';
    }
    this.later(0, () => this.notify(txn));
    let respCode = '00';
    if (this.unknownBackOnce) {
      respCode = this.unknownBackOnce;
      this.unknownBackOnce = undefined;
    }
    return {
      ...this.reply(fields, respCode),
      ...this.transactionFields(txn),
      respCode,
      respMsg: MESSAGES[respCode] ?? '',
    };
  }

  /** Why UnionPay would refuse this back transaction of `original`, or undefined. */
  private refusal(txnType: string, original: Transaction, amount: number): string | undefined {
    this.lapse(original);
    switch (txnType) {
      case '03':
        if (original.txnType !== '02' || original.status !== 'PAID') {
          return '35';
        }
        return amount > Math.floor(original.txnAmt * 1.15) ? '36' : undefined;
      case '32':
        if (original.txnType !== '02' || original.status !== 'PAID') {
          return '35';
        }
        return amount !== original.txnAmt ? '36' : undefined;
      default: {
        const refundable =
          (original.txnType === '01' && original.status === 'PAID') ||
          (original.txnType === '03' && original.respCode === '00');
        if (!refundable) {
          return '35';
        }
        const refunded = this.successful('04')
          .filter((txn) => txn.origQryId === original.queryId)
          .reduce((sum, txn) => sum + txn.txnAmt, 0);
        return refunded + amount > original.txnAmt ? '36' : undefined;
      }
    }
  }

  private answer(
    response: ServerResponse,
    path: string,
    request: Record<string, string>,
    fields: Record<string, string>,
  ): void {
    const txnType = request.txnType ?? '';
    if (this.lose.has(txnType)) {
      // Carried out, but the answer never arrives: the connection drops.
      this.lose.delete(txnType);
      this.calls.push({ path, method: 'POST', fields: request, answered: 'lost' });
      response.socket?.destroy();
      return;
    }
    this.calls.push({ path, method: 'POST', fields: request, answered: fields.respCode ?? '' });
    const signed = this.sign(fields, this.chain.signer);
    // Raw k=v&k=v, values not URL-encoded, as UnionPay answers.
    const body = Object.entries(signed)
      .map(([key, value]) => `${key}=${value}`)
      .join('&');
    response.writeHead(200, { 'Content-Type': 'text/plain;charset=UTF-8' }).end(body);
  }

  /** The envelope of an answer to `request` with `respCode`. */
  private reply(request: Record<string, string>, respCode: string): Record<string, string> {
    const echoed = [
      'accessType',
      'bizType',
      'encoding',
      'merId',
      'orderId',
      'txnSubType',
      'txnTime',
      'txnType',
    ];
    const fields: Record<string, string> = { version: '5.1.0', signMethod: '01' };
    for (const key of echoed) {
      if (request[key]) {
        fields[key] = request[key];
      }
    }
    return { ...fields, respCode, respMsg: MESSAGES[respCode] ?? '交易失败' };
  }

  private transactionFields(txn: Transaction): Record<string, string> {
    const fields: Record<string, string> = {
      orderId: txn.orderId,
      txnTime: txn.txnTime,
      txnType: txn.txnType,
      txnSubType: txn.txnSubType,
      txnAmt: String(txn.txnAmt),
      currencyCode: '156',
      queryId: txn.queryId ?? '',
      traceNo: (txn.queryId ?? '').slice(-6),
      traceTime: txn.traceTime ?? '',
      settleAmt: String(txn.txnAmt),
      settleCurrencyCode: '156',
      settleDate: (txn.traceTime ?? '').slice(0, 4),
    };
    if (txn.origQryId) {
      fields.origQryId = txn.origQryId;
    }
    return fields;
  }

  private notifyFields(txn: Transaction): Record<string, string> {
    const respCode = txn.respCode ?? '00';
    return {
      version: '5.1.0',
      encoding: 'UTF-8',
      signMethod: '01',
      accessType: '0',
      bizType: '000201',
      merId: this.merId,
      ...this.transactionFields(txn),
      respCode,
      respMsg: respCode === '00' ? 'success' : (MESSAGES[respCode] ?? '交易失败'),
    };
  }

  /** Posts the back notification of `txn` to the notify target (nothing when there is none). */
  private async notify(txn: Transaction): Promise<void> {
    if (!this.notifyTarget) {
      return;
    }
    await this.post(txn.backUrl, this.sign(this.notifyFields(txn), this.chain.signer)).catch(() => undefined);
  }

  private async post(
    backUrl: string,
    fields: Record<string, string>,
  ): Promise<{ status: number; body: string }> {
    if (!this.notifyTarget) {
      throw new Error('fake UnionPay: setNotifyTarget() first');
    }
    const response = await fetch(`${this.notifyTarget}${new URL(backUrl).pathname}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded;charset=UTF-8' },
      body: new URLSearchParams(fields).toString(),
    });
    return { status: response.status, body: await response.text() };
  }

  /** Adds signPubKeyCert (PEM with CRLF, as UnionPay sends it) and the signature. */
  private sign(fields: Record<string, string>, signer: TestCertificate): Record<string, string> {
    const withCert = { ...fields, signPubKeyCert: signer.pem.trim().replace(/\n/g, '\r\n') };
    const digest = createHash('sha256').update(signedString(withCert), 'utf8').digest('hex');
    const signature = createSign('RSA-SHA256').update(digest, 'utf8').sign(signer.privateKey, 'base64');
    return { ...withCert, signature };
  }

  private pay(trade: Transaction): void {
    trade.status = 'PAID';
    trade.respCode = '00';
    trade.queryId = queryId(this.clock());
    trade.traceTime = traceTime(this.clock());
  }

  private openTrade(orderId: string): Transaction {
    const trade = this.transactions.get(merchantOrderNumber(orderId));
    if (!trade || (trade.txnType !== '01' && trade.txnType !== '02')) {
      throw new Error(
        `fake UnionPay has no trade for order ${orderId}: the buyer's browser must open the adapter's nextAction URL first (openCashier)`,
      );
    }
    return trade;
  }

  /** An unpaid front trade past its payTimeout is gone. */
  private lapse(txn: Transaction): void {
    if (txn.status === 'WAITING' && txn.payTimeout && this.clock() > txn.payTimeout) {
      txn.status = 'TIMED_OUT';
    }
  }

  private successful(txnType: string): Transaction[] {
    return [...this.transactions.values()].filter((txn) => txn.txnType === txnType && txn.respCode === '00');
  }

  private completionsOf(trade: Transaction | undefined): Transaction[] {
    return trade?.queryId ? this.successful('03').filter((txn) => txn.origQryId === trade.queryId) : [];
  }

  private later(ms: number, run: () => Promise<void>): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      run().catch(() => undefined);
    }, ms);
    this.timers.add(timer);
  }
}

/** Every field but `signature`, sorted, `k=v&`, raw values (what UnionPay signs and verifies). */
function signedString(fields: Record<string, string>): string {
  return Object.keys(fields)
    .filter((key) => key !== 'signature')
    .sort()
    .map((key) => `${key}=${fields[key]}`)
    .join('&');
}

/** yyyyMMddHHmmss, Beijing time. */
function beijing(at: Date): string {
  return new Date(at.getTime() + 8 * 3_600_000).toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

function parseTime(text: string): Date | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(text);
  if (!match) {
    return undefined;
  }
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number);
  return new Date(Date.UTC(year, month - 1, day, hour - 8, minute, second));
}

/** 21 digits, as UnionPay's queryId. */
function queryId(at: Date): string {
  return `${beijing(at).slice(2)}${String(randomInt(0, 1_000_000_000)).padStart(9, '0')}`;
}

/** MMddHHmmss. */
function traceTime(at: Date): string {
  return beijing(at).slice(4);
}

function waybillOrderId(orderId: string): string {
  const match = /^(.{8})(.{4})(.{4})(.{4})(.{12})$/.exec(orderId);
  return match ? match.slice(1).join('-') : orderId;
}

async function makeChain(): Promise<Chain> {
  const now = Date.now();
  const day = 86_400_000;
  const from = new Date(now - day);
  const until = new Date(now + 365 * day);
  const ca = (cn: string): DistinguishedName => [
    ['C', 'CN'],
    ['O', 'Fake China Financial Certification Authority'],
    ['CN', cn],
  ];
  const leafName = (cn: string): DistinguishedName => [
    ['C', 'cn'],
    ['O', 'CFCA OCA1'],
    ['OU', 'Local RA OCA1'],
    ['OU', 'Enterprises'],
    ['CN', cn],
  ];
  const serial = () => BigInt(randomInt(1, 2 ** 40));
  const [root, foreignCa] = await Promise.all([
    issueCertificate({
      name: ca('FAKE CFCA TEST CS CA'),
      serial: serial(),
      notBefore: from,
      notAfter: until,
      ca: true,
    }),
    issueCertificate({
      name: ca('SOMEONE ELSE CA'),
      serial: serial(),
      notBefore: from,
      notAfter: until,
      ca: true,
    }),
  ]);
  const middle = await issueCertificate({
    name: ca('FAKE CFCA TEST OCA1'),
    serial: serial(),
    notBefore: from,
    notAfter: until,
    ca: true,
    issuer: root,
  });
  const [signer, merchant, expiredSigner, foreignSigner] = await Promise.all([
    issueCertificate({
      name: leafName(UNIONPAY_SIGNER_CN),
      serial: serial(),
      notBefore: from,
      notAfter: until,
      ca: false,
      issuer: middle,
    }),
    issueCertificate({
      name: leafName('041@Z2014-11-11@777290058110097:SIGN@00000003'),
      serial: serial(),
      notBefore: from,
      notAfter: until,
      ca: false,
      issuer: middle,
    }),
    issueCertificate({
      name: leafName(UNIONPAY_SIGNER_CN),
      serial: serial(),
      notBefore: new Date(now - 730 * day),
      notAfter: new Date(now - day),
      ca: false,
      issuer: middle,
    }),
    issueCertificate({
      name: leafName(UNIONPAY_SIGNER_CN),
      serial: serial(),
      notBefore: from,
      notAfter: until,
      ca: false,
      issuer: foreignCa,
    }),
  ]);
  return { root, middle, signer, merchant, expiredSigner, foreignSigner };
}
