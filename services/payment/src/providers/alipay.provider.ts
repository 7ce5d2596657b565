import { createHash, createPrivateKey, createPublicKey } from 'node:crypto';
import { formatDecimalAmount, parseDecimalAmount } from '@waybill/platform';
import { AlipayRequestError, AlipaySdk } from 'alipay-sdk';
import type {
  AuthorizationOutcome,
  PaymentQueryOutcome,
  PaymentWebhookEvent,
  SettlementOutcome,
  WebhookOutcome,
} from '../domain/payment-outcomes';
import {
  ProviderTimeoutError,
  ProviderUnavailableError,
  type RetryOptions,
  withBoundedRetries,
} from './bounded-retry';
import type {
  AuthorizeRequest,
  CaptureMode,
  PaymentProvider,
  SettleRequest,
  WebhookAnswers,
  WebhookHeaders,
  WebhookParseResult,
} from './payment-provider';

export interface AlipayOptions {
  /** The 16-digit app id. */
  readonly appId: string;
  /** The app's RSA2 private key, PKCS#1 (`RSA PRIVATE KEY`) or PKCS#8 (`PRIVATE KEY`) PEM. */
  readonly privateKey: string;
  /** Alipay's public key (SPKI PEM): verifies its answers and notifies. */
  readonly alipayPublicKey: string;
  /** The v2 gateway, e.g. https://openapi.alipay.com/gateway.do; tests point it at a fake. */
  readonly gateway: string;
  /** `direct`: a precreated QR code, paid at once. `preauth`: a fund authorisation, captured on shipment. */
  readonly mode: 'direct' | 'preauth';
  readonly payTimeoutMinutes: number;
  /** Where Alipay posts notifies: PAYMENT_PUBLIC_BASE_URL + /v1/webhooks/payments/alipay. */
  readonly notifyUrl: string;
  /** A notify_time further in the future than this is refused (clocks disagree by less). */
  readonly webhookToleranceSeconds: number;
  /**
   * A notify_time older than this is refused: Alipay redelivers an unacknowledged notify for
   * about 25 hours (8 times, the last some 15 h after the one before), never later.
   */
  readonly notifyMaxAgeSeconds?: number;
  readonly timeoutMs: number;
  readonly retry: RetryOptions;
}

/** 25 h of redelivery, plus an hour for clocks and queues. */
export const ALIPAY_NOTIFY_MAX_AGE_SECONDS = 26 * 3600;

/** What one gateway call answered: its `…_response` object, verified against Alipay's key. */
interface Answer {
  readonly code: string;
  readonly msg?: string;
  readonly sub_code?: string;
  readonly sub_msg?: string;
  readonly [field: string]: unknown;
}

type CallResult =
  | { readonly ok: true; readonly value: Answer }
  | {
      readonly ok: false;
      readonly kind: 'timed-out' | 'unavailable';
      readonly message: string;
      readonly attempts: number;
    };

const SUCCESS = '10000';
/** A business answer ("Business Failed"): a refusal with a sub_code. */
const BUSINESS_FAILED = '40004';
/** Alipay asks for a retry: the call's outcome is not known. */
const RETRY_SUB_CODES = new Set(['ACQ.SYSTEM_ERROR', 'SYSTEM_ERROR', 'ACQ.TRADE_STATUS_UNKNOWN']);
/** "No such trade / authorisation" in the trade and the fund-authorisation families. */
const NOT_FOUND = new Set(['ACQ.TRADE_NOT_EXIST', 'AUTH_ORDER_NOT_EXIST', 'ORDER_NOT_EXIST']);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ORDER_NUMBER = /^[0-9a-f]{32}$/;

