/**
 * SF Express (顺丰, the 丰桥 open platform), hand-written: there is no maintained SF library for
 * Node (SF's own SDKs are copy-in samples), and the protocol is one signed form POST. Built from
 * the documented format (carriers-cn notes §1.2–§1.8), never from the fake's code.
 * - Every call is a form POST to `${apiBase}/std/service` signed with sfMsgDigest. The answer has
 *   two layers: `apiResultCode` A1000 only says the gateway took the call; the business result is
 *   inside `apiResultData`, a JSON *string*, with `errorCode` S0000 on success.
 * - Our shipment id is SF's `orderId`, SF's idempotency key: a booking retried after a lost answer
 *   gets 8016 重复下单, whose answer carries no waybill (msgData null in the sandbox fixture), so
 *   the waybill number is recovered with the route query by orderId (trackingType 2, §1.7).
 *   EXP_RECE_SEARCH_ORDER_RESP would be the direct way, but the notes do not document its answer.
 * - Route pushes carry no signature (§1.6): they are authenticated by the secret path token
 *   (LOGISTICS_SF_PUSH_TOKEN, constant-time) and, when configured, the sender's address. Only the
 *   console's `json` push mode is read; the XML `form` mode is refused as malformed.
 */
import { createHash, randomUUID } from 'node:crypto';
import { BlockList, isIP, isIPv4 } from 'node:net';
import type { PostalAddress } from '@waybill/contracts';
import {
  ProviderUnavailableError,
  requestJson,
  safeEqual,
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
  PushRequest,
  WebhookAcknowledgement,
  WebhookHeaders,
  WebhookReceipt,
  WebhookRefusal,
  WebhookVerdict,
} from './carrier';
import { asObject, JsonObject, optionalString, parseJsonObject, requiredString } from './json-body';
import { SF_STATUS_TABLE, sfMsgDigest, sfNewWaybillNumber, sfRouteStatus } from './sf.protocol';
import { parseShanghaiTime } from './shanghai-time';
import { readVerifiedBody } from './webhook-verdict';

/** The exact answer SF's route push expects; anything else makes SF push the whole batch again. */
export const SF_PUSH_ACK = '{"return_code":"0000","return_msg":"成功"}';
const SF_CONTENT_TYPE = 'application/json;charset=UTF-8';
/** SF's limit for both a push batch and a route query. */
const MAX_ROUTES = 10;
/**
 * Gateway codes that say "not now" rather than "no": rate limited, a downstream service down, a
 * system error. Retried with the other outages; every other A-code is a refusal of the call.
 */
const TRANSIENT_GATEWAY_CODES = new Set(['A1005', 'A1009', 'A1099']);
/** 8016 重复下单: this orderId was booked before. 8037 订单已消单: already cancelled. */
const DUPLICATE_ORDER = '8016';
const ALREADY_CANCELLED = '8037';

export interface SfOptions extends CarrierCallOptions {
  /** Scheme and host (https://bspgw.sf-express.com); the service is at `/std/service`. */
  readonly apiBase: string;
  readonly partnerId: string;
  readonly checkWord: string;
  readonly monthlyCard: string;
  /** The push path's secret; without it every push is refused (NOT_CONFIGURED). */
  readonly pushToken?: string;
  /** Addresses or CIDRs SF pushes from; when set, pushes from anywhere else are refused. */
  readonly pushAllowedCidrs?: readonly string[];
}

/** A business answer inside A1000: `apiResultData`, parsed. */
interface SfBusinessResult {
  readonly success: boolean;
  readonly errorCode: string;
  readonly errorMsg: string;
  readonly msgData: JsonObject | undefined;
}

type SfReply = { readonly kind: 'answered'; readonly result: SfBusinessResult } | SfRefusal;

type SfRefusal = { readonly kind: 'refused'; readonly code: string; readonly message: string };
/** What booking, cancelling and querying share when SF said no or could not be reached. */
type SfFailure = SfRefusal | { readonly kind: 'unavailable'; readonly message: string };

/** What a route query found: the routes of each number, as tracking updates, oldest first. */
export type SfRouteQueryOutcome =
  | { readonly kind: 'found'; readonly updates: readonly TrackingUpdate[] }
  | { readonly kind: 'refused'; readonly code: string; readonly message: string }
  | { readonly kind: 'unavailable'; readonly message: string };

