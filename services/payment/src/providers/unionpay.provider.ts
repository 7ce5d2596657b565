import { createHash, createPrivateKey, KeyObject, X509Certificate } from 'node:crypto';
import { requestText, type WebhookRefusal } from '@waybill/platform';
import type {
  AuthorizationOutcome,
  PaymentQueryOutcome,
  PaymentWebhookEvent,
  SettlementOutcome,
  WebhookOutcome,
} from '../domain/payment-outcomes';
import { ProviderUnavailableError, RetryOptions, withBoundedRetries } from './bounded-retry';
import {
  AuthorizeRequest,
  PaymentProvider,
  SettleRequest,
  WebhookAnswers,
  WebhookHeaders,
  WebhookParseResult,
} from './payment-provider';
import {
  certIdOf,
  parseUnionPayAnswer,
  signRequest,
  UnionPayFields,
  UnionPayTrust,
  verifyUnionPayFields,
} from './unionpay-signature';

/*
 * UnionPay online payments (全渠道 ACP 5.1.0, the B2C gateway), hand-written on node:crypto and
 * fetch: there is no maintained npm package for UnionPay (see unionpay-signature.ts).
 *
 * direct  (captureMode immediate): authorize = front consumption (txnType 01), refund = 04 against
 *         the consumption's queryId; void = nothing to close (UnionPay has none: an unpaid front
 *         trade lapses at payTimeout), so void is done once a query shows it unpaid.
 * preauth (captureMode manual): authorize = front pre-authorisation (02), capture = completion (03),
 *         void = pre-authorisation undo (32), refund = 04 against the completion's queryId.
 *
 * A front transaction is a form the buyer's browser submits to frontTransReq.do; nothing is sent
 * from here. It is handed to the storefront as one URL: the gateway path with the signed fields as
 * its query string. A storefront opens it (GET), or posts the same fields as an auto-submitted form,
 * as UnionPay's own demos do; the fake UnionPay takes both.
 *
 * providerPaymentRef is `<orderId>:<txnTime>`: the two fields a query needs, both in every back
 * notification, so the notify's outcome names the same ref as authorize's.
 *
 * Back transactions (completion, undo, refund) get an orderId derived from the saga's idempotency
 * key, the same on every retry, and the same txnTime on every attempt of one call; an answer of
 * 03/04/05 ("unknown") is followed by queries of that transaction before deciding. Any answer that
 * does not verify (certificate, chain, validity, CN, signature) is treated as no answer.
 */

export type UnionPayMode = 'direct' | 'preauth';

export interface UnionPayOptions {
  readonly merId: string;
  /** The merchant signing key, PEM. */
  readonly signKey: string;
  /** The merchant signing certificate, PEM: its serial in decimal is every request's certId. */
  readonly signCert: string;
  readonly rootCert: string;
  readonly middleCert: string;
  /** e.g. https://gateway.95516.com; tests point it at the fake UnionPay. */
  readonly apiBase: string;
  readonly mode: UnionPayMode;
  readonly payTimeoutMinutes: number;
  /** backUrl: PAYMENT_PUBLIC_BASE_URL + /v1/webhooks/payments/unionpay. */
  readonly notifyUrl: string;
  /** frontUrl: where the buyer's browser returns after paying. */
  readonly frontUrl: string;
  /** Default true; see UnionPayTrust.checkCnName. */
  readonly checkCnName?: boolean;
  readonly timeoutMs: number;
  readonly retry: RetryOptions;
  /**
   * Queries of a back transaction answered 03/04/05, before the call gives up as unavailable (the
   * notes advise 1, 2, 4… s). Default 3 queries from 1 s, doubling.
   */
  readonly pendingQueries?: RetryOptions;
  /** Injected in tests; certificate validity and payTimeout are judged against it. */
  readonly clock?: () => Date;
}