/**
 * Alipay OpenAPI v2 through the official `alipay-sdk` package: it builds, signs and sends every
 * gateway call (RSA2 over the sorted parameters, the common parameters in the query string,
 * `biz_content` in the form body), checks each answer's signature over its raw `…_response` text
 * (`validateSign`), builds the signed order string of an app freeze (`sdkExecute`), and does the
 * RSA2 verification of a notify (`rsaCheck`). Hand-written here, and only because the package
 * does not do it or does it in a way Waybill cannot take:
 * - the notify's signed string (rsaCheckV1: without `sign` and `sign_type`, without empty values,
 *   sorted): the package's checkNotifySign picks the algorithm from the notify's own `sign_type`
 *   (so a body may ask for SHA-1), accepts either rule (with and without `sign_type`), and keeps
 *   empty values that Alipay leaves out; only RSA2 and the trade-notify rule are accepted here;
 * - reading a notify (app id, notify_time, the outcome) and the webhook answers (`success`);
 * - bounded retries: the package retries nothing; its errors are sorted into "timed out" and
 *   "unavailable" for Waybill's bounded retries. Every call is safe to repeat: out_trade_no,
 *   out_order_no and each out_request_no are derived from the order and the step's key;
 * - the gateway's numbers: out_trade_no (and out_order_no) = the order uuid without dashes,
 *   refund and unfreeze out_request_no = the first 32 hex digits of sha256(idempotency key);
 * - yuan strings from integer fen, by the platform's decimal money (never a float).
 *
 * direct (captureMode immediate): authorize = alipay.trade.precreate (a QR code to scan), void =
 * alipay.trade.close, refund = alipay.trade.refund, query = alipay.trade.query.
 * preauth (manual): authorize = the signed order string of alipay.fund.auth.order.app.freeze (a
 * redirect the buyer confirms in Alipay; the fund_auth_freeze notify authorizes), capture =
 * alipay.trade.pay with the auth_no (auth_confirm_mode COMPLETE releases the rest), void =
 * alipay.fund.auth.order.unfreeze of an authorised freeze or alipay.fund.auth.operation.cancel of
 * one never confirmed, query = alipay.fund.auth.operation.detail.query. The auth_no is looked up
 * with that query whenever it is needed, so providerPaymentRef stays the out_order_no everywhere.
 *
 * A caveat for the saga: Alipay learns of a precreated QR code's trade only when the buyer scans
 * it (and of an app freeze only when the buyer opens it), so before that trade.query answers
 * ACQ.TRADE_NOT_EXIST. query reports that as `awaiting-buyer`: the payment waits for its deadline,
 * and the sweeper then closes the trade (a close of one never created is done) and expires it.
 */
export class AlipayPaymentProvider implements PaymentProvider {
  readonly name = 'alipay';
  readonly captureMode: CaptureMode;
  /** The signature is in the body; no header is needed to verify a stored notify again. */
  readonly webhookHeaders: readonly string[] = [];
  /** Alipay redelivers any notify not answered with exactly `success`. */
  readonly webhookAnswers: WebhookAnswers = {
    accepted: { status: 200, contentType: 'text/plain; charset=utf-8', body: 'success' },
    refused: () => ({ status: 400, contentType: 'text/plain; charset=utf-8', body: 'fail' }),
  };
  private readonly sdk: AlipaySdk;

  constructor(private readonly options: AlipayOptions) {
    this.captureMode = options.mode === 'preauth' ? 'manual' : 'immediate';
    this.sdk = alipaySdk(options);
  }