export class SfCarrier implements Carrier {
  readonly name = 'sf';
  readonly aggregator = false;
  readonly authenticatedBy = 'path-token';
  readonly statusTable = SF_STATUS_TABLE;
  /** Nothing in SF's headers is needed to read a push again (the body says it all). */
  readonly webhookHeaders: readonly string[] = [];

  private readonly serviceUrl: string;
  private readonly allowed?: BlockList;

  constructor(private readonly options: SfOptions) {
    this.serviceUrl = new URL('/std/service', options.apiBase).toString();
    if (options.pushAllowedCidrs && options.pushAllowedCidrs.length > 0) {
      this.allowed = allowList(options.pushAllowedCidrs);
    }
  }

  async createShipment(request: CreateShipmentRequest): Promise<BookingOutcome> {
    const recipientMobile = sfPhone(request.recipient.phone);
    if (!recipientMobile) {
      // SF refuses an order without the consignee's phone, and needs its last 4 digits to query.
      return {
        kind: 'refused',
        code: 'SF.PHONE_REQUIRED',
        message: "SF needs the recipient's phone number to book",
      };
    }
    const weightKg = kilograms(request.weightGrams);
    if (!weightKg) {
      return {
        kind: 'refused',
        code: 'SF.WEIGHT_INVALID',
        message: `the weight must be a positive whole number of grams, got ${request.weightGrams}`,
      };
    }
    const msgData = {
      language: 'zh-CN',
      orderId: request.shipmentId,
      monthlyCard: this.options.monthlyCard,
      payMethod: 1,
      expressTypeId: 1,
      parcelQty: 1,
      totalWeight: weightKg,
      isReturnRoutelabel: 1,
      cargoDetails: [{ name: 'goods', count: 1, unit: 'piece', weight: weightKg }],
      contactInfoList: [
        ...(request.shipFrom ? [sfContact(1, request.shipFrom, sfPhone(request.shipFrom.phone))] : []),
        sfContact(2, request.recipient, recipientMobile),
      ],
    };
    const reply = await this.call('EXP_RECE_CREATE_ORDER', msgData);
    if (reply.kind !== 'answered') {
      return reply;
    }
    const { result } = reply;
    if (result.errorCode === DUPLICATE_ORDER) {
      return this.recoverBooking(request.shipmentId);
    }
    if (!isSuccess(result)) {
      return businessRefusal(result);
    }
    const waybillNo = masterWaybill(result.msgData);
    if (!waybillNo) {
      return {
        kind: 'refused',
        code: 'SF.NO_WAYBILL',
        message: 'sf accepted the order without a waybill number',
      };
    }
    return { kind: 'booked', trackingNumber: waybillNo, carrierShipmentId: request.shipmentId };
  }

  async cancelShipment(request: CancelShipmentRequest): Promise<CancellationOutcome> {
    // SF cancels by its orderId, which is our shipment id (returned as carrierShipmentId on booking).
    if (!request.carrierShipmentId) {
      return {
        kind: 'refused',
        code: 'SF.NO_ORDER_ID',
        message: 'the SF orderId (our shipment id) of this booking is not known',
      };
    }
    const reply = await this.call('EXP_RECE_UPDATE_ORDER', {
      language: 'zh-CN',
      orderId: request.carrierShipmentId,
      dealType: 2,
    });
    if (reply.kind !== 'answered') {
      return reply;
    }
    const { result } = reply;
    // Cancelling twice (a retried cancel after a lost answer) is the cancellation we wanted.
    if (isSuccess(result) || result.errorCode === ALREADY_CANCELLED) {
      return { kind: 'cancelled' };
    }
    return businessRefusal(result);
  }

  /**
   * The routes SF has for up to 10 waybill numbers (or, `by: 'orderId'`, our shipment ids), for
   * recovering tracking that pushes missed. By waybill number SF wants the last 4 digits of the
   * sender's or recipient's phone (`checkPhoneNo`); by orderId it does not (our own orders).
   */
  async searchRoutes(
    numbers: readonly string[],
    query: { readonly by?: 'waybill' | 'orderId'; readonly checkPhoneNo?: string } = {},
  ): Promise<SfRouteQueryOutcome> {
    const found = await this.queryRoutes(numbers, query.by ?? 'waybill', query.checkPhoneNo);
    if (found.kind !== 'found') {
      return found;
    }
    return {
      kind: 'found',
      updates: found.routeResps.flatMap(({ mailNo, routes }) =>
        routes.map((route, index) => sfRouteUpdate(route, mailNo, `routeResps.routes[${index}]`)),
      ),
    };
  }

