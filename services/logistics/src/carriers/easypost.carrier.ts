/**
 * EasyPost, spoken through its client library `@easypost/api` for bookings and refunds. Read in
 * its source (node_modules/@easypost/api/src/easypost.js) for what it does not do, and so what
 * stays ours here:
 * - `baseUrl` is prefixed as a string to the service paths (`shipments`), so it is the API's
 *   `/v2/` under LOGISTICS_EASYPOST_API_BASE (the env var keeps its meaning: scheme, host, port).
 * - Its `timeout` option is stored and never applied to a request, so our per-attempt timeout is
 *   set on each superagent request through `requestMiddleware`.
 * - It has no retries; ours (withBoundedRetries) wrap each call, as before.
 * - EasyPost has no idempotency key, so a booking looks for the label already bought under its
 *   reference (our order id) before buying: see createShipment.
 * - It turns an error answer into its typed error only when the body has EasyPost's `error`
 *   object with a message; any other error answer (a proxy's 502 page, an error without a
 *   message) makes it throw a TypeError or a status-less error. So each request gets its own client
 *   with a response hook that records the HTTP status, and easyPostFailure decides from that.
 * The webhook signature (`X-Hmac-Signature`) stays hand-written in verifyWebhook: the library's
 * `Utils.validateWebhook` takes one secret (Waybill accepts any of several while rotating), cannot
 * tell a malformed header from a mismatch, and parses the body itself; the scheme is the same
 * (NFKD-normalised secret, hex HMAC-SHA256). It also rewrites integer `"weight"` values to `N.0`
 * before hashing, for bodies that a framework parsed and re-serialised; Waybill hashes the raw
 * bytes as received, where EasyPost's own `.0` is still there.
 */
import EasyPostClient, { type Shipment } from '@easypost/api';
import type { PostalAddress } from '@waybill/contracts';
import {
  headerValue,
  ProviderTimeoutError,
  ProviderUnavailableError,
  withBoundedRetries,
} from '@waybill/platform';
import { mapCarrierStatus, StatusMapping, TrackingUpdate } from '../domain/tracking-update';
import type {
  BookingOutcome,
  CancellationOutcome,
  CancelShipmentRequest,
  Carrier,
  CarrierCallOptions,
  CreateShipmentRequest,
  ParsedWebhook,
  WebhookHeaders,
  WebhookVerdict,
} from './carrier';
import {
  asObject,
  instant,
  joinLocation,
  JsonObject,
  lastObjectIn,
  optionalString,
  parseJsonObject,
  requiredString,
} from './json-body';
import { TimedWebhook, verifyBodySignedWebhook } from './webhook-verdict';

export const EASYPOST_SIGNATURE_HEADER = 'X-Hmac-Signature';
const SIGNATURE_PREFIX = 'hmac-sha256-hex=';
const GRAMS_PER_OUNCE = 28.349523125;

/** EasyPost Tracker statuses. */
export const EASYPOST_STATUS_TABLE: readonly StatusMapping[] = [
  {
    carrierStatus: 'unknown',
    status: 'unknown',
    note: 'EasyPost has no news yet: kept in the history, never a state',
  },
  { carrierStatus: 'pre_transit', status: 'label_created' },
  { carrierStatus: 'in_transit', status: 'in_transit' },
  { carrierStatus: 'out_for_delivery', status: 'out_for_delivery' },
  { carrierStatus: 'available_for_pickup', status: 'available_for_pickup' },
  { carrierStatus: 'delivered', status: 'delivered' },
  { carrierStatus: 'return_to_sender', status: 'returned' },
  {
    carrierStatus: 'failure',
    status: 'exception',
    note: 'the carrier gave up (lost, damaged, undeliverable)',
  },
  { carrierStatus: 'cancelled', status: 'cancelled' },
  {
    carrierStatus: 'error',
    status: 'exception',
    note: 'EasyPost could not track it: an operator has to look',
  },
];

