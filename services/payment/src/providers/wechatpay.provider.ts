import {
  createDecipheriv,
  createHash,
  createPrivateKey,
  createPublicKey,
  createSign,
  createVerify,
  KeyObject,
  randomBytes,
} from 'node:crypto';
import { headerValue, requestJson, type JsonAnswer, type WebhookRefusal } from '@waybill/platform';
import type {
  AuthorizationOutcome,
  PaymentQueryOutcome,
  PaymentWebhookEvent,
  SettlementOutcome,
} from '../domain/payment-outcomes';
import { ProviderUnavailableError, RetryOptions, withBoundedRetries } from './bounded-retry';
import type {
  AuthorizeRequest,
  PaymentProvider,
  SettleRequest,
  WebhookAnswers,
  WebhookHeaders,
  WebhookParseResult,
} from './payment-provider';

/*
 * WeChat Pay APIv3 (微信支付), Native pay (a QR code the buyer scans), in public-key mode (微信支付公钥,
 * `PUB_KEY_ID_…`, mandatory for new merchants).
 *
 * Hand-written on node:crypto, not on `wechatpay-axios-plugin` (0.9.6, read in its source), though
 * that package does take a `{PUB_KEY_ID_…: pem}` map and so serves public-key mode:
 * - it brings axios (and fast-xml-parser, a multipart helper, a yargs peer) into a service whose
 *   outbound calls all go through `requestJson` and Waybill's bounded retries and per-attempt timeouts;
 * - its client is a chained-URL Proxy (`wxpay.v3.pay.transactions.native.post`) whose signing and
 *   verification live in axios interceptors, so "an answer that does not verify is no answer" would
 *   have to be recovered from its BusinessError shapes;
 * - its verifier skips every non-2xx answer (so a forged 4xx "declined" would be trusted), checks the
 *   clock against the wall clock with `> 300` where WeChat's own utility refuses at ≥ 5 minutes, and
 *   checks the clock before the signature; it offers no notification verifier, only the primitives.
 * What it would save is the ~60 lines below (sign, verify, AES-GCM); the fake WeChat Pay
 * (libs/testing/src/parties/fake-wechatpay.ts) is written independently of them, and the official
 * vectors (fixtures/wechatpay) pin both.
 *
 * Waybill mapping (payments-cn.md §2.5): basic APIv3 has no hold, so capture is immediate: authorize
 * opens a Native trade (NOTPAY) and hands back its `code_url`; the buyer's payment arrives as a
 * TRANSACTION.SUCCESS notification (or a query finds SUCCESS); void closes an unpaid trade; a
 * cancellation after payment is a refund. The merchant order number is derived from the order id
 * (the uuid without dashes), so every call can address the trade even when an answer was lost.
 */

export interface WechatPayOptions {
  /** https://api.mch.weixin.qq.com; tests point it at a fake WeChat Pay. */
  readonly apiBase: string;
  readonly mchId: string;
  readonly appId: string;
  /** The merchant API certificate's serial (hex), named in every Authorization. */
  readonly merchantSerialNo: string;
  readonly merchantPrivateKey: string;
  /** The 32-byte APIv3 key that decrypts notification resources. */
  readonly apiV3Key: string;
  /** `PUB_KEY_ID_…`: the only Wechatpay-Serial this adapter trusts. */
  readonly publicKeyId: string;
  readonly publicKey: string;
  /** Where WeChat posts notifications: PAYMENT_PUBLIC_BASE_URL + /v1/webhooks/payments/wechatpay. */
  readonly notifyUrl: string;
  readonly payTimeoutMinutes: number;
  /** How far a signature's timestamp may be from now; WeChat's own utility refuses at 5 minutes. */
  readonly toleranceSeconds: number;
  readonly timeoutMs: number;
  readonly retry: RetryOptions;
  /** The clock answers are checked against (tests fix it). */
  readonly clock?: () => Date;
}

export const WECHATPAY_SIGNATURE_SCHEME = 'WECHATPAY2-SHA256-RSA2048';
const SIGNATURE_HEADERS = [
  'Wechatpay-Timestamp',
  'Wechatpay-Nonce',
  'Wechatpay-Signature',
  'Wechatpay-Serial',
];

// ---------------------------------------------------------------------------------------------
// The scheme (payments-cn.md §2.1–2.3), exported for the published vectors.

