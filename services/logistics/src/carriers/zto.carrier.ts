/**
 * ZTO (中通, the ZOP open platform), hand-written from the documented wire format (carriers-cn notes
 * §2): there is no maintained ZTO library for Node, and the ZOP SDKs (zopsdk-java, zopsdk-node) are
 * copy-in sources that bring their own HTTP client, no retries and no outcomes; what they do is one
 * digest over the body (zto.protocol.ts) and a POST to `<base>/<API name>`, which requestJson does.
 * - Booking is `zto.open.createOrder` keyed by `partnerOrderCode` = our shipment id, so a booking
 *   retried after a lost answer gets the first bill back; then the bill is subscribed to track
 *   pushes (`zto.merchant.waybill.track.subsrcibe`, misspelt as the real one is). Subscribing again
 *   is harmless, so a retried booking simply does both again.
 * - ZOP answers HTTP 200 for everything and tells success by `status: true`. Its gateway codes for
 *   its own trouble (S200 timeout, S202 backend error, S203 unavailable, S206/S221 rate limits) are
 *   outages: retried, then `unavailable`. Every other `status: false` (S211 signature, S210 not
 *   bound, S208 missing parameter, a business refusal) is a refusal with ZTO's code.
 * - Track pushes are one event each, `data` signed by `data_digest` = Base64(MD5(data + appSecret)),
 *   as form fields or JSON. ZTO signs no timestamp, so a replay is bounded by the event's own
 *   `actionTime`, and a push has no id, so it is identified by a hash of `data` as received.
 */
import { createHash } from 'node:crypto';
import type { PostalAddress } from '@waybill/contracts';
import {
  headerValue,
  ProviderUnavailableError,
  requestJson,
  webhookRejection,
  withBoundedRetries,
} from '@waybill/platform';
import type { TrackingUpdate } from '../domain/tracking-update';
import type {
  BookingOutcome,
  CancellationOutcome,
  CancelShipmentRequest,
  Carrier,
  CarrierCallOptions,
  CreateShipmentRequest,
  ParsedWebhook,
  WebhookAcknowledgement,
  WebhookHeaders,
  WebhookRefusal,
  WebhookVerdict,
} from './carrier';
import { asObject, JsonObject, joinLocation, optionalString, requiredString } from './json-body';
import { readPushFields } from './push-fields';
import { parseShanghaiTime } from './shanghai-time';
import { eventAgeVerdict, readVerifiedBody } from './webhook-verdict';
import { verifyZtoDataDigest, ZTO_STATUS_TABLE, ztoDataDigest, ztoTrackStatus } from './zto.protocol';

export interface ZtoOptions extends CarrierCallOptions {
  /** https://japi.zto.com (test: https://japi-test.zto.com); the API name is appended. */
  readonly apiBase: string;
  readonly appKey: string;
  readonly appSecret: string;
  readonly maxEventAgeSeconds: number;
}

/** ZOP's codes for trouble on its side (carriers-cn notes §2.1; 公共错误码): worth another attempt. */
const ZOP_OUTAGE_CODES: ReadonlySet<string> = new Set(['S200', 'S202', 'S203', 'S206', 'S221']);
/** Base64 of a 16-byte MD5: anything else in `data_digest` is not a ZOP digest at all. */
const DIGEST_FORMAT = /^[A-Za-z0-9+/]{22}==$/;
/** A push is one event; a `data` this long is not one. */
const MAX_DATA_LENGTH = 16 * 1024;
const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/** What one ZOP call came back with, outages taken out: `result` on `status: true`, else ZTO's refusal. */
type ZopReply =
  | { readonly kind: 'answered'; readonly result: unknown }
  | { readonly kind: 'refused'; readonly code: string; readonly message: string };

export class ZtoCarrier implements Carrier {
  readonly name = 'zto';
  /** Read again with the stored body: it says whether the fields are a form or JSON. */
  readonly webhookHeaders = ['content-type'];
  readonly aggregator = false;
  readonly authenticatedBy = 'signature';
  readonly statusTable = ZTO_STATUS_TABLE;

  constructor(private readonly options: ZtoOptions) {}