  async authorize(request: AuthorizeRequest): Promise<AuthorizationOutcome> {
    const outTradeNo = merchantOrderNumber(request.orderId);
    const amount = yuan(request.amount, request.currency);
    if (!amount.ok) {
      return { kind: 'failed', reason: 'PAYMENT.PROVIDER_ERROR', message: `alipay: ${amount.message}` };
    }
    const expiresAt = new Date(Date.now() + this.options.payTimeoutMinutes * 60_000);
    const subject = request.description.slice(0, 256) || `Order ${request.orderId}`;
    if (this.options.mode === 'preauth') {
      const orderString = this.sdk.sdkExecute('alipay.fund.auth.order.app.freeze', {
        notify_url: this.options.notifyUrl,
        bizContent: {
          out_order_no: outTradeNo,
          out_request_no: outTradeNo,
          order_title: subject,
          amount: amount.yuan,
          product_code: 'PRE_AUTH_ONLINE',
          timeout_express: `${this.options.payTimeoutMinutes}m`,
        },
      });
      return {
        kind: 'requires-action',
        providerPaymentRef: outTradeNo,
        nextAction: { type: 'redirect', url: `${this.options.gateway}?${orderString}` },
        expiresAt,
      };
    }
    const result = await this.call(
      'alipay.trade.precreate',
      {
        out_trade_no: outTradeNo,
        total_amount: amount.yuan,
        subject,
        product_code: 'FACE_TO_FACE_PAYMENT',
        // Relative, so a repeated precreate asks for the same trade as the first.
        timeout_express: `${this.options.payTimeoutMinutes}m`,
      },
      { notify_url: this.options.notifyUrl },
    );
    if (!result.ok) {
      return {
        kind: 'failed',
        reason: result.kind === 'timed-out' ? 'PAYMENT.TIMED_OUT' : 'PAYMENT.PROVIDER_ERROR',
        message: `alipay: ${result.message} after ${result.attempts} attempt(s)`,
        providerPaymentRef: outTradeNo,
        mayHaveSucceeded: true,
      };
    }
    const answer = result.value;
    if (answer.code === SUCCESS && typeof answer.qr_code === 'string' && answer.qr_code !== '') {
      return {
        kind: 'requires-action',
        providerPaymentRef: outTradeNo,
        nextAction: { type: 'qr_code', qrCode: answer.qr_code },
        expiresAt,
      };
    }
    // An earlier precreate of this order was paid already (its answer, or its notify, was lost).
    if (answer.sub_code === 'ACQ.TRADE_HAS_SUCCESS') {
      return { kind: 'authorized', providerPaymentRef: outTradeNo };
    }
    return {
      kind: 'failed',
      reason: answer.code === BUSINESS_FAILED ? 'PAYMENT.DECLINED' : 'PAYMENT.PROVIDER_ERROR',
      declineCode: answer.sub_code?.slice(0, 64),
      message: describe(answer),
      providerPaymentRef: outTradeNo,
    };
  }

  async capture(request: SettleRequest): Promise<SettlementOutcome> {
    if (this.options.mode === 'direct') {
      // The buyer's payment took the money; the saga never captures an immediate payment.
      return { kind: 'done' };
    }
    const amount = yuan(request.amount, request.currency);
    if (!amount.ok) {
      return { kind: 'refused', code: 'invalid_amount', message: amount.message };
    }
    const freeze = await this.freezeDetail(request.orderId);
    if (!freeze.ok) {
      return settlementFailure(freeze);
    }
    const detail = freeze.value;
    if (detail.code !== SUCCESS) {
      return refused(detail);
    }
    if (detail.order_status !== 'AUTHORIZED' && detail.order_status !== 'FINISH') {
      return {
        kind: 'refused',
        code: `order_status_${String(detail.order_status)}`,
        message: 'alipay: the fund authorisation is not authorised',
      };
    }
    const outTradeNo = merchantOrderNumber(request.orderId);
    const result = await this.call('alipay.trade.pay', {
      out_trade_no: outTradeNo,
      total_amount: amount.yuan,
      subject: `Order ${request.orderId}`,
      product_code: 'PRE_AUTH_ONLINE',
      auth_no: detail.auth_no,
      auth_confirm_mode: 'COMPLETE',
      ...(typeof detail.payer_user_id === 'string' && { buyer_id: detail.payer_user_id }),
      ...(typeof detail.payee_user_id === 'string' && { seller_id: detail.payee_user_id }),
    });
    if (!result.ok) {
      return settlementFailure(result);
    }
    const answer = result.value;
    // Paid by an earlier attempt whose answer was lost: the same out_trade_no is the same trade.
    if (answer.code === SUCCESS || answer.sub_code === 'ACQ.TRADE_HAS_SUCCESS') {
      return {
        kind: 'done',
        providerRef: typeof answer.trade_no === 'string' ? answer.trade_no : outTradeNo,
      };
    }
    return refused(answer);
  }