/** `METHOD\nURL\ntimestamp\nnonce\nbody\n`, signed SHA256withRSA with the merchant key. */
export function wechatRequestMessage(
  method: string,
  pathAndQuery: string,
  timestamp: string,
  nonce: string,
  body: string,
): string {
  return `${method}\n${pathAndQuery}\n${timestamp}\n${nonce}\n${body}\n`;
}

export function wechatAuthorization(fields: {
  readonly mchId: string;
  readonly serialNo: string;
  readonly privateKey: KeyObject | string;
  readonly method: string;
  readonly pathAndQuery: string;
  readonly body: string;
  readonly timestamp: string;
  readonly nonce: string;
}): string {
  const message = wechatRequestMessage(
    fields.method,
    fields.pathAndQuery,
    fields.timestamp,
    fields.nonce,
    fields.body,
  );
  const signature = createSign('RSA-SHA256').update(message, 'utf8').sign(fields.privateKey, 'base64');
  return (
    `${WECHATPAY_SIGNATURE_SCHEME} mchid="${fields.mchId}",nonce_str="${fields.nonce}",` +
    `signature="${signature}",timestamp="${fields.timestamp}",serial_no="${fields.serialNo}"`
  );
}

/** An answer's or a notification's signature: `timestamp\nnonce\nbody\n` with WeChat Pay's key. */
export function verifyWechatSignature(
  signed: { readonly timestamp: string; readonly nonce: string; readonly body: string | Buffer },
  signature: string,
  publicKey: KeyObject | string,
): boolean {
  const verifier = createVerify('RSA-SHA256');
  verifier.update(`${signed.timestamp}\n${signed.nonce}\n`, 'utf8');
  verifier.update(signed.body);
  verifier.update('\n', 'utf8');
  try {
    return verifier.verify(publicKey, signature, 'base64');
  } catch {
    return false;
  }
}

/**
 * AEAD_AES_256_GCM: the key is the APIv3 key's bytes, the IV the nonce's, `ciphertext` is
 * base64(ct ‖ 16-byte tag). The cipher follows the key's length, so the wechatpay-go test vector's
 * 16-byte key decrypts too (AES-128); the provider itself only ever holds a 32-byte key.
 */
export function decryptWechatResource(
  resource: { readonly ciphertext: string; readonly nonce: string; readonly associatedData: string },
  key: string,
): string {
  const keyBytes = Buffer.from(key, 'utf8');
  const algorithm = ({ 16: 'aes-128-gcm', 24: 'aes-192-gcm', 32: 'aes-256-gcm' } as const)[
    keyBytes.length as 16 | 24 | 32
  ];
  if (!algorithm) {
    throw new Error('an AES-GCM key is 16, 24 or 32 bytes');
  }
  const sealed = Buffer.from(resource.ciphertext, 'base64');
  if (sealed.length < 16) {
    throw new Error('the ciphertext is shorter than its tag');
  }
  const decipher = createDecipheriv(algorithm, keyBytes, Buffer.from(resource.nonce, 'utf8'));
  decipher.setAAD(Buffer.from(resource.associatedData, 'utf8'));
  decipher.setAuthTag(sealed.subarray(-16));
  return Buffer.concat([decipher.update(sealed.subarray(0, -16)), decipher.final()]).toString('utf8');
}

/** The merchant order number for a Waybill order: the uuid without dashes (32 hex, within 6–32). */
export function wechatOutTradeNo(orderId: string): string {
  return orderId.replace(/-/g, '');
}

const STEP = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}:([A-Za-z0-9:-]+)$/i;

/**
 * `out_refund_no` from the step's idempotency key, the same on every retry (a new number is a second
 * refund): WeChat allows up to 64 of `0-9A-Za-z_-|*@`. `<orderId>:refund:2` reads as
 * `<32 hex>_refund_2`; ':' becomes '_', which the key's step never holds, so two keys never share a
 * number. Any other key is its SHA-256 in hex (64).
 */
export function wechatOutRefundNo(idempotencyKey: string): string {
  const step = STEP.exec(idempotencyKey);
  const readable = step && `${wechatOutTradeNo(idempotencyKey.slice(0, 36))}_${step[1].replace(/:/g, '_')}`;
  return readable && readable.length <= 64
    ? readable.toLowerCase()
    : createHash('sha256').update(idempotencyKey, 'utf8').digest('hex');
}