export interface EasyPostOptions extends CarrierCallOptions {
  /** https://api.easypost.com; tests point it at a fake EasyPost. */
  readonly apiBase: string;
  readonly apiKey: string;
  readonly webhookSecrets: readonly string[];
  readonly maxEventAgeSeconds: number;
  /** One-call buy needs the carrier accounts and the service to buy. */
  readonly carrierAccounts: readonly string[];
  readonly service?: string;
}

/** What one call came back with, once outages are taken out: the resource, or EasyPost's refusal. */
export type EasyPostReply<T> =
  | { readonly kind: 'answered'; readonly resource: T }
  | { readonly kind: 'refused'; readonly code: string; readonly message: string };

/** The one superagent request method used here (the library hands its requests to middleware). */
interface SuperagentRequest {
  timeout(ms: number): SuperagentRequest;
}

/**
 * EasyPost: shipments bought in one call (`POST /v2/shipments` with carrier_accounts and service),
 * cancelled by a label refund, and Tracker events as webhooks signed
 * `X-Hmac-Signature: hmac-sha256-hex=<hex HMAC-SHA256 of the raw body>`, keyed with the
 * NFKD-normalised secret as EasyPost's own client libraries do.
 */
export class EasyPostCarrier implements Carrier {
  readonly name = 'easypost';
  readonly webhookHeaders = [EASYPOST_SIGNATURE_HEADER.toLowerCase()];
  readonly aggregator = false;
  readonly authenticatedBy = 'signature';
  readonly statusTable = EASYPOST_STATUS_TABLE;

  /** The API's version root: the library appends `shipments`, `shipments/<id>/refund`. */
  private readonly baseUrl: string;

  constructor(private readonly options: EasyPostOptions) {
    this.baseUrl = new URL('/v2/', options.apiBase).toString();
  }

  /**
   * EasyPost has no idempotency key, so if its answer to a buy is lost (a timeout after it bought
   * the label, a dropped connection) or our commit is lost after it, buying again would buy a second
   * label. Every attempt therefore first retrieves the shipment by its reference, which EasyPost
   * documents may be used in place of an id (`GET /v2/shipments/:reference`), and only buys when
   * EasyPost answers 404. The reference is the order id: one order has one parcel, and its shipment
   * id (shipmentIdFor) is derived from the order id, so either names the parcel as surely; the order
   * id is what operators search by in EasyPost's dashboard. This costs one GET per booking. What it
   * cannot see is a buy that EasyPost is still carrying out when the retry looks (the retry's backoff
   * makes that unlikely, not impossible); such a second label stays refundable by hand.
   */
  async createShipment(request: CreateShipmentRequest): Promise<BookingOutcome> {
    // The library wraps these in `{ shipment: … }` itself.
    const params = {
      reference: request.orderId,
      to_address: easyPostAddress(request.recipient),
      ...(request.shipFrom && { from_address: easyPostAddress(request.shipFrom) }),
      parcel: { weight: Math.max(0.1, Math.round((request.weightGrams / GRAMS_PER_OUNCE) * 10) / 10) },
      ...(this.options.carrierAccounts.length > 0 && { carrier_accounts: this.options.carrierAccounts }),
      ...(this.options.service && { service: this.options.service }),
    };
    // The library puts the id (here the reference) into the path as given.
    const reference = encodeURIComponent(request.orderId);
    const result = await withBoundedRetries(this.options.retry, async () => {
      const bought = await this.send((client) => client.Shipment.retrieve(reference));
      return bought.kind === 'refused' && bought.code === 'EASYPOST.NOT_FOUND'
        ? this.send((client) => client.Shipment.create(params))
        : bought;
    });
    if (!result.ok) {
      return {
        kind: 'unavailable',
        message: `easypost: ${result.message} after ${result.attempts} attempt(s)`,
      };
    }
    const reply = result.value;
    if (reply.kind === 'refused') {
      return reply;
    }
    // Typed by the library, but read defensively: a shipment created without a label has no code.
    const shipment: Partial<Shipment> = reply.resource;
    const trackingNumber = typeof shipment.tracking_code === 'string' ? shipment.tracking_code : undefined;
    const shipmentId = typeof shipment.id === 'string' ? shipment.id : undefined;
    if (!trackingNumber || !shipmentId) {
      return {
        kind: 'refused',
        code: 'EASYPOST.NOT_PURCHASED',
        message:
          'easypost created the shipment without buying a label (carrier_accounts and service are needed)',
      };
    }
    const labelUrl: unknown = shipment.postage_label?.label_url;
    return {
      kind: 'booked',
      trackingNumber,
      carrierShipmentId: shipmentId,
      labelRef: typeof labelUrl === 'string' ? labelUrl : undefined,
    };
  }