  async void(request: SettleRequest): Promise<SettlementOutcome> {
    return this.options.mode === 'preauth' ? this.releaseFreeze(request) : this.closeTrade(request);
  }

  async refund(request: SettleRequest): Promise<SettlementOutcome> {
    const amount = yuan(request.amount, request.currency);
    if (!amount.ok) {
      return { kind: 'refused', code: 'invalid_amount', message: amount.message };
    }
    const outRequestNo = requestNumber(request.idempotencyKey);
    const result = await this.call('alipay.trade.refund', {
      out_trade_no: merchantOrderNumber(request.orderId),
      refund_amount: amount.yuan,
      out_request_no: outRequestNo,
    });
    if (!result.ok) {
      return settlementFailure(result);
    }
    // fund_change N on a repeat of the same out_request_no: the first attempt refunded.
    return result.value.code === SUCCESS
      ? { kind: 'done', providerRef: outRequestNo }
      : refused(result.value);
  }

  async query(request: SettleRequest): Promise<PaymentQueryOutcome> {
    const outTradeNo = merchantOrderNumber(request.orderId);
    const result =
      this.options.mode === 'preauth'
        ? await this.freezeDetail(request.orderId)
        : await this.call('alipay.trade.query', { out_trade_no: outTradeNo });
    if (!result.ok) {
      return { kind: 'unknown', message: `alipay: ${result.message}` };
    }
    const answer = result.value;
    if (answer.code !== SUCCESS) {
      if (answer.sub_code !== undefined && NOT_FOUND.has(answer.sub_code)) {
        // Alipay creates a precreate trade (or a freeze) only when the buyer scans (or opens)
        // it: until then "no such trade" means "not yet", and the payment waits for its deadline,
        // when the sweeper closes it (a close of a trade never created is done) and expires it.
        return { kind: 'awaiting-buyer' };
      }
      return { kind: 'unknown', message: describe(answer) };
    }
    const status = String(answer.order_status ?? answer.trade_status);
    switch (status) {
      case 'TRADE_SUCCESS':
      case 'TRADE_FINISHED':
      case 'AUTHORIZED':
      case 'FINISH':
        return { kind: 'authorized', providerPaymentRef: outTradeNo };
      case 'WAIT_BUYER_PAY':
      case 'INIT':
        return { kind: 'awaiting-buyer' };
      case 'TRADE_CLOSED':
      case 'CLOSED':
        // Asked before the payment's deadline (after it, the saga expires the payment whatever the
        // reason), a trade or freeze closed unpaid was turned down: a freeze Alipay's risk control
        // refused, or a trade closed at Alipay. Waybill itself closes only after the deadline.
        return {
          kind: 'failed',
          reason: 'PAYMENT.DECLINED',
          declineCode: status,
          message: 'alipay closed it unpaid (refused, timed out, cancelled or fully refunded)',
        };
      default:
        return { kind: 'unknown', message: `alipay: unexpected status ${status.slice(0, 40)}` };
    }
  }