  async createShipment(request: CreateShipmentRequest): Promise<BookingOutcome> {
    const sender = request.shipFrom;
    if (!sender) {
      return refused('ZTO.SENDER_REQUIRED', 'zto needs a sender address: set LOGISTICS_SHIP_FROM');
    }
    // ZTO books nothing without a phone on either side, and subscribes by the receiver's last 4 digits.
    const receiverMobile = ztoPhone(request.recipient);
    const senderMobile = ztoPhone(sender);
    if (!receiverMobile || !senderMobile) {
      return refused(
        'ZTO.PHONE_REQUIRED',
        `zto needs a phone number for the ${receiverMobile ? 'sender (LOGISTICS_SHIP_FROM)' : 'recipient'}`,
      );
    }
    const created = await this.call('zto.open.createOrder', {
      // As the sandbox's official sample sends them; which of ZTO's order kinds (全网件 / 预约件) and
      // e-waybill account (`accountInfo`, none sent here) an app needs is set per contract with ZTO.
      // Only 预约件 orders can be cancelled (cancelPreOrder): VERIFY-LIVE against the console.
      partnerType: '2',
      orderType: '1',
      partnerOrderCode: request.shipmentId,
      senderInfo: {
        senderName: sender.name ?? '',
        senderMobile,
        senderProvince: sender.region ?? '',
        senderCity: sender.city,
        senderAddress: street(sender),
      },
      receiveInfo: {
        receiverName: request.recipient.name ?? '',
        receiverMobile,
        receiverProvince: request.recipient.region ?? '',
        receiverCity: request.recipient.city,
        receiverAddress: street(request.recipient),
      },
      // Operators find the order from the label; the shipment id is already partnerOrderCode.
      remark: `order ${request.orderId}`,
    });
    if (created.kind !== 'answered') {
      return created;
    }
    const result =
      typeof created.result === 'object' && created.result !== null ? (created.result as JsonObject) : {};
    const billCode = optionalString(result, 'billCode', 64);
    if (!billCode) {
      return refused('ZTO.NO_BILL_CODE', 'zto accepted the order without a billCode');
    }
    const subscribed = await this.call('zto.merchant.waybill.track.subsrcibe', {
      billCode,
      mobilePhone: receiverMobile.slice(-4),
    });
    if (subscribed.kind === 'unavailable') {
      // The bill exists at ZTO; the booking is retried, gets the same bill and subscribes again.
      return subscribed;
    }
    return {
      kind: 'booked',
      trackingNumber: billCode,
      carrierShipmentId: optionalString(result, 'orderCode', 64),
      // The bill exists whatever ZTO says about tracking it: refusing the booking would leave a
      // parcel nobody knows about (and nobody can cancel). Kuaidi100 can still track it.
      ...(subscribed.kind === 'refused' && {
        warning: `${subscribed.message} (${subscribed.code}): bill ${billCode} is booked but ZTO will not push its tracking`,
      }),
    };
  }

  async cancelShipment(request: CancelShipmentRequest): Promise<CancellationOutcome> {
    // cancelType 1 is 不想寄了 ("no longer sending"), the one of ZTO's seven reasons a merchant's
    // cancellation is. Only 预约件 orders under this app key can be cancelled: ZTO refuses others.
    const cancelled = await this.call('zto.open.cancelPreOrder', {
      cancelType: '1',
      ...(request.carrierShipmentId && { orderCode: request.carrierShipmentId }),
      billCode: request.trackingNumber,
    });
    return cancelled.kind === 'answered' ? { kind: 'cancelled' } : cancelled;
  }

  verifyWebhook(rawBody: Buffer, headers: WebhookHeaders, now = new Date()): WebhookVerdict {
    if (this.options.appSecret === '') {
      return { ok: false, rejection: 'NOT_CONFIGURED', message: 'no ZTO app secret is configured' };
    }
    let fields: JsonObject;
    try {
      fields = readPushFields(rawBody, headerValue(headers, 'content-type'));
    } catch (error) {
      return { ok: false, rejection: 'PAYLOAD_MALFORMED', message: (error as Error).message };
    }
    const digest = fields.data_digest;
    if (digest === undefined || digest === '') {
      return { ok: false, rejection: 'SIGNATURE_MISSING', message: 'the data_digest field is missing' };
    }
    if (typeof digest !== 'string' || !DIGEST_FORMAT.test(digest.trim())) {
      return {
        ok: false,
        rejection: 'SIGNATURE_MALFORMED',
        message: 'the data_digest field must be the Base64 of an MD5 digest',
      };
    }
    const data = fields.data;
    if (typeof data !== 'string') {
      return { ok: false, rejection: 'PAYLOAD_MALFORMED', message: 'the data field must be a string' };
    }
    if (!verifyZtoDataDigest(data, digest, this.options.appSecret)) {
      return {
        ok: false,
        rejection: 'SIGNATURE_MISMATCH',
        message: 'the data_digest does not match data with the configured app secret',
      };
    }
    if (!isTrackPush(fields)) {
      // Signed with our secret but not a track event: answered, never stored.
      return { ok: true, externalId: pushId(data), eventType: String(fields.msg_type), ignored: true };
    }
    let occurredAtMs = Number.NaN;
    const verdict = readVerifiedBody(() => {
      const read = this.read(fields);
      occurredAtMs = read.occurredAtMs;
      return read.webhook;
    });
    if (!verdict.ok) {
      return verdict;
    }
    return eventAgeVerdict(occurredAtMs, this.options.maxEventAgeSeconds, now) ?? verdict;
  }

  readWebhook(rawBody: Buffer, headers: WebhookHeaders): ParsedWebhook {
    return this.read(readPushFields(rawBody, headerValue(headers, 'content-type'))).webhook;
  }