export const UNIONPAY_PATHS = {
  front: '/gateway/api/frontTransReq.do',
  back: '/gateway/api/backTransReq.do',
  query: '/gateway/api/queryTrans.do',
} as const;

/** A query's 34 is only believed this long after payTimeout (clocks differ; a last-second payment). */
const PAY_TIMEOUT_GRACE_MS = 60_000;
const SUCCESS = new Set(['00', 'A6']);
const UNKNOWN = new Set(['03', '04', '05']);
const CNY_CODE = '156';

/** Waybill's order id (a uuid) as a UnionPay orderId: the 32 hex digits without dashes. */
export function unionPayOrderId(orderId: string): string {
  return orderId.replace(/-/g, '');
}

/** The uuid again, dashes re-inserted; undefined for an orderId Waybill did not make. */
export function waybillOrderId(unionPayOrder: string | undefined): string | undefined {
  const match = /^([0-9a-f]{8})([0-9a-f]{4})([0-9a-f]{4})([0-9a-f]{4})([0-9a-f]{12})$/i.exec(
    unionPayOrder ?? '',
  );
  return match ? match.slice(1).join('-').toLowerCase() : undefined;
}

/** A back transaction's orderId: 32 hex digits of the step's idempotency key, the same on every retry. */
export function backTransactionOrderId(idempotencyKey: string): string {
  return createHash('sha256').update(idempotencyKey, 'utf8').digest('hex').slice(0, 32);
}

/** yyyyMMddHHmmss in Asia/Shanghai (UTC+8 all year, no daylight saving). */
export function unionPayTime(at: Date): string {
  return new Date(at.getTime() + 8 * 3_600_000).toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

export function parseUnionPayTime(text: string): Date | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(text);
  if (!match) {
    return undefined;
  }
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number);
  return new Date(Date.UTC(year, month - 1, day, hour - 8, minute, second));
}

export function unionPayPaymentRef(orderId: string, txnTime: string): string {
  return `${orderId}:${txnTime}`;
}

function parsePaymentRef(ref: string | undefined): { orderId: string; txnTime: string } | undefined {
  const match = /^([0-9A-Za-z]{8,32}):(\d{14})$/.exec(ref ?? '');
  return match ? { orderId: match[1], txnTime: match[2] } : undefined;
}

/** What one signed call came back with: verified fields, or no usable answer after the bounded retries. */
type Reply =
  { readonly ok: true; readonly fields: UnionPayFields } | { readonly ok: false; readonly message: string };

/** A query of one transaction, read. */
type Lookup =
  | { readonly kind: 'found'; readonly fields: UnionPayFields; readonly origRespCode: string }
  | { readonly kind: 'missing' }
  | { readonly kind: 'unknown'; readonly message: string };

export class UnionPayPaymentProvider implements PaymentProvider {
  readonly name = 'unionpay';
  readonly captureMode;
  /** Back notifications are signed in the body; no header carries anything. */
  readonly webhookHeaders: readonly string[] = [];
  readonly webhookAnswers: WebhookAnswers = {
    accepted: { status: 200, contentType: 'text/plain; charset=utf-8', body: 'ok' },
    // Any non-200 makes UnionPay send the notification again (up to five times).
    refused: (refusal: WebhookRefusal) => ({
      status: 400,
      contentType: 'text/plain; charset=utf-8',
      body: `refused: WEBHOOK.${refusal.rejection}`,
    }),
  };
  private readonly key: KeyObject;
  private readonly certId: string;
  private readonly trust: UnionPayTrust;
  private readonly apiBase: string;
  private readonly clock: () => Date;

  constructor(private readonly options: UnionPayOptions) {
    this.captureMode = options.mode === 'preauth' ? ('manual' as const) : ('immediate' as const);
    this.key = createPrivateKey(options.signKey);
    this.certId = certIdOf(new X509Certificate(options.signCert));
    this.trust = {
      root: new X509Certificate(options.rootCert),
      middle: new X509Certificate(options.middleCert),
      checkCnName: options.checkCnName ?? true,
    };
    this.apiBase = options.apiBase.replace(/\/+$/, '');
    this.clock = options.clock ?? (() => new Date());
  }