  verifyWebhook(rawBody: Buffer, _headers: WebhookHeaders, now: Date = new Date()): WebhookParseResult {
    const form = readForm(rawBody);
    if (!form.ok) {
      return { ok: false, rejection: 'SIGNATURE_MALFORMED', message: form.message };
    }
    const fields = form.fields;
    if (!fields.sign) {
      return { ok: false, rejection: 'SIGNATURE_MISSING', message: 'the notify has no sign' };
    }
    if ((fields.sign_type ?? 'RSA2') !== 'RSA2' || !/^[A-Za-z0-9+/]+={0,2}$/.test(fields.sign)) {
      return {
        ok: false,
        rejection: 'SIGNATURE_MALFORMED',
        message: 'the sign must be an RSA2 signature in base64',
      };
    }
    if (!this.sdk.rsaCheck(notifySignContent(fields), fields.sign, 'RSA2')) {
      return {
        ok: false,
        rejection: 'SIGNATURE_MISMATCH',
        message: "the sign does not verify with Alipay's public key",
      };
    }
    // Checked after the signature, so nothing is learnt of our settings without Alipay's key.
    if (fields.app_id !== this.options.appId) {
      return { ok: false, rejection: 'PAYLOAD_MALFORMED', message: 'the notify is for another app id' };
    }
    const sentAt = beijingTimeToDate(fields.notify_time ?? '');
    if (!sentAt) {
      return { ok: false, rejection: 'PAYLOAD_MALFORMED', message: 'notify_time is not yyyy-MM-dd HH:mm:ss' };
    }
    const ageSeconds = (now.getTime() - sentAt.getTime()) / 1000;
    const maxAge = this.options.notifyMaxAgeSeconds ?? ALIPAY_NOTIFY_MAX_AGE_SECONDS;
    if (ageSeconds > maxAge || -ageSeconds > this.options.webhookToleranceSeconds) {
      return {
        ok: false,
        rejection: 'TIMESTAMP_OUT_OF_TOLERANCE',
        message: `notify_time is more than ${maxAge} s old or ${this.options.webhookToleranceSeconds} s ahead`,
      };
    }
    try {
      return { ok: true, event: this.readFields(fields) };
    } catch (error) {
      return { ok: false, rejection: 'PAYLOAD_MALFORMED', message: (error as Error).message };
    }
  }

  readWebhook(rawBody: Buffer): PaymentWebhookEvent {
    const form = readForm(rawBody);
    if (!form.ok) {
      throw new Error(form.message);
    }
    return this.readFields(form.fields);
  }

  private readFields(fields: Readonly<Record<string, string>>): PaymentWebhookEvent {
    const notifyId = fields.notify_id;
    const notifyType = fields.notify_type;
    if (!notifyId || !notifyType) {
      throw new Error('an Alipay notify needs notify_id and notify_type');
    }
    const fundAuth = notifyType.startsWith('fund_auth');
    const number = fundAuth ? fields.out_order_no : fields.out_trade_no;
    const status = fundAuth ? fields.status : fields.trade_status;
    const type = `${notifyType}${status ? `.${status}` : ''}`.slice(0, 100);
    // Another system's trade on the same app: verified, answered, and nothing to act on.
    if (!number || !ORDER_NUMBER.test(number)) {
      return { providerEventId: notifyId, type };
    }
    const base = { providerEventId: notifyId, type, orderId: orderIdOf(number) };
    const outcome = this.outcome(notifyType, status, fields, number);
    return outcome ? { ...base, outcome } : base;
  }

  private outcome(
    notifyType: string,
    status: string | undefined,
    fields: Readonly<Record<string, string>>,
    ref: string,
  ): WebhookOutcome | undefined {
    if (notifyType === 'fund_auth_freeze') {
      return status === 'SUCCESS' ? { kind: 'authorized', providerPaymentRef: ref } : undefined;
    }
    if (notifyType !== 'trade_status_sync') {
      return undefined;
    }
    // A refund's notify (Alipay also announces refunds): the refund call already answered.
    if (fields.gmt_refund || fields.out_biz_no) {
      return undefined;
    }
    const preauth = this.options.mode === 'preauth';
    switch (status) {
      case 'TRADE_SUCCESS':
      case 'TRADE_FINISHED':
        // In preauth the trade is the capture of the authorisation (alipay.trade.pay).
        return { kind: preauth ? 'captured' : 'authorized', providerPaymentRef: ref };
      case 'TRADE_CLOSED':
        return preauth ? undefined : { kind: 'canceled', providerPaymentRef: ref };
      default:
        return undefined;
    }
  }

