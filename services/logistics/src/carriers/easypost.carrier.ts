import type { PostalAddress } from '@waybill/contracts';
import { headerValue, requestJson, withBoundedRetries } from '@waybill/platform';
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
  readonly statusTable = EASYPOST_STATUS_TABLE;

  constructor(private readonly options: EasyPostOptions) {}

  async createShipment(request: CreateShipmentRequest): Promise<BookingOutcome> {
    const result = await this.call('/v2/shipments', {
      shipment: {
        // EasyPost has no idempotency key; the reference ties a label to the order for operators.
        reference: request.orderId,
        to_address: easyPostAddress(request.recipient),
        ...(request.shipFrom && { from_address: easyPostAddress(request.shipFrom) }),
        parcel: { weight: Math.max(0.1, Math.round((request.weightGrams / GRAMS_PER_OUNCE) * 10) / 10) },
        ...(this.options.carrierAccounts.length > 0 && { carrier_accounts: this.options.carrierAccounts }),
        ...(this.options.service && { service: this.options.service }),
      },
    });
    if (!result.ok) {
      return {
        kind: 'unavailable',
        message: `easypost: ${result.message} after ${result.attempts} attempt(s)`,
      };
    }
    const { status, body } = result.value;
    if (status >= 400) {
      return refusal(status, body);
    }
    const trackingNumber = typeof body.tracking_code === 'string' ? body.tracking_code : undefined;
    const shipmentId = typeof body.id === 'string' ? body.id : undefined;
    if (!trackingNumber || !shipmentId) {
      return {
        kind: 'refused',
        code: 'EASYPOST.NOT_PURCHASED',
        message:
          'easypost created the shipment without buying a label (carrier_accounts and service are needed)',
      };
    }
    const label = body.postage_label as { label_url?: unknown } | undefined;
    return {
      kind: 'booked',
      trackingNumber,
      carrierShipmentId: shipmentId,
      labelRef: typeof label?.label_url === 'string' ? label.label_url : undefined,
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
    const result = await this.call(
      `/v2/shipments/${encodeURIComponent(request.carrierShipmentId)}/refund`,
      {},
    );
    if (!result.ok) {
      return { kind: 'unavailable', message: `easypost: ${result.message}` };
    }
    const { status, body } = result.value;
    if (status >= 400) {
      return refusal(status, body);
    }
    if (body.refund_status === 'rejected' || body.refund_status === 'not_applicable') {
      return {
        kind: 'refused',
        code: 'EASYPOST.REFUND_REJECTED',
        message: `easypost refund_status ${String(body.refund_status)}`,
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

  parseWebhook(rawBody: Buffer): ParsedWebhook {
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

  private call(path: string, json: object) {
    const authorization = `Basic ${Buffer.from(`${this.options.apiKey}:`).toString('base64')}`;
    return withBoundedRetries(this.options.retry, () =>
      requestJson({
        url: new URL(path, this.options.apiBase).toString(),
        method: 'POST',
        headers: { Authorization: authorization },
        json,
        timeoutMs: this.options.timeoutMs,
      }),
    );
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

function refusal(status: number, body: JsonObject): { kind: 'refused'; code: string; message: string } {
  const error = (typeof body.error === 'object' && body.error !== null ? body.error : {}) as JsonObject;
  const code = typeof error.code === 'string' ? error.code : `HTTP_${status}`;
  return {
    kind: 'refused',
    code: `EASYPOST.${code}`,
    message: typeof error.message === 'string' ? error.message.slice(0, 500) : `easypost answered ${status}`,
  };
}