  /** Builds the signed front form (01 consume or 02 pre-authorisation) as a URL; no call is made. */
  async authorize(request: AuthorizeRequest): Promise<AuthorizationOutcome> {
    if (request.currency !== 'CNY') {
      return {
        kind: 'failed',
        reason: 'PAYMENT.INVALID_PAYMENT_METHOD',
        message: `unionpay takes CNY only, not ${request.currency}`,
      };
    }
    if (!Number.isSafeInteger(request.amount) || request.amount < 1) {
      return {
        kind: 'failed',
        reason: 'PAYMENT.PROVIDER_ERROR',
        message: 'txnAmt must be a positive number of fen',
      };
    }
    const now = this.clock();
    const orderId = unionPayOrderId(request.orderId);
    const txnTime = unionPayTime(now);
    const expiresAt = new Date(now.getTime() + this.options.payTimeoutMinutes * 60_000);
    const fields = this.signed({
      txnType: this.options.mode === 'preauth' ? '02' : '01',
      txnSubType: '01',
      bizType: '000201',
      channelType: '07',
      orderId,
      txnTime,
      txnAmt: String(request.amount),
      currencyCode: CNY_CODE,
      frontUrl: this.options.frontUrl,
      backUrl: this.options.notifyUrl,
      payTimeout: unionPayTime(expiresAt),
    });
    const url = `${this.apiBase}${UNIONPAY_PATHS.front}?${new URLSearchParams(fields).toString()}`;
    return {
      kind: 'requires-action',
      providerPaymentRef: unionPayPaymentRef(orderId, txnTime),
      nextAction: { type: 'redirect', url },
      expiresAt,
    };
  }

  /** Pre-authorisation completion (03) for the amount asked. */
  async capture(request: SettleRequest): Promise<SettlementOutcome> {
    if (this.options.mode !== 'preauth') {
      return {
        kind: 'refused',
        code: 'immediate_capture',
        message: 'unionpay direct payments are taken at once',
      };
    }
    const held = await this.paidTrade(request, 'capture');
    if (held.kind !== 'paid') {
      return held.outcome;
    }
    return this.backTransaction(request, { txnType: '03', origQryId: held.queryId, txnAmt: request.amount });
  }

  /**
   * preauth: undo (32) of a held pre-authorisation; direct: nothing to close, so done once a query
   * shows the trade unpaid (the buyer can still pay until payTimeout: the saga refunds that late
   * payment), refused `trade_paid` when it is paid.
   */
  async void(request: SettleRequest): Promise<SettlementOutcome> {
    const ref = parsePaymentRef(request.providerPaymentRef);
    if (!ref) {
      return {
        kind: 'refused',
        code: 'no_payment_ref',
        message: 'the unionpay orderId and txnTime are not known',
      };
    }
    const lookup = await this.lookup(ref.orderId, ref.txnTime);
    if (lookup.kind === 'unknown') {
      return { kind: 'unavailable', message: lookup.message };
    }
    if (lookup.kind === 'missing' || !SUCCESS.has(lookup.origRespCode)) {
      if (lookup.kind === 'found' && UNKNOWN.has(lookup.origRespCode)) {
        return {
          kind: 'unavailable',
          message: `unionpay: the trade is still ${lookup.origRespCode} (unknown)`,
        };
      }
      return { kind: 'done' };
    }
    if (this.options.mode !== 'preauth') {
      return {
        kind: 'refused',
        code: 'trade_paid',
        message: `unionpay: the buyer has paid (queryId ${lookup.fields.queryId ?? '-'}): refund it instead`,
      };
    }
    return this.backTransaction(request, {
      txnType: '32',
      origQryId: lookup.fields.queryId ?? '',
      // An undo is of the whole pre-authorisation.
      txnAmt: Number(lookup.fields.txnAmt ?? request.paymentAmount),
    });
  }