  private async closeTrade(request: SettleRequest): Promise<SettlementOutcome> {
    const outTradeNo = merchantOrderNumber(request.orderId);
    const result = await this.call('alipay.trade.close', { out_trade_no: outTradeNo });
    if (!result.ok) {
      return settlementFailure(result);
    }
    const answer = result.value;
    // No trade: the buyer never scanned the code (or it is long gone); nothing is open.
    if (answer.code === SUCCESS || answer.sub_code === 'ACQ.TRADE_NOT_EXIST') {
      return { kind: 'done', providerRef: outTradeNo };
    }
    if (answer.code !== BUSINESS_FAILED) {
      return refused(answer);
    }
    // Not closable: closed already (done), or paid (it must be refunded instead).
    const query = await this.call('alipay.trade.query', { out_trade_no: outTradeNo });
    if (!query.ok) {
      return settlementFailure(query);
    }
    const status = query.value.trade_status;
    if (status === 'TRADE_CLOSED') {
      return { kind: 'done', providerRef: outTradeNo };
    }
    return {
      kind: 'refused',
      code: typeof status === 'string' ? status : (answer.sub_code ?? answer.code),
      message: `alipay cannot close the trade (${describe(answer)}): refund a paid one instead`,
    };
  }

  private async releaseFreeze(request: SettleRequest): Promise<SettlementOutcome> {
    const outOrderNo = merchantOrderNumber(request.orderId);
    const freeze = await this.freezeDetail(request.orderId);
    if (!freeze.ok) {
      return settlementFailure(freeze);
    }
    const detail = freeze.value;
    const notFound = detail.sub_code !== undefined && NOT_FOUND.has(detail.sub_code);
    if (detail.code !== SUCCESS && !notFound) {
      return refused(detail);
    }
    if (notFound || detail.order_status === 'INIT') {
      // Never confirmed by the buyer (or never opened): cancelled, so it cannot be confirmed later.
      const result = await this.call('alipay.fund.auth.operation.cancel', {
        out_order_no: outOrderNo,
        out_request_no: outOrderNo,
        remark: 'order cancelled',
      });
      if (!result.ok) {
        return settlementFailure(result);
      }
      return result.value.code === SUCCESS
        ? { kind: 'done', providerRef: outOrderNo }
        : refused(result.value);
    }
    if (detail.order_status === 'CLOSED') {
      return { kind: 'done', providerRef: outOrderNo };
    }
    if (detail.order_status !== 'AUTHORIZED') {
      return {
        kind: 'refused',
        code: `order_status_${String(detail.order_status)}`,
        message: 'alipay: the fund authorisation was captured; refund it instead',
      };
    }
    const rest =
      typeof detail.rest_amount === 'string' ? parseDecimalAmount(detail.rest_amount, 'CNY') : undefined;
    if (!rest?.ok || rest.minor <= 0) {
      return { kind: 'refused', code: 'rest_amount', message: 'alipay: nothing is left frozen to release' };
    }
    const result = await this.call('alipay.fund.auth.order.unfreeze', {
      auth_no: detail.auth_no,
      // The same on every retry, so a retried release is one release.
      out_request_no: requestNumber(request.idempotencyKey),
      amount: formatDecimalAmount(rest.minor, 'CNY'),
      remark: 'order cancelled',
    });
    if (!result.ok) {
      return settlementFailure(result);
    }
    return result.value.code === SUCCESS ? { kind: 'done', providerRef: outOrderNo } : refused(result.value);
  }

  private freezeDetail(orderId: string): Promise<CallResult> {
    const outOrderNo = merchantOrderNumber(orderId);
    return this.call('alipay.fund.auth.operation.detail.query', {
      out_order_no: outOrderNo,
      out_request_no: outOrderNo,
    });
  }