/** RFC 3339 in China Standard Time, as WeChat writes and reads `time_expire`. */
export function chinaTime(at: Date): string {
  return `${new Date(at.getTime() + 8 * 3600_000).toISOString().slice(0, 19)}+08:00`;
}

// ---------------------------------------------------------------------------------------------

/** What a verified answer says: a resource (2xx) or WeChat's `{code, message}` refusal. */
type WechatReply =
  | { readonly kind: 'answered'; readonly status: number; readonly body: Record<string, unknown> }
  | { readonly kind: 'refused'; readonly status: number; readonly code: string; readonly message: string };

interface Transaction {
  readonly mchid?: unknown;
  readonly appid?: unknown;
  readonly out_trade_no?: unknown;
  readonly trade_state?: unknown;
  readonly trade_state_desc?: unknown;
}

interface Notification {
  readonly id?: unknown;
  readonly event_type?: unknown;
  readonly resource?: {
    readonly algorithm?: unknown;
    readonly ciphertext?: unknown;
    readonly nonce?: unknown;
    readonly associated_data?: unknown;
  };
}

const WECHAT_FAIL = { code: 'FAIL', message: '失败' };

export class WechatPayPaymentProvider implements PaymentProvider {
  readonly name = 'wechatpay';
  readonly captureMode = 'immediate';
  readonly webhookHeaders = [...SIGNATURE_HEADERS, 'Wechatpay-Signature-Type'].map((name) =>
    name.toLowerCase(),
  );
  /**
   * Taken: 200 with WeChat's documented `{"code":"SUCCESS","message":"成功"}` (any 2xx will do for
   * WeChat; a body keeps every proxy and log honest, where a 204 with a content type would not).
   * Refused: WeChat's `{"code":"FAIL","message":"失败"}`, with the status the refusal implies (401 for
   * a signature that does not verify or is stale, 413 too large, 400 unreadable), so it sends again.
   */
  readonly webhookAnswers: WebhookAnswers = {
    accepted: {
      status: 200,
      contentType: 'application/json; charset=utf-8',
      body: { code: 'SUCCESS', message: '成功' },
    },
    refused: (refusal: WebhookRefusal) => ({
      status: refusalStatus(refusal),
      contentType: 'application/json; charset=utf-8',
      body: WECHAT_FAIL,
    }),
  };
  private readonly base: URL;
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;

  constructor(private readonly options: WechatPayOptions) {
    this.base = new URL(options.apiBase);
    if (this.base.protocol !== 'https:' && this.base.protocol !== 'http:') {
      throw new Error('the WeChat Pay API base must be an http(s) URL');
    }
    if (Buffer.byteLength(options.apiV3Key, 'utf8') !== 32) {
      throw new Error('the WeChat Pay APIv3 key must be 32 bytes');
    }
    this.privateKey = createPrivateKey(options.merchantPrivateKey);
    this.publicKey = createPublicKey(options.publicKey);
  }

  async authorize(request: AuthorizeRequest): Promise<AuthorizationOutcome> {
    if (request.currency !== 'CNY') {
      return {
        kind: 'failed',
        reason: 'PAYMENT.INVALID_PAYMENT_METHOD',
        message: `WeChat Pay takes CNY only, not ${request.currency}`,
      };
    }
    const outTradeNo = wechatOutTradeNo(request.orderId);
    const expiresAt = new Date(this.now().getTime() + this.options.payTimeoutMinutes * 60_000);
    expiresAt.setMilliseconds(0);
    // One body for every attempt: WeChat answers identical parameters with the same code_url.
    const result = await this.call('POST', '/v3/pay/transactions/native', {
      appid: this.options.appId,
      mchid: this.options.mchId,
      description: truncate(request.description || `Order ${request.orderId}`, 127),
      out_trade_no: outTradeNo,
      time_expire: chinaTime(expiresAt),
      notify_url: this.options.notifyUrl,
      amount: { total: request.amount, currency: 'CNY' },
    });
    if (!result.ok) {
      return {
        kind: 'failed',
        reason: result.kind === 'timed-out' ? 'PAYMENT.TIMED_OUT' : 'PAYMENT.PROVIDER_ERROR',
        message: `wechatpay: ${result.message} after ${result.attempts} attempt(s)`,
        providerPaymentRef: outTradeNo,
        mayHaveSucceeded: true,
      };
    }
    const reply = result.value;
    if (reply.kind === 'answered') {
      const codeUrl = reply.body.code_url;
      if (typeof codeUrl !== 'string' || codeUrl === '') {
        return {
          kind: 'failed',
          reason: 'PAYMENT.PROVIDER_ERROR',
          message: 'wechatpay answered without a code_url',
          providerPaymentRef: outTradeNo,
          mayHaveSucceeded: true,
        };
      }
      return {
        kind: 'requires-action',
        providerPaymentRef: outTradeNo,
        nextAction: { type: 'qr_code', qrCode: codeUrl },
        expiresAt,
      };
    }
    // The trade was opened and paid by an earlier attempt whose answer we lost.
    if (reply.code === 'ORDERPAID') {
      return { kind: 'authorized', providerPaymentRef: outTradeNo };
    }
    return {
      kind: 'failed',
      // 401: WeChat did not take our signature, a configuration fault rather than the buyer's.
      reason: reply.status === 401 ? 'PAYMENT.PROVIDER_ERROR' : 'PAYMENT.DECLINED',
      declineCode: reply.code,
      message: reply.message,
      providerPaymentRef: outTradeNo,
    };
  }