  verifyWebhook(
    rawBody: Buffer,
    _headers: WebhookHeaders,
    _now?: Date,
    request: PushRequest = {},
  ): WebhookVerdict {
    const token = this.options.pushToken;
    if (!token) {
      return refusal('NOT_CONFIGURED', 'no push token is configured for sf');
    }
    if (this.allowed && !isAllowed(this.allowed, request.remoteAddress)) {
      return refusal('SIGNATURE_MISMATCH', "the sender's address is not on the sf allow-list");
    }
    if (!request.pathToken) {
      return refusal('SIGNATURE_MISSING', 'the push token is missing from the path');
    }
    if (!safeEqual(request.pathToken, token)) {
      return refusal('SIGNATURE_MISMATCH', 'the push token does not match');
    }
    return readVerifiedBody(() => this.readWebhook(rawBody));
  }

  readWebhook(rawBody: Buffer): ParsedWebhook {
    const body = asObject(parseJsonObject(rawBody).Body, 'the body.Body');
    const routes = body.WaybillRoute;
    if (!Array.isArray(routes) || routes.length === 0 || routes.length > MAX_ROUTES) {
      throw new Error(`the body.Body.WaybillRoute must be an array of 1 to ${MAX_ROUTES} routes`);
    }
    const read = routes.map((value: unknown, index) => {
      const path = `WaybillRoute[${index}]`;
      const route = asObject(value, path);
      return {
        id: requiredString(route, 'id', path, 64),
        update: sfRouteUpdate(route, requiredString(route, 'mailno', path, 64), path),
      };
    });
    return {
      externalId: routeBatchId(read.map((route) => route.id)),
      eventType: 'RoutePushService',
      updates: read.map((route) => route.update),
    };
  }

  acknowledge(_receipt: WebhookReceipt): WebhookAcknowledgement {
    // The same bytes for a duplicate: SF stops re-pushing only on exactly this answer.
    return { status: 200, contentType: SF_CONTENT_TYPE, body: SF_PUSH_ACK };
  }

  /**
   * SF's failure form, `return_code` 1000, with the status every other refusal gets (401, 400…).
   * SF pushes the whole batch again on it: a push refused for a wrong token or address is never
   * stored, and a corrected configuration then receives it.
   */
  refuse(refused: WebhookRefusal): WebhookAcknowledgement {
    return {
      status: webhookRejection(refused.rejection, refused.message).getStatus(),
      contentType: SF_CONTENT_TYPE,
      body: JSON.stringify({ return_code: '1000', return_msg: refused.message }),
    };
  }

  /** After 8016: the order exists at SF, so its waybill is found by orderId, never booked again. */
  private async recoverBooking(orderId: string): Promise<BookingOutcome> {
    const found = await this.queryRoutes([orderId], 'orderId');
    if (found.kind !== 'found') {
      return {
        kind: 'unavailable',
        message: `sf: ${orderId} is already booked (8016), and finding its waybill failed: ${found.message}`,
      };
    }
    const mailNo = found.routeResps.find((resp) => resp.mailNo !== orderId)?.mailNo;
    if (!mailNo) {
      // Booked, number unknown: unavailable, so the booking is tried again later, never duplicated.
      return {
        kind: 'unavailable',
        message: `sf: ${orderId} is already booked (8016), but the route query names no waybill for it yet`,
      };
    }
    return { kind: 'booked', trackingNumber: mailNo, carrierShipmentId: orderId };
  }

  private async queryRoutes(
    numbers: readonly string[],
    by: 'waybill' | 'orderId',
    checkPhoneNo?: string,
  ): Promise<
    | { readonly kind: 'found'; readonly routeResps: readonly { mailNo: string; routes: JsonObject[] }[] }
    | SfFailure
  > {
    if (numbers.length === 0 || numbers.length > MAX_ROUTES) {
      return {
        kind: 'refused',
        code: 'SF.TOO_MANY_NUMBERS',
        message: `a route query takes 1 to ${MAX_ROUTES} numbers, got ${numbers.length}`,
      };
    }
    const reply = await this.call('EXP_RECE_SEARCH_ROUTES', {
      language: '0',
      trackingType: by === 'waybill' ? '1' : '2',
      trackingNumber: numbers,
      methodType: '1',
      ...(checkPhoneNo && { checkPhoneNo }),
    });
    if (reply.kind !== 'answered') {
      return reply;
    }
    if (!isSuccess(reply.result)) {
      return businessRefusal(reply.result);
    }
    const resps = reply.result.msgData?.routeResps;
    if (!Array.isArray(resps)) {
      return {
        kind: 'refused',
        code: 'SF.BAD_ANSWER',
        message: 'sf answered the route query without routeResps',
      };
    }
    try {
      return {
        kind: 'found',
        routeResps: resps.map((value: unknown, index) => {
          const resp = asObject(value, `routeResps[${index}]`);
          const routes = Array.isArray(resp.routes) ? resp.routes : [];
          return {
            mailNo: requiredString(resp, 'mailNo', `routeResps[${index}]`, 64),
            routes: routes.map((route: unknown) => asObject(route, `routeResps[${index}].routes[]`)),
          };
        }),
      };
    } catch (error) {
      return { kind: 'refused', code: 'SF.BAD_ANSWER', message: (error as Error).message };
    }
  }