  async cancelShipment(request: CancelShipmentRequest): Promise<CancellationOutcome> {
    if (!request.carrierShipmentId) {
      return {
        kind: 'refused',
        code: 'EASYPOST.NO_SHIPMENT_ID',
        message: 'the EasyPost shipment id is not known',
      };
    }
    // The library puts the id into the path as given.
    const shipmentId = encodeURIComponent(request.carrierShipmentId);
    const result = await this.call((client) => client.Shipment.refund(shipmentId));
    if (!result.ok) {
      return { kind: 'unavailable', message: `easypost: ${result.message}` };
    }
    const reply = result.value;
    if (reply.kind === 'refused') {
      return reply;
    }
    const refundStatus: unknown = reply.resource.refund_status;
    if (refundStatus === 'rejected' || refundStatus === 'not_applicable') {
      return {
        kind: 'refused',
        code: 'EASYPOST.REFUND_REJECTED',
        message: `easypost refund_status ${refundStatus}`,
      };
    }
    return { kind: 'cancelled' };
  }

  verifyWebhook(rawBody: Buffer, headers: WebhookHeaders, now = new Date()): WebhookVerdict {
    return verifyBodySignedWebhook(
      {
        header: headerValue(headers, EASYPOST_SIGNATURE_HEADER),
        headerName: EASYPOST_SIGNATURE_HEADER,
        format: `${SIGNATURE_PREFIX}<hex HMAC-SHA256 of the body>`,
        decode: (header) => {
          const hex = header.startsWith(SIGNATURE_PREFIX) ? header.slice(SIGNATURE_PREFIX.length) : '';
          return /^[0-9a-f]{64}$/i.test(hex) ? Buffer.from(hex, 'hex') : undefined;
        },
        key: (secret) => Buffer.from(secret.normalize('NFKD'), 'utf8'),
        rawBody,
        secrets: this.options.webhookSecrets,
      },
      () => this.read(rawBody),
      this.options.maxEventAgeSeconds,
      now,
    );
  }

  readWebhook(rawBody: Buffer): ParsedWebhook {
    return this.read(rawBody).webhook;
  }

  private read(rawBody: Buffer): TimedWebhook {
    const event = parseJsonObject(rawBody);
    if (event.object !== 'Event') {
      throw new Error('the body.object must be "Event"');
    }
    const externalId = requiredString(event, 'id', 'the body', 128);
    const description = requiredString(event, 'description', 'the body', 128);
    const createdAt = instant(event.created_at);
    if (!createdAt) {
      throw new Error('the body.created_at must be an RFC 3339 time');
    }
    const result = asObject(event.result, 'result');
    if (!description.startsWith('tracker.') || result.object !== 'Tracker') {
      return {
        webhook: { externalId, eventType: description, updates: [] },
        sentAtMs: Date.parse(createdAt),
      };
    }
    const trackingNumber = requiredString(result, 'tracking_code', 'result', 64);
    const status = requiredString(result, 'status', 'result', 64);
    const statusDetail = optionalString(result, 'status_detail', 64);
    const detail = lastObjectIn(result, 'tracking_details');
    const location = detail && asLocation(detail.tracking_location);
    const mapping = mapCarrierStatus(EASYPOST_STATUS_TABLE, [status]);
    const update: TrackingUpdate = {
      trackingNumber,
      carrierStatus: statusDetail ? `${status}/${statusDetail}` : status,
      status: mapping.status,
      mapped: mapping.mapped,
      occurredAt: instant(detail?.datetime) ?? instant(result.updated_at) ?? createdAt,
      location,
      message: detail && optionalString(detail, 'message'),
    };
    return {
      webhook: { externalId, eventType: description, updates: [update] },
      sentAtMs: Date.parse(createdAt),
    };
  }

