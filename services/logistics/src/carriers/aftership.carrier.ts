/**
 * AfterShip, hand-written on purpose: Waybill only receives AfterShip's tracking webhooks and never
 * calls its API, and the webhook format is one base64 HMAC-SHA256 of the raw body
 * (`aftership-hmac-sha256`), checked by webhook-verdict.ts; a client library would bring an HTTP
 * client Waybill does not use for a check of a few lines.
 */
import { headerValue } from '@waybill/platform';
import { mapCarrierStatus, StatusMapping, TrackingUpdate } from '../domain/tracking-update';
import type {
  BookingOutcome,
  CancellationOutcome,
  Carrier,
  ParsedWebhook,
  WebhookHeaders,
  WebhookVerdict,
} from './carrier';
import {
  asObject,
  instant,
  joinLocation,
  lastObjectIn,
  optionalString,
  parseJsonObject,
  requiredString,
} from './json-body';
import { TimedWebhook, verifyBodySignedWebhook } from './webhook-verdict';

export const AFTERSHIP_SIGNATURE_HEADER = 'aftership-hmac-sha256';

/**
 * AfterShip's delivery statuses (`tag`) and the subtags that say more than their tag. Subtags not
 * listed here take their tag's mapping (e.g. every `InTransit_0xx` is in transit).
 */
export const AFTERSHIP_STATUS_TABLE: readonly StatusMapping[] = [
  {
    carrierStatus: 'Pending',
    status: 'label_created',
    note: 'AfterShip knows the parcel, the carrier has no scan yet',
  },
  {
    carrierStatus: 'InfoReceived',
    status: 'label_created',
    note: 'the carrier has the label data, not the parcel',
  },
  { carrierStatus: 'InTransit', status: 'in_transit' },
  { carrierStatus: 'OutForDelivery', status: 'out_for_delivery' },
  { carrierStatus: 'AttemptFail', status: 'delivery_attempt_failed' },
  { carrierStatus: 'Delivered', status: 'delivered' },
  { carrierStatus: 'AvailableForPickup', status: 'available_for_pickup' },
  { carrierStatus: 'Exception', status: 'exception' },
  { carrierStatus: 'Expired', status: 'exception', note: 'no news for 30 days: an operator has to look' },
  { carrierStatus: 'Exception_010', status: 'returned', note: 'returning to sender' },
  { carrierStatus: 'Exception_011', status: 'returned', note: 'returned to sender' },
];

export interface AfterShipOptions {
  /** Several during a rotation; any verifies. */
  readonly webhookSecrets: readonly string[];
  /** How far the event's own `ts` may be from now (it has no signed timestamp; see README). */
  readonly maxEventAgeSeconds: number;
}

/**
 * AfterShip Tracking webhooks: `aftership-hmac-sha256` is the base64 HMAC-SHA256 of the raw body
 * with the webhook secret. AfterShip is an aggregator: it tracks parcels that other carriers
 * booked, so it books nothing itself and its updates match shipments by tracking number.
 */
export class AfterShipCarrier implements Carrier {
  readonly name = 'aftership';
  readonly webhookHeaders = [AFTERSHIP_SIGNATURE_HEADER];
  readonly aggregator = true;
  readonly authenticatedBy = 'signature';
  readonly statusTable = AFTERSHIP_STATUS_TABLE;

  constructor(private readonly options: AfterShipOptions) {}

  createShipment(): Promise<BookingOutcome> {
    return Promise.resolve(bookingUnsupported());
  }

  cancelShipment(): Promise<CancellationOutcome> {
    return Promise.resolve(bookingUnsupported());
  }

  verifyWebhook(rawBody: Buffer, headers: WebhookHeaders, now = new Date()): WebhookVerdict {
    return verifyBodySignedWebhook(
      {
        header: headerValue(headers, AFTERSHIP_SIGNATURE_HEADER),
        headerName: AFTERSHIP_SIGNATURE_HEADER,
        format: 'the base64 HMAC-SHA256 of the body',
        decode: (header) => (/^[A-Za-z0-9+/]{43}=$/.test(header) ? Buffer.from(header, 'base64') : undefined),
        key: (secret) => secret,
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
    const body = parseJsonObject(rawBody);
    const event = requiredString(body, 'event', 'the body', 64);
    const ts = body.ts;
    if (typeof ts !== 'number' || !Number.isSafeInteger(ts) || ts <= 0) {
      throw new Error('the body.ts must be unix seconds');
    }
    const msg = asObject(body.msg, 'msg');
    const trackingId = requiredString(msg, 'id', 'msg', 128);
    const trackingNumber = requiredString(msg, 'tracking_number', 'msg', 64);
    const tag = requiredString(msg, 'tag', 'msg', 64);
    const subtag = optionalString(msg, 'subtag', 64);
    // Older webhook versions have no event_id: the tracking, its state and the time identify it.
    const externalId = optionalString(body, 'event_id', 128) ?? `${trackingId}:${tag}:${subtag ?? ''}:${ts}`;
    // edd_revise and tracking_pending_time carry no new status.
    if (event !== 'tracking_update') {
      return { webhook: { externalId, eventType: event, updates: [] }, sentAtMs: ts * 1000 };
    }

    const checkpoint = lastObjectIn(msg, 'checkpoints');
    const { status, mapped } = mapCarrierStatus(AFTERSHIP_STATUS_TABLE, [subtag, tag]);
    const update: TrackingUpdate = {
      trackingNumber,
      carrierStatus: subtag ? `${tag}/${subtag}` : tag,
      status,
      mapped,
      occurredAt: instant(checkpoint?.checkpoint_time) ?? new Date(ts * 1000).toISOString(),
      location:
        (checkpoint && optionalString(checkpoint, 'location', 200)) ??
        (checkpoint &&
          joinLocation(optionalString(checkpoint, 'city'), optionalString(checkpoint, 'country_iso3'))),
      message: (checkpoint && optionalString(checkpoint, 'message')) ?? optionalString(msg, 'subtag_message'),
    };
    return { webhook: { externalId, eventType: event, updates: [update] }, sentAtMs: ts * 1000 };
  }
}

function bookingUnsupported(): { kind: 'refused'; code: string; message: string } {
  return {
    kind: 'refused',
    code: 'CARRIER.BOOKING_UNSUPPORTED',
    message: 'aftership tracks parcels other carriers booked; it books none',
  };
}
