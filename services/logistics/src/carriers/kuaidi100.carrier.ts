/**
 * Kuaidi100 (快递100), hand-written from the documented format (carriers-cn notes §4): a tracking
 * aggregator that books nothing. Waybill subscribes a parcel once (`POST <base>/poll`, form fields
 * `schema=json` and `param`, authenticated by the `key` inside `param`), then Kuaidi100 pushes the
 * parcel's whole trace, newest first, to our callbackurl as form fields `param` and `sign`, where
 * sign = UPPER(MD5(param + salt)). Its Java SDK would bring an HTTP client and a JSON library for a
 * form post and one MD5; kuaidi100.protocol.ts holds the signs and the status table.
 */
import { createHash } from 'node:crypto';
import type { WebhookRefusal } from '@waybill/platform';
import { webhookRejection } from '@waybill/platform';
import type { TrackingUpdate } from '../domain/tracking-update';
import type {
  BookingOutcome,
  CancellationOutcome,
  Carrier,
  ParsedWebhook,
  SubscribeTrackingOutcome,
  SubscribeTrackingRequest,
  WebhookAcknowledgement,
  WebhookVerdict,
} from './carrier';
import { asObject, JsonObject, optionalString, requiredString } from './json-body';
import { KUAIDI100_STATUS_TABLE, kuaidi100Status, verifyKuaidi100PushSign } from './kuaidi100.protocol';
import { parseShanghaiTime } from './shanghai-time';
import { readVerifiedBody } from './webhook-verdict';

/** The answer Kuaidi100 counts as delivered, byte for byte (anything else is retried 3 times). */
export const KUAIDI100_ACK_BODY = '{"result":true,"returnCode":"200","message":"成功"}';

/**
 * After `abort` ("3天查询无记录", "60天无变化") Kuaidi100 stops polling the parcel; its notes say a
 * parcel still wanted may be subscribed again after at least 30 minutes.
 */
export const KUAIDI100_RESUBSCRIBE_AFTER_MS = 30 * 60_000;

/** Subscribe answers that are a refusal of this request, not an outage: retrying cannot help. */
const FATAL_RETURN_CODES = new Set(['600', '601', '700', '701', '702']);

export interface Kuaidi100Options {
  readonly apiBase: string;
  /** Authorises the subscribe; never logged, never in an error message. */
  readonly key: string;
  /** Signs the pushes; sent with each subscription, so Kuaidi100 signs with what we verify with. */
  readonly salt: string;
  /** Where Kuaidi100 pushes: `<LOGISTICS_PUBLIC_BASE_URL>/v1/webhooks/carriers/kuaidi100`. */
  readonly callbackUrl: string;
  readonly timeoutMs: number;
}

export class Kuaidi100Carrier implements Carrier {
  readonly name = 'kuaidi100';
  /** Everything is in the form body (`param`, `sign`): no header is needed later. */
  readonly webhookHeaders: readonly string[] = [];
  readonly aggregator = true;
  readonly authenticatedBy = 'signature';
  readonly statusTable = KUAIDI100_STATUS_TABLE;

  constructor(private readonly options: Kuaidi100Options) {}

  createShipment(): Promise<BookingOutcome> {
    return Promise.resolve(trackingOnly());
  }

  cancelShipment(): Promise<CancellationOutcome> {
    return Promise.resolve(trackingOnly());
  }