  /** One call through the library, with outages retried by our bounded retries. */
  private call<T>(use: (client: InstanceType<typeof EasyPostClient>) => Promise<T>) {
    return withBoundedRetries(this.options.retry, () => this.send(use));
  }

  /** One request through the library; an outage is thrown (for the retries), a refusal answered. */
  private async send<T>(
    use: (client: InstanceType<typeof EasyPostClient>) => Promise<T>,
  ): Promise<EasyPostReply<T>> {
    // A client per request, so the status its response hook records is this request's alone.
    let status: number | undefined;
    const client = new EasyPostClient(this.options.apiKey, {
      baseUrl: this.baseUrl,
      requestMiddleware: (request: SuperagentRequest) => request.timeout(this.options.timeoutMs),
    });
    client.addResponseHook((response) => {
      status = response.httpStatus;
    });
    try {
      return { kind: 'answered', resource: await use(client) };
    } catch (error) {
      return easyPostFailure(error, status);
    }
  }
}

function easyPostAddress(address: PostalAddress): Record<string, string> {
  return {
    ...(address.name && { name: address.name }),
    street1: address.line1,
    ...(address.line2 && { street2: address.line2 }),
    city: address.city,
    ...(address.region && { state: address.region }),
    zip: address.postalCode,
    country: address.country,
    ...(address.phone && { phone: address.phone }),
  };
}

function asLocation(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) {
    return undefined;
  }
  const location = value as JsonObject;
  return joinLocation(
    optionalString(location, 'city'),
    optionalString(location, 'state'),
    optionalString(location, 'country'),
  );
}

/**
 * Maps what the library throws onto our retry rules and outcomes, as the hand-written client
 * classified answers: no answer in time is a ProviderTimeoutError; a network error, a 5xx or an
 * answer that cannot be read a ProviderUnavailableError (retried); any other status is EasyPost's
 * refusal, `EASYPOST.<its error code>`. `status` is the HTTP status the attempt's response hook saw,
 * for the error answers the library cannot turn into its own error. Anything else is thrown.
 */
export function easyPostFailure(
  error: unknown,
  status: number | undefined,
): Extract<EasyPostReply<never>, { kind: 'refused' }> {
  const failure = (typeof error === 'object' && error !== null ? error : {}) as {
    statusCode?: unknown;
    code?: unknown;
    message?: unknown;
    timeout?: unknown;
  };
  // The library's ApiError carries the status and EasyPost's error code and message.
  const answered = typeof failure.statusCode === 'number' ? failure.statusCode : status;
  if (answered === undefined) {
    // superagent's own errors: a timeout names its limit; a network error its socket error's code.
    if (typeof failure.timeout === 'number') {
      throw new ProviderTimeoutError();
    }
    if (typeof failure.code === 'string' && /^E[A-Z]+$/.test(failure.code)) {
      throw new ProviderUnavailableError(`network error (${failure.code})`);
    }
    throw error;
  }
  if (answered >= 500) {
    throw new ProviderUnavailableError(`HTTP ${answered}`);
  }
  if (answered < 400) {
    // An answer the library could not read (it is the one that threw), as a non-JSON body was.
    throw new ProviderUnavailableError(`HTTP ${answered} with a body the client could not read`);
  }
  const typed = typeof failure.statusCode === 'number';
  const code = typed && typeof failure.code === 'string' ? failure.code : `HTTP_${answered}`;
  const message =
    typed && typeof failure.message === 'string' && failure.message !== '' ? failure.message : '';
  return {
    kind: 'refused',
    code: `EASYPOST.${code}`,
    message: message ? message.slice(0, 500) : `easypost answered ${answered}`,
  };
}