  /** ZTO counts a push delivered on `status: true`; the rest of the body is for its logs. */
  acknowledge(): WebhookAcknowledgement {
    return {
      status: 200,
      contentType: JSON_CONTENT_TYPE,
      body: JSON.stringify({ status: true, message: 'success', result: 'success', statusCode: '200' }),
    };
  }

  /**
   * `status: false` with the status the refusal implies (401 bad or stale digest, 400 unreadable,
   * 413 too large), so ZTO sends it again: a push refused for a secret being rotated arrives later.
   */
  refuse(refusal: WebhookRefusal): WebhookAcknowledgement {
    const status = webhookRejection(refusal.rejection, refusal.message).getStatus();
    return {
      status,
      contentType: JSON_CONTENT_TYPE,
      body: JSON.stringify({
        status: false,
        message: refusal.message,
        result: `WEBHOOK.${refusal.rejection}`,
        statusCode: String(status),
      }),
    };
  }

  private read(fields: JsonObject): { webhook: ParsedWebhook; occurredAtMs: number } {
    const data = requiredString(fields, 'data', 'the push', MAX_DATA_LENGTH);
    const externalId = pushId(data);
    if (!isTrackPush(fields)) {
      return {
        webhook: { externalId, eventType: String(fields.msg_type), updates: [] },
        occurredAtMs: Number.NaN,
      };
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(data);
    } catch {
      throw new Error('the push data is not valid JSON');
    }
    const event = asObject(parsed, 'data');
    const action = requiredString(event, 'action', 'data', 64);
    const occurredAt = parseShanghaiTime(event.actionTime, 'data.actionTime');
    const { status, mapped } = ztoTrackStatus(action);
    const update: TrackingUpdate = {
      trackingNumber: requiredString(event, 'billCode', 'data', 64),
      carrierStatus: action,
      status,
      mapped,
      occurredAt: occurredAt.toISOString(),
      location: joinLocation(optionalString(event, 'facilityName', 100), optionalString(event, 'city', 100)),
      message: optionalString(event, 'desc'),
    };
    return {
      webhook: { externalId, eventType: `Traces.${action}`, updates: [update] },
      occurredAtMs: occurredAt.getTime(),
    };
  }

  /** One ZOP call: the body signed as sent, outages retried, ZTO's refusals kept as its own codes. */
  private async call(
    api: string,
    body: object,
  ): Promise<ZopReply | { readonly kind: 'unavailable'; readonly message: string }> {
    const text = JSON.stringify(body);
    const result = await withBoundedRetries(this.options.retry, async (): Promise<ZopReply> => {
      const { status, body: answer } = await requestJson({
        url: `${this.options.apiBase.replace(/\/+$/, '')}/${api}`,
        method: 'POST',
        headers: {
          'x-companyid': this.options.appKey,
          'x-datadigest': ztoDataDigest(text, this.options.appSecret),
        },
        encoded: { contentType: 'application/json; charset=UTF-8', body: text },
        timeoutMs: this.options.timeoutMs,
      });
      if (status >= 400) {
        return {
          kind: 'refused',
          code: `ZTO.HTTP_${status}`,
          message: `zto answered ${api} with HTTP ${status}`,
        };
      }
      if (answer.status === true) {
        return { kind: 'answered', result: answer.result };
      }
      const code =
        typeof answer.statusCode === 'string' && answer.statusCode !== '' ? answer.statusCode : 'UNKNOWN';
      const message = typeof answer.message === 'string' ? answer.message.slice(0, 300) : '';
      if (ZOP_OUTAGE_CODES.has(code)) {
        throw new ProviderUnavailableError(`zop ${code}${message && ` ${message}`}`);
      }
      return { kind: 'refused', code: `ZTO.${code}`, message: `zto refused ${api}: ${message || code}` };
    });
    if (!result.ok) {
      return {
        kind: 'unavailable',
        message: `zto ${api}: ${result.message} after ${result.attempts} attempt(s)`,
      };
    }
    return result.value;
  }
}

/** ZTO gives a push no id: the same `data` is the same event, byte for byte. */
function pushId(data: string): string {
  return `zto:${createHash('sha256').update(data, 'utf8').digest('base64url')}`;
}

/** `msg_type=Traces` is a track event; a push without msg_type is taken as one too. */
function isTrackPush(fields: JsonObject): boolean {
  return fields.msg_type === undefined || fields.msg_type === 'Traces';
}

function refused(code: string, message: string): { kind: 'refused'; code: string; message: string } {
  return { kind: 'refused', code, message };
}

/** A Chinese number as ZTO's 11-digit mobile (without +86); any other country's in full E.164. */
function ztoPhone(address: PostalAddress): string | undefined {
  const phone = address.phone?.trim();
  if (!phone) {
    return undefined;
  }
  return phone.startsWith('+86') ? phone.slice(3) : phone;
}

function street(address: PostalAddress): string {
  return [address.line1, address.line2].filter((part) => part !== undefined && part !== '').join(' ');
}