  /** Immediate capture: the money was taken when the buyer paid; the saga never calls this. */
  capture(request: SettleRequest): Promise<SettlementOutcome> {
    return Promise.resolve({ kind: 'done', providerRef: this.outTradeNo(request) });
  }

  async void(request: SettleRequest): Promise<SettlementOutcome> {
    const outTradeNo = this.outTradeNo(request);
    const result = await this.call(
      'POST',
      `/v3/pay/transactions/out-trade-no/${encodeURIComponent(outTradeNo)}/close`,
      { mchid: this.options.mchId },
    );
    if (!result.ok) {
      return { kind: 'unavailable', message: `wechatpay: ${result.message}` };
    }
    const reply = result.value;
    // Closing a closed trade answers 204 again; a trade never opened has nothing to release.
    if (reply.kind === 'answered' || reply.code === 'ORDER_NOT_EXIST') {
      return { kind: 'done', providerRef: outTradeNo };
    }
    return {
      kind: 'refused',
      code: reply.code,
      message: `wechatpay answered ${reply.status}: ${reply.message}`,
    };
  }

  async refund(request: SettleRequest): Promise<SettlementOutcome> {
    const result = await this.call('POST', '/v3/refund/domestic/refunds', {
      out_trade_no: this.outTradeNo(request),
      out_refund_no: wechatOutRefundNo(request.idempotencyKey),
      amount: { refund: request.amount, total: request.paymentAmount, currency: 'CNY' },
    });
    if (!result.ok) {
      return { kind: 'unavailable', message: `wechatpay: ${result.message}` };
    }
    const reply = result.value;
    if (reply.kind === 'refused') {
      return {
        kind: 'refused',
        code: reply.code,
        message: `wechatpay answered ${reply.status}: ${reply.message}`,
      };
    }
    const { status, refund_id: refundId } = reply.body;
    if (status === 'SUCCESS' || status === 'PROCESSING') {
      return { kind: 'done', providerRef: typeof refundId === 'string' ? refundId : undefined };
    }
    return {
      kind: 'refused',
      code: typeof status === 'string' ? status : 'UNKNOWN_STATUS',
      message: `wechatpay refund is ${String(status)}`,
    };
  }

  async query(request: SettleRequest): Promise<PaymentQueryOutcome> {
    const outTradeNo = this.outTradeNo(request);
    const result = await this.call(
      'GET',
      `/v3/pay/transactions/out-trade-no/${encodeURIComponent(outTradeNo)}?mchid=${encodeURIComponent(this.options.mchId)}`,
    );
    if (!result.ok) {
      return { kind: 'unknown', message: `wechatpay: ${result.message}` };
    }
    const reply = result.value;
    if (reply.kind === 'refused') {
      return reply.code === 'ORDER_NOT_EXIST'
        ? {
            kind: 'failed',
            reason: 'PAYMENT.PROVIDER_ERROR',
            declineCode: reply.code,
            message: reply.message,
          }
        : { kind: 'unknown', message: `wechatpay answered ${reply.status}: ${reply.code}` };
    }
    const trade = reply.body as Transaction;
    if (trade.out_trade_no !== outTradeNo || trade.mchid !== this.options.mchId) {
      return { kind: 'unknown', message: 'wechatpay answered for another trade' };
    }
    const state = typeof trade.trade_state === 'string' ? trade.trade_state : '';
    switch (state) {
      case 'SUCCESS':
      case 'REFUND':
        return { kind: 'authorized', providerPaymentRef: outTradeNo };
      case 'NOTPAY':
      case 'USERPAYING':
        return { kind: 'awaiting-buyer' };
      case 'CLOSED':
      case 'REVOKED':
      case 'PAYERROR':
        return {
          kind: 'failed',
          reason: state === 'PAYERROR' ? 'PAYMENT.DECLINED' : 'PAYMENT.PROVIDER_ERROR',
          declineCode: state,
          message: typeof trade.trade_state_desc === 'string' ? trade.trade_state_desc : undefined,
        };
      default:
        return { kind: 'unknown', message: `wechatpay trade_state ${state || '(none)'}` };
    }
  }

