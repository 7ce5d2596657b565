import { createHash } from 'node:crypto';
import { headerValue, STANDARD_WEBHOOK_HEADER_NAMES } from '@waybill/platform';
import type {
  BookingOutcome,
  CancellationOutcome,
  Carrier,
  CreateShipmentRequest,
  ParsedWebhook,
  WebhookHeaders,
  WebhookVerdict,
} from './carrier';
import {
  parseWaybillWebhook,
  verifyWaybillWebhook,
  WAYBILL_STATUS_TABLE,
  WaybillWebhookOptions,
} from './waybill-tracking-webhook';

/**
 * Books instantly and deterministically, without a network: the tracking number derives from the
 * idempotency key, so booking an order again yields the same parcel. Its statuses are driven by
 * whoever holds the sandbox webhook secret (tests, the simulator) posting Waybill tracking
 * webhooks to `/v1/webhooks/carriers/sandbox`.
 */
export class SandboxCarrier implements Carrier {
  readonly name = 'sandbox';
  readonly webhookHeaders = STANDARD_WEBHOOK_HEADER_NAMES;
  readonly aggregator = false;
  readonly authenticatedBy = 'signature';
  readonly statusTable = WAYBILL_STATUS_TABLE;

  constructor(private readonly webhook: WaybillWebhookOptions) {}

  createShipment(request: CreateShipmentRequest): Promise<BookingOutcome> {
    const trackingNumber = sandboxTrackingNumber(request.idempotencyKey);
    return Promise.resolve({
      kind: 'booked',
      trackingNumber,
      carrierShipmentId: trackingNumber,
      labelRef: `sandbox:labels/${trackingNumber}.pdf`,
    });
  }

  cancelShipment(): Promise<CancellationOutcome> {
    return Promise.resolve({ kind: 'cancelled' });
  }

  verifyWebhook(rawBody: Buffer, headers: WebhookHeaders, now?: Date): WebhookVerdict {
    return verifyWaybillWebhook(rawBody, headers, this.webhook, now);
  }

  readWebhook(rawBody: Buffer, headers: WebhookHeaders): ParsedWebhook {
    return parseWaybillWebhook(rawBody, headerValue(headers, 'webhook-id') ?? '');
  }
}

export function sandboxTrackingNumber(idempotencyKey: string): string {
  return `SBX${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 16).toUpperCase()}`;
}