  /**
   * One signed call with bounded retries. Each attempt is a new request (requestID, timestamp,
   * digest): SF refuses a repeated requestID (A1007), and the orderId is what makes it idempotent.
   */
  private async call(serviceCode: string, msgData: object): Promise<SfReply | SfFailure> {
    const text = JSON.stringify(msgData);
    const result = await withBoundedRetries(this.options.retry, async (): Promise<SfReply> => {
      const timestamp = String(Date.now());
      const form = new URLSearchParams({
        partnerID: this.options.partnerId,
        requestID: randomUUID(),
        serviceCode,
        timestamp,
        msgData: text,
        msgDigest: sfMsgDigest(text, timestamp, this.options.checkWord),
      });
      const answer = await requestJson({
        url: this.serviceUrl,
        method: 'POST',
        encoded: { contentType: 'application/x-www-form-urlencoded;charset=UTF-8', body: form.toString() },
        timeoutMs: this.options.timeoutMs,
      });
      return readEnvelope(answer.status, answer.body);
    });
    if (!result.ok) {
      return {
        kind: 'unavailable',
        message: `sf: ${result.message} after ${result.attempts} attempt(s)`,
      };
    }
    return result.value;
  }
}

/**
 * The outer layer, then the inner JSON string. A transient gateway code or an answer that does not
 * read is thrown as an outage (retried); any other gateway code is SF's refusal of the call.
 */
function readEnvelope(status: number, envelope: JsonObject): SfReply {
  const apiResultCode = envelope.apiResultCode;
  if (typeof apiResultCode !== 'string') {
    throw new ProviderUnavailableError(`HTTP ${status} without an apiResultCode`);
  }
  if (TRANSIENT_GATEWAY_CODES.has(apiResultCode)) {
    throw new ProviderUnavailableError(`sf gateway ${apiResultCode}`);
  }
  if (apiResultCode !== 'A1000') {
    const message = typeof envelope.apiErrorMsg === 'string' ? envelope.apiErrorMsg : '';
    return {
      kind: 'refused',
      code: `SF.${apiResultCode}`,
      message: message ? message.slice(0, 500) : `sf gateway answered ${apiResultCode}`,
    };
  }
  let inner: JsonObject;
  try {
    inner = asObject(
      typeof envelope.apiResultData === 'string' ? JSON.parse(envelope.apiResultData) : undefined,
      'apiResultData',
    );
  } catch {
    throw new ProviderUnavailableError('sf answered A1000 with an apiResultData that is not a JSON object');
  }
  return {
    kind: 'answered',
    result: {
      success: inner.success === true,
      errorCode: typeof inner.errorCode === 'string' ? inner.errorCode : '',
      errorMsg: typeof inner.errorMsg === 'string' ? inner.errorMsg.slice(0, 500) : '',
      msgData:
        typeof inner.msgData === 'object' && inner.msgData !== null && !Array.isArray(inner.msgData)
          ? (inner.msgData as JsonObject)
          : undefined,
    },
  };
}

function isSuccess(result: SfBusinessResult): boolean {
  return result.errorCode === 'S0000';
}

function businessRefusal(result: SfBusinessResult): SfRefusal {
  const code = result.errorCode || 'UNKNOWN';
  return {
    kind: 'refused',
    code: `SF.${code}`,
    message: result.errorMsg || `sf answered ${code}`,
  };
}