  /** Refund (04) of the consumption (direct) or of the completion, by its queryId (preauth). */
  async refund(request: SettleRequest): Promise<SettlementOutcome> {
    let origQryId: string;
    if (this.options.mode === 'preauth') {
      if (!request.captureRef) {
        return {
          kind: 'refused',
          code: 'capture_ref_unknown',
          message:
            'a unionpay pre-authorisation is refunded by its completion queryId (captureRef), not given',
        };
      }
      origQryId = request.captureRef;
    } else {
      const paid = await this.paidTrade(request, 'refund');
      if (paid.kind !== 'paid') {
        return paid.outcome;
      }
      origQryId = paid.queryId;
    }
    return this.backTransaction(request, { txnType: '04', origQryId, txnAmt: request.amount });
  }

  async query(request: SettleRequest): Promise<PaymentQueryOutcome> {
    const ref = parsePaymentRef(request.providerPaymentRef);
    if (!ref) {
      return { kind: 'unknown', message: 'the unionpay orderId and txnTime are not known' };
    }
    const lookup = await this.lookup(ref.orderId, ref.txnTime);
    switch (lookup.kind) {
      case 'unknown':
        return lookup;
      case 'missing': {
        const sent = parseUnionPayTime(ref.txnTime)?.getTime() ?? 0;
        const lapsed = sent + this.options.payTimeoutMinutes * 60_000 + PAY_TIMEOUT_GRACE_MS;
        return this.clock().getTime() < lapsed
          ? { kind: 'awaiting-buyer' }
          : {
              kind: 'failed',
              reason: 'PAYMENT.TIMED_OUT',
              declineCode: '34',
              message: 'unionpay has no such transaction: the buyer did not pay before payTimeout',
            };
      }
      case 'found': {
        const code = lookup.origRespCode;
        if (SUCCESS.has(code)) {
          return { kind: 'authorized', providerPaymentRef: unionPayPaymentRef(ref.orderId, ref.txnTime) };
        }
        if (UNKNOWN.has(code)) {
          return { kind: 'unknown', message: `unionpay: origRespCode ${code}, ask again` };
        }
        return {
          kind: 'failed',
          reason: 'PAYMENT.DECLINED',
          declineCode: code,
          message: lookup.fields.origRespMsg,
        };
      }
    }
  }

  verifyWebhook(rawBody: Buffer, _headers: WebhookHeaders, now?: Date): WebhookParseResult {
    const fields = Object.fromEntries(new URLSearchParams(rawBody.toString('utf8')));
    const verdict = verifyUnionPayFields(fields, this.trust, now ?? this.clock());
    if (!verdict.ok) {
      return verdict;
    }
    if (fields.merId !== this.options.merId) {
      return { ok: false, rejection: 'PAYLOAD_MALFORMED', message: 'the notification is for another merId' };
    }
    try {
      return { ok: true, event: this.readWebhook(rawBody) };
    } catch (error) {
      return { ok: false, rejection: 'PAYLOAD_MALFORMED', message: (error as Error).message };
    }
  }

  /** Reads a stored, already verified notification: no certificate is checked again (it may have expired since). */
  readWebhook(rawBody: Buffer): PaymentWebhookEvent {
    const fields = Object.fromEntries(new URLSearchParams(rawBody.toString('utf8')));
    const { txnType, orderId, txnTime, respCode, queryId } = fields;
    if (!txnType || !orderId || !txnTime || !respCode) {
      throw new Error('a unionpay notification needs txnType, orderId, txnTime and respCode');
    }
    const providerEventId = queryId
      ? `${queryId}:${txnType}`
      : `${orderId}:${txnTime}:${txnType}:${respCode}`;
    const base = {
      providerEventId,
      type: `unionpay.${TXN_TYPES[txnType] ?? `txn-${txnType}`}`,
      orderId: waybillOrderId(orderId),
    };
    return { ...base, outcome: notifyOutcome(fields) };
  }