  verifyWebhook(rawBody: Buffer, headers: WebhookHeaders, now?: Date): WebhookParseResult {
    const type = headerValue(headers, 'Wechatpay-Signature-Type');
    if (type !== undefined && type !== WECHATPAY_SIGNATURE_SCHEME) {
      return refused('SIGNATURE_MALFORMED', `Wechatpay-Signature-Type must be ${WECHATPAY_SIGNATURE_SCHEME}`);
    }
    const verdict = this.verifySigned(rawBody, (name) => headerValue(headers, name), now ?? this.now());
    if (!verdict.ok) {
      return verdict;
    }
    try {
      return { ok: true, event: this.readWebhook(rawBody) };
    } catch (error) {
      return refused('PAYLOAD_MALFORMED', (error as Error).message);
    }
  }

  readWebhook(rawBody: Buffer): PaymentWebhookEvent {
    const notification = JSON.parse(rawBody.toString('utf8')) as Notification;
    const { id, event_type: type, resource } = notification;
    if (typeof id !== 'string' || id === '' || typeof type !== 'string' || type === '') {
      throw new Error('a WeChat Pay notification needs a string id and event_type');
    }
    // Refund results and other events are answered and ignored: the refund call's own answer counts.
    if (type !== 'TRANSACTION.SUCCESS') {
      return { providerEventId: id, type };
    }
    if (
      resource?.algorithm !== 'AEAD_AES_256_GCM' ||
      typeof resource.ciphertext !== 'string' ||
      typeof resource.nonce !== 'string' ||
      typeof resource.associated_data !== 'string'
    ) {
      throw new Error('a WeChat Pay notification needs an AEAD_AES_256_GCM resource');
    }
    let plaintext: string;
    try {
      plaintext = decryptWechatResource(
        {
          ciphertext: resource.ciphertext,
          nonce: resource.nonce,
          associatedData: resource.associated_data,
        },
        this.options.apiV3Key,
      );
    } catch {
      throw new Error('the notification resource does not decrypt with the APIv3 key');
    }
    const trade = JSON.parse(plaintext) as Transaction;
    if (trade.mchid !== this.options.mchId || trade.appid !== this.options.appId) {
      throw new Error('the notification is for another merchant or app');
    }
    if (typeof trade.out_trade_no !== 'string' || trade.out_trade_no === '') {
      throw new Error('the notification names no out_trade_no');
    }
    const orderId = orderIdOf(trade.out_trade_no);
    if (trade.trade_state !== 'SUCCESS') {
      return { providerEventId: id, type, orderId };
    }
    return {
      providerEventId: id,
      type,
      orderId,
      outcome: { kind: 'authorized', providerPaymentRef: trade.out_trade_no },
    };
  }

  private outTradeNo(request: SettleRequest): string {
    return request.providerPaymentRef ?? wechatOutTradeNo(request.orderId);
  }

  private now(): Date {
    return this.options.clock?.() ?? new Date();
  }