  /**
   * The sign is checked on `param` exactly as received (form-decoded, never re-serialised). Pushes
   * carry no time of sending, so there is no age bound: a replay is the same delivery id (the
   * inbox drops it), and an old trace replayed under any id only re-records nodes the history
   * already has.
   */
  verifyWebhook(rawBody: Buffer): WebhookVerdict {
    if (this.options.salt === '') {
      return { ok: false, rejection: 'NOT_CONFIGURED', message: 'no Kuaidi100 salt is configured' };
    }
    const form = new URLSearchParams(rawBody.toString('utf8'));
    const param = form.get('param');
    if (param === null || param === '') {
      return { ok: false, rejection: 'PAYLOAD_MALFORMED', message: 'the form field param is missing' };
    }
    const sign = form.get('sign')?.trim();
    if (!sign) {
      return { ok: false, rejection: 'SIGNATURE_MISSING', message: 'the form field sign is missing' };
    }
    if (!/^[0-9A-Fa-f]{32}$/.test(sign)) {
      return {
        ok: false,
        rejection: 'SIGNATURE_MALFORMED',
        message: 'the form field sign must be 32 hex digits (UPPER(MD5(param + salt)))',
      };
    }
    if (!verifyKuaidi100PushSign(param, sign, this.options.salt)) {
      return {
        ok: false,
        rejection: 'SIGNATURE_MISMATCH',
        message: 'the sign does not match param with the configured salt',
      };
    }
    return readVerifiedBody(() => readPush(param));
  }

  readWebhook(rawBody: Buffer): ParsedWebhook {
    return readPush(formParam(rawBody));
  }

  acknowledge(): WebhookAcknowledgement {
    return { status: 200, contentType: 'application/json;charset=UTF-8', body: KUAIDI100_ACK_BODY };
  }

  /**
   * Kuaidi100's failure form, `{"result":false,"returnCode":…}`, with the HTTP status the ingress
   * would have given (400 malformed, 401 unauthenticated). A refused push is retried by Kuaidi100
   * 3 times about 30 minutes apart; a forged one fails each time and is counted by the ingress.
   */
  refuse(refusal: WebhookRefusal): WebhookAcknowledgement {
    const status = webhookRejection(refusal.rejection, refusal.message).getStatus();
    return {
      status,
      contentType: 'application/json;charset=UTF-8',
      body: JSON.stringify({ result: false, returnCode: String(status), message: refusal.message }),
    };
  }