  /** The trade's queryId when it is paid; otherwise the settlement outcome to answer. */
  private async paidTrade(
    request: SettleRequest,
    step: string,
  ): Promise<{ kind: 'paid'; queryId: string } | { kind: 'not-paid'; outcome: SettlementOutcome }> {
    const ref = parsePaymentRef(request.providerPaymentRef);
    if (!ref) {
      return {
        kind: 'not-paid',
        outcome: {
          kind: 'refused',
          code: 'no_payment_ref',
          message: `nothing to ${step}: the trade is not known`,
        },
      };
    }
    const lookup = await this.lookup(ref.orderId, ref.txnTime);
    if (lookup.kind === 'unknown') {
      return { kind: 'not-paid', outcome: { kind: 'unavailable', message: lookup.message } };
    }
    if (lookup.kind === 'missing') {
      return {
        kind: 'not-paid',
        outcome: { kind: 'refused', code: '34', message: `unionpay has no such transaction to ${step}` },
      };
    }
    if (UNKNOWN.has(lookup.origRespCode)) {
      return {
        kind: 'not-paid',
        outcome: { kind: 'unavailable', message: `unionpay: the trade is ${lookup.origRespCode} (unknown)` },
      };
    }
    if (!SUCCESS.has(lookup.origRespCode) || !lookup.fields.queryId) {
      return {
        kind: 'not-paid',
        outcome: {
          kind: 'refused',
          code: lookup.origRespCode,
          message: `unionpay: the trade was not paid (${lookup.fields.origRespMsg ?? lookup.origRespCode})`,
        },
      };
    }
    return { kind: 'paid', queryId: lookup.fields.queryId };
  }

