/**
 * Youzan (有赞) push messages, verified on the exact field Youzan signs (channels-and-console notes
 * A3, from the Odoo Youzan addon's YZPushService.check_sign):
 *   POST JSON {client_id, id (tid), kdt_id, kdt_name, mode, msg, sendCount, sign, status, test, type, version}
 *   sign = lowercase hex md5(client_id + msg + client_secret), where msg is the field's text still
 *   URL-encoded, exactly as it stands in the body — not the decoded JSON. URL-encoded text is ASCII
 *   without quotes or backslashes, so the JSON string value and its bytes in the body are the same.
 *   Only after the sign holds is msg URL-decoded (Java's URLEncoder writes spaces as `+`) and parsed.
 * The answer Youzan waits for is `{"code":0,"msg":"success"}` (YOUZAN_ACKNOWLEDGEMENT).
 *
 * The notes mark a newer header-based scheme (`Event-Sign`, `Client-Id`, `Event-Type` headers) as
 * unverified: no source shows which bytes it hashes. It is not accepted here; a push carrying only
 * those headers is refused as SIGNATURE_MISSING rather than guessed at.
 *
 * Hand-written over node:crypto: the scheme is one MD5 over a concatenation, and Youzan's SDKs
 * (youzanyun-sdk-*) are Java/PHP/Python clients with no maintained Node counterpart.
 *
 * Deduplication: Youzan resends a push it was not answered (`sendCount` counts up), with the same
 * msg; so a push is named by shop, type, trade, status and a digest of msg, never by sendCount.
 * No staleness bound: Youzan signs no timestamp and its retry schedule is not documented; a replay
 * is that same name and so a duplicate. A `test: true` push is the console's connectivity check:
 * verified, answered, ignored.
 */
import { createHash } from 'node:crypto';
import { safeEqual, type WebhookRefusal } from '@waybill/platform';

/** What Youzan reads as "delivered"; anything else makes it push again. */
export const YOUZAN_ACKNOWLEDGEMENT: Readonly<{ code: 0; msg: 'success' }> = { code: 0, msg: 'success' };

/** The push types the channel acts on: trade state changes and refunds. */
export const YOUZAN_TYPES = ['TRADE_ORDER_STATE', 'TRADE_ORDER_REFUND'] as const;
export type YouzanType = (typeof YOUZAN_TYPES)[number];

export interface YouzanPushCheck {
  readonly rawBody: Buffer;
  /** The app's client_id and client_secret (有赞云 应用凭证). */
  readonly clientId: string;
  readonly clientSecret: string;
  /** The connection's shop, kdt_id, as text. */
  readonly kdtId: string;
}

export type YouzanPushVerdict =
  | {
      readonly ok: true;
      readonly externalId: string;
      /** `type` as Youzan names it, `TRADE_ORDER_STATE`. */
      readonly eventType: string;
      readonly ignored?: boolean;
      /** The trade id (tid), and the status the push reports. */
      readonly tid: string;
      readonly status: string;
      /** msg, decoded and parsed. */
      readonly message: Readonly<Record<string, unknown>>;
    }
  | WebhookRefusal;

const MD5_HEX = /^[0-9a-f]{32}$/i;

/** md5(client_id + msg + client_secret), lowercase hex, over msg as it stands in the body. */
export function youzanSign(clientId: string, msg: string, clientSecret: string): string {
  return createHash('md5').update(`${clientId}${msg}${clientSecret}`, 'utf8').digest('hex');
}

export function isYouzanType(type: string): type is YouzanType {
  return (YOUZAN_TYPES as readonly string[]).includes(type);
}

export function verifyYouzanPush(check: YouzanPushCheck): YouzanPushVerdict {
  if (check.clientId === '' || check.clientSecret === '') {
    return {
      ok: false,
      rejection: 'NOT_CONFIGURED',
      message: 'no Youzan client id and secret are configured',
    };
  }
  let body: Readonly<Record<string, unknown>>;
  try {
    const value: unknown = JSON.parse(check.rawBody.toString('utf8'));
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return malformed('the body must be a JSON object');
    }
    body = value as Readonly<Record<string, unknown>>;
  } catch {
    return malformed('the body is not valid JSON');
  }
  const sign = body.sign;
  if (sign === undefined || sign === null || sign === '') {
    return { ok: false, rejection: 'SIGNATURE_MISSING', message: 'the push carries no sign field' };
  }
  if (typeof sign !== 'string' || !MD5_HEX.test(sign)) {
    return { ok: false, rejection: 'SIGNATURE_MALFORMED', message: 'sign must be the hex of an MD5 digest' };
  }
  const { msg, client_id: clientId } = body;
  if (typeof msg !== 'string' || typeof clientId !== 'string') {
    return malformed('msg and client_id must be strings');
  }
  // Our own client id goes into the digest, so a push for another app cannot match by naming itself.
  const expected = youzanSign(check.clientId, msg, check.clientSecret);
  if (!safeEqual(expected, sign.toLowerCase()) || clientId !== check.clientId) {
    return {
      ok: false,
      rejection: 'SIGNATURE_MISMATCH',
      message: 'sign does not match msg with the configured client id and secret',
    };
  }
  if (String(body.kdt_id) !== check.kdtId.trim()) {
    return { ok: false, rejection: 'SIGNATURE_MISMATCH', message: 'the push is for another shop (kdt_id)' };
  }
  const { type, status } = body;
  // Trade ids (E2026…) are strings; a numeric id would already have lost digits in JSON.parse.
  const tid = body.id;
  if (typeof type !== 'string' || type === '' || typeof tid !== 'string' || tid === '') {
    return malformed('type and id must be non-empty strings');
  }
  let message: Readonly<Record<string, unknown>>;
  try {
    message = decodeYouzanMsg(msg);
  } catch (error) {
    return malformed(error instanceof Error ? error.message : 'msg must be URL-encoded JSON');
  }
  const statusText = typeof status === 'string' ? status : '';
  const digest = createHash('sha256').update(msg, 'utf8').digest('hex').slice(0, 16);
  const ignored = body.test === true || !isYouzanType(type);
  return {
    ok: true,
    externalId: `${check.kdtId.trim()}:${type}:${tid}:${statusText}:${digest}`,
    eventType: type,
    ...(ignored && { ignored: true }),
    tid,
    status: statusText,
    message,
  };
}

/** The JSON text msg carries, decoded but not parsed (its ids keep every digit). */
export function youzanMsgText(msg: string): string {
  return decodeURIComponent(msg.replace(/\+/g, ' '));
}

/** msg as Youzan sends it (URL-encoded JSON, Java style: spaces as `+`) → the object; throws otherwise. */
export function decodeYouzanMsg(msg: string): Readonly<Record<string, unknown>> {
  let value: unknown;
  try {
    value = JSON.parse(youzanMsgText(msg));
  } catch {
    throw new Error('msg must be URL-encoded JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error('msg must decode to a JSON object');
  }
  return value as Readonly<Record<string, unknown>>;
}

function malformed(message: string): WebhookRefusal {
  return { ok: false, rejection: 'PAYLOAD_MALFORMED', message };
}