  /** One subscribe attempt (the subscription worker retries with backoff). 501 "already subscribed" is success. */
  async subscribe(request: SubscribeTrackingRequest): Promise<SubscribeTrackingOutcome> {
    const parameters: Record<string, string> = {
      callbackurl: this.options.callbackUrl,
      salt: this.options.salt,
      // 6: every trace node carries its sub-state (statusCode), which is what readWebhook maps.
      resultv2: '6',
    };
    if (request.phone) {
      parameters.phone = request.phone;
    }
    const param = JSON.stringify({
      company: request.company,
      number: request.trackingNumber,
      key: this.options.key,
      parameters,
    });
    let text: string;
    let httpStatus: number;
    try {
      const response = await fetch(`${this.options.apiBase.replace(/\/+$/, '')}/poll`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=UTF-8' },
        body: new URLSearchParams({ schema: 'json', param }).toString(),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      httpStatus = response.status;
      text = await response.text();
    } catch (error) {
      const timedOut = error instanceof Error && error.name === 'TimeoutError';
      return {
        kind: 'unavailable',
        message: timedOut
          ? `Kuaidi100 did not answer in ${this.options.timeoutMs} ms`
          : `Kuaidi100 could not be reached (${(error as Error).name})`,
      };
    }
    if (httpStatus >= 500) {
      return { kind: 'unavailable', message: `Kuaidi100 answered HTTP ${httpStatus}` };
    }
    let answer: JsonObject;
    try {
      answer = asObject(JSON.parse(text), 'the answer');
    } catch {
      return { kind: 'unavailable', message: `Kuaidi100 answered HTTP ${httpStatus} without a JSON body` };
    }
    // A string in the docs; some SDKs read it as a number.
    const returnCode =
      typeof answer.returnCode === 'string' || typeof answer.returnCode === 'number'
        ? String(answer.returnCode)
        : '';
    // Kuaidi100's own message, cut: it names the problem (bad key, bad number), never our key.
    const message = (optionalString(answer, 'message', 200) ?? '').trim();
    if (returnCode === '200' || returnCode === '501') {
      return { kind: 'subscribed', alreadySubscribed: returnCode === '501' };
    }
    if (FATAL_RETURN_CODES.has(returnCode)) {
      return { kind: 'refused', code: `KUAIDI100.${returnCode}`, message: message || 'refused' };
    }
    return {
      kind: 'unavailable',
      message: `Kuaidi100 answered returnCode ${returnCode || '(none)'}${message ? `: ${message}` : ''}`,
    };
  }
}

function trackingOnly(): { kind: 'refused'; code: string; message: string } {
  return {
    kind: 'refused',
    code: 'KUAIDI100.TRACKING_ONLY',
    message: 'kuaidi100 tracks parcels other carriers booked; it books and cancels none',
  };
}

function formParam(rawBody: Buffer): string {
  const param = new URLSearchParams(rawBody.toString('utf8')).get('param');
  if (param === null || param === '') {
    throw new Error('the form field param is missing');
  }
  return param;
}

/**
 * Every trace node that says what it is becomes an update, newest first as pushed: a node with a
 * sub-state (`statusCode`, sent with resultv2 6, which Waybill subscribes with) maps by it alone;
 * the newest node without one takes `lastResult.state`, which describes only that node. An older
 * node without a statusCode (a subscription made without resultv2) has no status of its own and
 * is left out: giving it the state it had when it was newest would record it again under another
 * code on the next push, because the history dedupes on the carrier code (see the README).
 */
function readPush(param: string): ParsedWebhook {
  let parsed: unknown;
  try {
    parsed = JSON.parse(param);
  } catch {
    throw new Error('param is not valid JSON');
  }
  const body = asObject(parsed, 'param');
  const status = requiredString(body, 'status', 'param', 32);
  const lastResult = asObject(body.lastResult, 'param.lastResult');
  const trackingNumber = requiredString(lastResult, 'nu', 'param.lastResult', 64);
  const company = requiredString(lastResult, 'com', 'param.lastResult', 64);
  const state = optionalString(lastResult, 'state', 16);
  const data = lastResult.data ?? [];
  if (!Array.isArray(data)) {
    throw new Error('param.lastResult.data must be an array');
  }
  const updates: TrackingUpdate[] = [];
  data.forEach((item: unknown, index) => {
    const node = asObject(item, `param.lastResult.data[${index}]`);
    const statusCode = optionalString(node, 'statusCode', 16)?.trim();
    const code = statusCode ?? (index === 0 ? state?.trim() : undefined);
    const occurredAt = parseShanghaiTime(node.ftime ?? node.time, `param.lastResult.data[${index}].ftime`);
    if (code === undefined) {
      return;
    }
    const match = statusCode ? kuaidi100Status(undefined, statusCode) : kuaidi100Status(code);
    updates.push({
      trackingNumber,
      carrierStatus: code,
      status: match.status,
      mapped: match.mapped,
      occurredAt: occurredAt.toISOString(),
      location: optionalString(node, 'areaName', 200),
      message: optionalString(node, 'context'),
    });
  });
  // The whole param identifies a delivery: a retried push (we did not ack) is the same bytes, and
  // anything new (a node, abort after polling) changes it. See the README on dedupe.
  const digest = createHash('sha256').update(param, 'utf8').digest('hex');
  const ischeck = optionalString(lastResult, 'ischeck', 4);
  // `shutdown` ends polling for good once signed (ischeck 1); without a signature it is an abort.
  const stopped = status === 'abort' || (status === 'shutdown' && ischeck !== '1');
  return {
    externalId: `${company}:${trackingNumber}:${digest}`,
    eventType: status,
    updates,
    ...(stopped && { resubscribe: { trackingNumber, afterMs: KUAIDI100_RESUBSCRIBE_AFTER_MS } }),
  };
}