  /**
   * A completion, undo or refund on backTransReq.do: 00 is done; 03/04/05 are asked again by query
   * (its orderId and this txnTime) until known or the pending queries run out (unavailable: retried
   * later with the same orderId); anything else is refused.
   */
  private async backTransaction(
    request: SettleRequest,
    transaction: {
      readonly txnType: '03' | '04' | '32';
      readonly origQryId: string;
      readonly txnAmt: number;
    },
  ): Promise<SettlementOutcome> {
    const orderId = backTransactionOrderId(request.idempotencyKey);
    const txnTime = unionPayTime(this.clock());
    const reply = await this.call(UNIONPAY_PATHS.back, {
      txnType: transaction.txnType,
      txnSubType: '00',
      bizType: '000201',
      channelType: '07',
      orderId,
      txnTime,
      origQryId: transaction.origQryId,
      txnAmt: String(transaction.txnAmt),
      currencyCode: CNY_CODE,
      backUrl: this.options.notifyUrl,
    });
    if (!reply.ok) {
      return { kind: 'unavailable', message: reply.message };
    }
    const { respCode, respMsg, queryId } = reply.fields;
    if (respCode === '00') {
      return { kind: 'done', providerRef: queryId };
    }
    if (!UNKNOWN.has(respCode ?? '')) {
      return {
        kind: 'refused',
        code: respCode ?? 'none',
        message: `unionpay answered ${respCode}: ${respMsg ?? ''}`,
      };
    }
    const polls = this.options.pendingQueries ?? { attempts: 3, initialBackoffMs: 1000 };
    for (let attempt = 0; attempt < polls.attempts; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, polls.initialBackoffMs * 2 ** attempt));
      const lookup = await this.lookup(orderId, txnTime);
      if (lookup.kind !== 'found' || UNKNOWN.has(lookup.origRespCode)) {
        continue;
      }
      return SUCCESS.has(lookup.origRespCode)
        ? { kind: 'done', providerRef: lookup.fields.queryId }
        : {
            kind: 'refused',
            code: lookup.origRespCode,
            message: `unionpay: ${lookup.fields.origRespMsg ?? lookup.origRespCode}`,
          };
    }
    return {
      kind: 'unavailable',
      message: `unionpay answered ${respCode} and the transaction is still unknown`,
    };
  }

  /** A query (00) of one transaction by its orderId and txnTime. */
  private async lookup(orderId: string, txnTime: string): Promise<Lookup> {
    const reply = await this.call(UNIONPAY_PATHS.query, {
      txnType: '00',
      txnSubType: '00',
      bizType: '000000',
      orderId,
      txnTime,
    });
    if (!reply.ok) {
      return { kind: 'unknown', message: reply.message };
    }
    const { respCode, respMsg, origRespCode } = reply.fields;
    if (respCode === '34') {
      return { kind: 'missing' };
    }
    if (respCode !== '00' || !origRespCode) {
      return { kind: 'unknown', message: `unionpay query answered ${respCode ?? '-'}: ${respMsg ?? ''}` };
    }
    return { kind: 'found', fields: reply.fields, origRespCode };
  }

  /** One signed POST with bounded retries; an answer that does not verify counts as none. */
  private async call(path: string, fields: Record<string, string>): Promise<Reply> {
    const body = new URLSearchParams(this.signed(fields)).toString();
    const result = await withBoundedRetries(this.options.retry, async () => {
      const answer = await requestText({
        url: `${this.apiBase}${path}`,
        method: 'POST',
        encoded: { contentType: 'application/x-www-form-urlencoded;charset=UTF-8', body },
        timeoutMs: this.options.timeoutMs,
      });
      if (answer.status !== 200) {
        throw new ProviderUnavailableError(`HTTP ${answer.status}`);
      }
      let parsed: Record<string, string>;
      try {
        parsed = parseUnionPayAnswer(answer.text);
      } catch {
        throw new ProviderUnavailableError('an answer that is not k=v&k=v');
      }
      const verdict = verifyUnionPayFields(parsed, this.trust, this.clock());
      if (!verdict.ok) {
        throw new ProviderUnavailableError(
          `an answer that does not verify (${verdict.rejection}: ${verdict.message})`,
        );
      }
      return parsed;
    });
    return result.ok
      ? { ok: true, fields: result.value }
      : { ok: false, message: `unionpay: ${result.message} after ${result.attempts} attempt(s)` };
  }

  private signed(fields: Record<string, string>): Record<string, string> {
    return signRequest(
      {
        version: '5.1.0',
        encoding: 'UTF-8',
        signMethod: '01',
        accessType: '0',
        merId: this.options.merId,
        certId: this.certId,
        ...fields,
      },
      this.key,
    );
  }
}

const TXN_TYPES: Readonly<Record<string, string>> = {
  '01': 'consume',
  '02': 'preauth',
  '03': 'preauth-completion',
  '04': 'refund',
  '31': 'consume-undo',
  '32': 'preauth-undo',
  '33': 'completion-undo',
};

/** Consumption and pre-authorisation notifies drive the saga; the rest were answered synchronously. */
function notifyOutcome(fields: Record<string, string>): WebhookOutcome | undefined {
  if (fields.txnType !== '01' && fields.txnType !== '02') {
    return undefined;
  }
  const providerPaymentRef = unionPayPaymentRef(fields.orderId, fields.txnTime);
  // "Unknown" is not a decline: the query that follows a missing outcome decides.
  if (UNKNOWN.has(fields.respCode)) {
    return undefined;
  }
  if (SUCCESS.has(fields.respCode)) {
    return { kind: 'authorized', providerPaymentRef };
  }
  return {
    kind: 'failed',
    providerPaymentRef,
    reason: 'PAYMENT.DECLINED',
    declineCode: fields.respCode,
    message: fields.respMsg,
  };
}