  /**
   * The four signature headers, checked as WeChat's own utility does: our PUB_KEY_ID only, no
   * signature probe, the signature over the exact bytes, then the clock (after the signature, so the
   * tolerance is not told to whoever cannot sign).
   */
  private verifySigned(
    body: string | Buffer,
    header: (name: string) => string | undefined,
    now: Date,
  ): { readonly ok: true } | WebhookRefusal {
    const [timestamp, nonce, signature, serial] = SIGNATURE_HEADERS.map((name) => header(name)?.trim());
    if (!timestamp || !nonce || !signature || !serial) {
      return refused('SIGNATURE_MISSING', `${SIGNATURE_HEADERS.join(', ')} are all required`);
    }
    if (signature.startsWith('WECHATPAY/SIGNTEST/')) {
      return refused('SIGNATURE_MISMATCH', 'a WeChat Pay signature probe is refused, as WeChat asks');
    }
    if (serial !== this.options.publicKeyId) {
      return refused('SIGNATURE_MISMATCH', `Wechatpay-Serial ${serial} is not the configured public key id`);
    }
    if (!/^\d{1,12}$/.test(timestamp)) {
      return refused('SIGNATURE_MALFORMED', 'Wechatpay-Timestamp must be unix seconds');
    }
    if (!verifyWechatSignature({ timestamp, nonce, body }, signature, this.publicKey)) {
      return refused('SIGNATURE_MISMATCH', 'the signature does not verify with the WeChat Pay public key');
    }
    if (Math.abs(now.getTime() / 1000 - Number(timestamp)) >= this.options.toleranceSeconds) {
      return refused(
        'TIMESTAMP_OUT_OF_TOLERANCE',
        `Wechatpay-Timestamp is ${this.options.toleranceSeconds} s or more away from now`,
      );
    }
    return { ok: true };
  }

  /**
   * One signed call, its answer verified, with Waybill's bounded retries. An answer that does not
   * verify (any status) is no answer: retried like an outage, and never read.
   */
  private call(method: 'GET' | 'POST', pathAndQuery: string, json?: object) {
    const body = json === undefined ? '' : JSON.stringify(json);
    const url = new URL(pathAndQuery, this.base);
    return withBoundedRetries(this.options.retry, async (): Promise<WechatReply> => {
      const timestamp = String(Math.floor(this.now().getTime() / 1000));
      const authorization = wechatAuthorization({
        mchId: this.options.mchId,
        serialNo: this.options.merchantSerialNo,
        privateKey: this.privateKey,
        method,
        pathAndQuery: `${url.pathname}${url.search}`,
        body,
        timestamp,
        nonce: randomBytes(16).toString('hex').toUpperCase(),
      });
      const answer = await requestJson({
        url: url.toString(),
        method,
        headers: {
          Authorization: authorization,
          'Content-Type': 'application/json',
          'User-Agent': 'waybill-payment',
          'Wechatpay-Serial': this.options.publicKeyId,
        },
        ...(json !== undefined && { encoded: { contentType: 'application/json', body } }),
        timeoutMs: this.options.timeoutMs,
      });
      return this.verifiedReply(answer);
    });
  }

  private verifiedReply(answer: JsonAnswer): WechatReply {
    const verdict = this.verifySigned(
      answer.text,
      (name) => answer.headers.get(name) ?? undefined,
      this.now(),
    );
    if (!verdict.ok) {
      throw new ProviderUnavailableError(
        `HTTP ${answer.status} that is not WeChat Pay's (${verdict.message})`,
      );
    }
    const { status, body } = answer;
    if (status >= 200 && status < 300) {
      return { kind: 'answered', status, body };
    }
    return {
      kind: 'refused',
      status,
      code: typeof body.code === 'string' ? body.code : `HTTP_${status}`,
      message: typeof body.message === 'string' ? body.message : `HTTP ${status}`,
    };
  }
}

function refused(rejection: WebhookRefusal['rejection'], message: string): WebhookRefusal {
  return { ok: false, rejection, message };
}

function refusalStatus(refusal: WebhookRefusal): number {
  switch (refusal.rejection) {
    case 'SIGNATURE_MISMATCH':
    case 'TIMESTAMP_OUT_OF_TOLERANCE':
    case 'NOT_CONFIGURED':
      return 401;
    case 'PAYLOAD_TOO_LARGE':
      return 413;
    case 'SIGNATURE_MISSING':
    case 'SIGNATURE_MALFORMED':
    case 'PAYLOAD_MALFORMED':
      return 400;
  }
}

/** The order id back from the out_trade_no this adapter made; undefined for any other number. */
function orderIdOf(outTradeNo: string): string | undefined {
  const hex = /^[0-9a-f]{32}$/i.exec(outTradeNo)?.[0].toLowerCase();
  return (
    hex && `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
  );
}

/** WeChat counts `description` in characters (at most 127). */
function truncate(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : chars.slice(0, max).join('');
}