  /**
   * One gateway call through the package, its answer's signature checked, with outages (and
   * Alipay's own "system error, try again") retried by Waybill's bounded retries.
   */
  private call(
    method: string,
    bizContent: Record<string, unknown>,
    params: Record<string, string> = {},
  ): Promise<CallResult> {
    return withBoundedRetries(this.options.retry, async () => {
      let answer: Answer;
      try {
        answer = await this.sdk.exec(method, { ...params, bizContent }, { validateSign: true });
      } catch (error) {
        throw alipayFailure(error);
      }
      if (typeof answer.code !== 'string') {
        throw new ProviderUnavailableError('an answer without a code');
      }
      // 20000: service unavailable; the outcome is unknown.
      if (
        answer.code === '20000' ||
        (answer.sub_code !== undefined && RETRY_SUB_CODES.has(answer.sub_code))
      ) {
        throw new ProviderUnavailableError(`alipay asks to retry (${answer.sub_code ?? answer.code})`);
      }
      return answer;
    });
  }
}

/**
 * The package configured for Waybill: RSA2, snake_case answers, the key type read from the PEM.
 *
 * The package keeps both keys as PEM text and hands that to node's createSign/createVerify on every
 * call, so every signature parsed the private key again: 2.3 ms a sign where node takes 0.5 ms
 * with a parsed key (BENCHMARKS.md, bench:saga alipay-preauth). Once it has checked and formatted
 * them, its config gets the parsed KeyObjects instead, which node's sign and verify take as they
 * take PEM; nothing else in the package reads the keys.
 */
export function alipaySdk(
  options: Pick<AlipayOptions, 'appId' | 'privateKey' | 'alipayPublicKey' | 'gateway' | 'timeoutMs'>,
): AlipaySdk {
  const sdk = new AlipaySdk({
    appId: options.appId,
    privateKey: options.privateKey,
    alipayPublicKey: options.alipayPublicKey,
    gateway: options.gateway,
    keyType: privateKeyType(options.privateKey),
    signType: 'RSA2',
    timeout: options.timeoutMs,
    camelcase: false,
  });
  const keys = sdk.config as unknown as { privateKey: unknown; alipayPublicKey?: unknown };
  keys.privateKey = createPrivateKey(sdk.config.privateKey);
  if (sdk.config.alipayPublicKey) {
    keys.alipayPublicKey = createPublicKey(sdk.config.alipayPublicKey);
  }
  return sdk;
}

/** PKCS#1 (`BEGIN RSA PRIVATE KEY`, the package's default) or PKCS#8 (`BEGIN PRIVATE KEY`, Alipay's key tool). */
export function privateKeyType(pem: string): 'PKCS1' | 'PKCS8' {
  if (pem.includes('-----BEGIN RSA PRIVATE KEY-----')) {
    return 'PKCS1';
  }
  if (pem.includes('-----BEGIN PRIVATE KEY-----')) {
    return 'PKCS8';
  }
  throw new Error('the Alipay private key must be a PKCS#1 or PKCS#8 PEM');
}

/**
 * The string an Alipay trade notify is signed over (rsaCheckV1): every field but `sign` and
 * `sign_type`, without empty values, sorted by key, `k=v` joined by `&`, the values as decoded
 * from the form.
 */
export function notifySignContent(fields: Readonly<Record<string, string>>): string {
  return Object.keys(fields)
    .filter((key) => key !== 'sign' && key !== 'sign_type' && fields[key] !== '')
    .sort()
    .map((key) => `${key}=${fields[key]}`)
    .join('&');
}

/** The gateway's merchant order number of a Waybill order: the uuid without dashes. */
export function merchantOrderNumber(orderId: string): string {
  return orderId.replace(/-/g, '').toLowerCase();
}

/** A refund's or an unfreeze's out_request_no: 32 hex digits of sha256(idempotency key). */
export function requestNumber(idempotencyKey: string): string {
  return createHash('sha256').update(idempotencyKey, 'utf8').digest('hex').slice(0, 32);
}

/** "yyyy-MM-dd HH:mm:ss" in Beijing time (UTC+8, no daylight saving) → the instant. */
export function beijingTimeToDate(text: string): Date | undefined {
  const match = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)$/.exec(text);
  if (!match) {
    return undefined;
  }
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number);
  const date = new Date(Date.UTC(year, month - 1, day, hour - 8, minute, second));
  // Reject 2026-02-30 and 25:00, which Date.UTC would roll over.
  const back = new Date(date.getTime() + 8 * 3600_000);
  return back.getUTCDate() === day && back.getUTCHours() === hour && back.getUTCMonth() === month - 1
    ? date
    : undefined;
}