/** The master waybill (waybillType 1) of a create answer, else the first one it lists. */
function masterWaybill(msgData: JsonObject | undefined): string | undefined {
  const list = Array.isArray(msgData?.waybillNoInfoList) ? msgData.waybillNoInfoList : [];
  const infos = list.filter(
    (item): item is JsonObject => typeof item === 'object' && item !== null && !Array.isArray(item),
  );
  const master = infos.find((info) => info.waybillType === 1) ?? infos[0];
  return typeof master?.waybillNo === 'string' && master.waybillNo !== '' ? master.waybillNo : undefined;
}

/**
 * Kilograms as SF's decimal, from whole grams by integer arithmetic (1234 g → 1.234): the decimal
 * is written out as digits first, so no binary fraction ever rounds it. Undefined when the grams
 * are not a positive whole number.
 */
export function kilograms(grams: number): number | undefined {
  if (!Number.isSafeInteger(grams) || grams <= 0) {
    return undefined;
  }
  const whole = Math.trunc(grams / 1000);
  const fraction = String(grams % 1000)
    .padStart(3, '0')
    .replace(/0+$/, '');
  return Number(fraction ? `${whole}.${fraction}` : `${whole}`);
}

/**
 * A phone as SF reads it: Chinese numbers without +86 (SF's `mobile` is the domestic number),
 * others in full E.164. Undefined when there is none.
 */
function sfPhone(phone: string | undefined): string | undefined {
  if (!phone || phone.trim() === '') {
    return undefined;
  }
  return phone.startsWith('+86') ? phone.slice(3) : phone;
}

function sfContact(
  contactType: 1 | 2,
  address: PostalAddress,
  mobile: string | undefined,
): Record<string, unknown> {
  return {
    contactType,
    ...(address.name && { contact: address.name }),
    ...(mobile && { mobile }),
    country: address.country,
    ...(address.region && { province: address.region }),
    city: address.city,
    address: address.line2 ? `${address.line1} ${address.line2}` : address.line1,
    postCode: address.postalCode,
  };
}

/** One route (pushed, or from the route query) as a tracking update; SF's times are Shanghai time. */
function sfRouteUpdate(route: JsonObject, mailno: string, path: string): TrackingUpdate {
  const opCode = requiredString(route, 'opCode', path, 16);
  const mapping = sfRouteStatus(opCode);
  const remark = optionalString(route, 'remark');
  const newWaybill = sfNewWaybillNumber(remark);
  return {
    trackingNumber: mailno,
    carrierStatus: opCode,
    status: mapping.status,
    mapped: mapping.mapped,
    occurredAt: parseShanghaiTime(route.acceptTime, `${path}.acceptTime`).toISOString(),
    location: optionalString(route, 'acceptAddress', 200),
    // A return or forward under a new waybill: the new number is put first so people see it.
    message: newWaybill ? `new waybill ${newWaybill}: ${remark ?? ''}`.slice(0, 500) : remark,
    // SF's orderid is the shipment id we booked under (notes §1.6: the join key, as mailno may be
    // a child or sign-back number). The route query's answers do not carry it.
    shipmentId: optionalString(route, 'orderid', 64),
  };
}

/**
 * SF sends no delivery id, and re-pushes the whole batch on a failed ack. The batch is named by
 * the ids of its route nodes (unique per node, the notes' dedupe key), sorted: a re-push is a
 * duplicate even if SF serialises it differently, which a hash of the raw bytes would miss.
 */
function routeBatchId(routeIds: readonly string[]): string {
  const sorted = [...routeIds].sort();
  return createHash('sha256').update(sorted.join(','), 'utf8').digest('hex');
}

function refusal(rejection: WebhookRefusal['rejection'], message: string): WebhookRefusal {
  return { ok: false, rejection, message };
}

/** `10.0.0.0/8`, `2001:db8::/32`, `203.0.113.7` (config has validated them) as a BlockList. */
function allowList(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address, prefix] = entry.split('/');
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) {
      list.addAddress(address, family);
    } else {
      list.addSubnet(address, Number(prefix), family);
    }
  }
  return list;
}

/** `::ffff:127.0.0.1` (an IPv4 sender on a dual-stack socket) is checked as 127.0.0.1. */
function isAllowed(list: BlockList, remoteAddress: string | undefined): boolean {
  if (!remoteAddress) {
    return false;
  }
  const mapped = /^::ffff:(.+)$/i.exec(remoteAddress)?.[1];
  if (mapped && isIPv4(mapped)) {
    return list.check(mapped, 'ipv4');
  }
  const family = isIP(remoteAddress);
  return family !== 0 && list.check(remoteAddress, family === 6 ? 'ipv6' : 'ipv4');
}