function orderIdOf(number: string): string | undefined {
  const id = `${number.slice(0, 8)}-${number.slice(8, 12)}-${number.slice(12, 16)}-${number.slice(16, 20)}-${number.slice(20)}`;
  return UUID.test(id) ? id : undefined;
}

/** Fen → Alipay's yuan string; CNY only, 0.01 to 100 000 000 yuan. */
export function yuan(
  amount: number,
  currency: string,
): { readonly ok: true; readonly yuan: string } | { readonly ok: false; readonly message: string } {
  if (currency.toUpperCase() !== 'CNY') {
    return { ok: false, message: `Alipay takes CNY, not ${currency}` };
  }
  if (!Number.isSafeInteger(amount) || amount < 1 || amount > 100_000_000_00) {
    return { ok: false, message: `an amount of ${amount} fen is outside 0.01–100000000 yuan` };
  }
  return { ok: true, yuan: formatDecimalAmount(amount, 'CNY') };
}

/** The form body of a notify, each key once (a repeated key would make the signed string ambiguous). */
function readForm(
  rawBody: Buffer,
):
  | { readonly ok: true; readonly fields: Record<string, string> }
  | { readonly ok: false; readonly message: string } {
  const fields: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(rawBody.toString('utf8'))) {
    if (Object.prototype.hasOwnProperty.call(fields, key)) {
      return { ok: false, message: `the notify repeats ${key.slice(0, 40)}` };
    }
    fields[key] = value;
  }
  return { ok: true, fields };
}

/**
 * Sorts what the package throws: no answer in time is a ProviderTimeoutError; no usable answer
 * (network error, a status other than 200, a body that is not JSON, an answer whose signature
 * does not verify) a ProviderUnavailableError, retried. Anything else is a bug and is thrown.
 * Messages name the failure, never the body or a key.
 */
export function alipayFailure(error: unknown): Error {
  if (error instanceof AlipayRequestError) {
    if (error.responseDataRaw !== undefined) {
      const status = /status: (\d+)/.exec(error.message)?.[1];
      if (status) {
        return new ProviderUnavailableError(`HTTP ${status}`);
      }
      return new ProviderUnavailableError(
        error.message.includes('验签')
          ? "an answer whose sign does not verify with Alipay's key"
          : 'an unreadable answer',
      );
    }
    const cause = error.cause as { name?: unknown; code?: unknown } | undefined;
    const name = typeof cause?.name === 'string' ? cause.name : '';
    const code = typeof cause?.code === 'string' ? cause.code : '';
    if (/timeout/i.test(name) || code === 'ETIMEDOUT' || /TIMEOUT/.test(code)) {
      return new ProviderTimeoutError();
    }
    return new ProviderUnavailableError(`network error${code ? ` (${code})` : name ? ` (${name})` : ''}`);
  }
  // The package verifies an answer without a sign by passing `undefined` to node:crypto.
  if (error instanceof TypeError && (error as NodeJS.ErrnoException).code === 'ERR_INVALID_ARG_TYPE') {
    return new ProviderUnavailableError('an unsigned answer');
  }
  return error instanceof Error ? error : new Error(String(error));
}

function describe(answer: Answer): string {
  const detail = [answer.sub_code, answer.sub_msg ?? answer.msg].filter(Boolean).join(' ');
  return `alipay answered ${answer.code}${detail ? ` ${String(detail).slice(0, 200)}` : ''}`;
}

function refused(answer: Answer): SettlementOutcome {
  return { kind: 'refused', code: answer.sub_code ?? answer.code, message: describe(answer) };
}

function settlementFailure(result: Extract<CallResult, { ok: false }>): SettlementOutcome {
  return { kind: 'unavailable', message: `alipay: ${result.message} after ${result.attempts} attempt(s)` };
}
