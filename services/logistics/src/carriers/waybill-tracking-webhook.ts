import { SHIPMENT_STATUSES } from '@waybill/contracts';
import { signStandardWebhook, StandardWebhookHeaders, verifyStandardWebhook } from '@waybill/platform';
import { mapCarrierStatus, StatusMapping, TrackingUpdate } from '../domain/tracking-update';
import type { ParsedWebhook, WebhookHeaders, WebhookVerdict } from './carrier';
import { asObject, instant, optionalString, parseJsonObject, requiredString } from './json-body';
import { readVerifiedBody } from './webhook-verdict';

/**
 * The tracking webhook Waybill publishes for carriers that integrate with it directly (and that
 * the sandbox carrier sends): Standard Webhooks headers (`webhook-id`, `webhook-timestamp`,
 * `webhook-signature`) and the Standard Webhooks payload shape, with Waybill's own status words:
 *
 *   { "type": "shipment.tracking_updated", "timestamp": "<RFC 3339>",
 *     "data": { "tracking_number": "…", "status": "in_transit", "occurred_at": "<RFC 3339>",
 *               "location": "…"?, "description": "…"? } }
 *
 * The webhook-id is the event id the inbox dedups on.
 */
export const TRACKING_UPDATED = 'shipment.tracking_updated';

/** Direct carriers speak the canonical vocabulary itself. */
export const WAYBILL_STATUS_TABLE: readonly StatusMapping[] = SHIPMENT_STATUSES.map((status) => ({
  carrierStatus: status,
  status,
}));

export interface WaybillWebhookOptions {
  /** `whsec_…`; several during a rotation. */
  readonly secrets: readonly string[];
  readonly toleranceSeconds: number;
}

export function verifyWaybillWebhook(
  rawBody: Buffer,
  headers: WebhookHeaders,
  options: WaybillWebhookOptions,
  now = new Date(),
): WebhookVerdict {
  const signature = verifyStandardWebhook({
    rawBody,
    headers,
    secrets: options.secrets,
    toleranceSeconds: options.toleranceSeconds,
    now,
  });
  if (!signature.ok) {
    return signature;
  }
  return readVerifiedBody(() => parseWaybillWebhook(rawBody, signature.id));
}

export function parseWaybillWebhook(rawBody: Buffer, webhookId: string): ParsedWebhook {
  const body = parseJsonObject(rawBody);
  const type = requiredString(body, 'type', 'the body', 64);
  const data = asObject(body.data, 'data');
  if (type !== TRACKING_UPDATED) {
    return { externalId: webhookId, eventType: type, updates: [] };
  }
  const carrierStatus = requiredString(data, 'status', 'data', 64);
  const occurredAt = instant(data.occurred_at);
  if (!occurredAt) {
    throw new Error('data.occurred_at must be an RFC 3339 time with a zone');
  }
  const { status, mapped } = mapCarrierStatus(WAYBILL_STATUS_TABLE, [carrierStatus]);
  const update: TrackingUpdate = {
    trackingNumber: requiredString(data, 'tracking_number', 'data', 64),
    carrierStatus,
    status,
    mapped,
    occurredAt,
    location: optionalString(data, 'location', 200),
    message: optionalString(data, 'description'),
  };
  return { externalId: webhookId, eventType: type, updates: [update] };
}

/** The `data` of a tracking webhook, as a carrier (or the sandbox's driver) sends it. */
export interface TrackingWebhookData {
  readonly tracking_number: string;
  readonly status: string;
  readonly occurred_at: string;
  readonly location?: string;
  readonly description?: string;
}

/**
 * What a sender posts: the body and its Standard Webhooks headers. Used by whoever drives sandbox
 * parcels (tests, tools/simulators/sandbox-carrier.ts) and documents the format for direct carriers.
 */
export function signedTrackingWebhook(
  data: TrackingWebhookData,
  options: { readonly secrets: readonly string[]; readonly id: string; readonly at?: Date },
): { rawBody: Buffer; headers: StandardWebhookHeaders } {
  const at = options.at ?? new Date();
  const rawBody = Buffer.from(JSON.stringify({ type: TRACKING_UPDATED, timestamp: at.toISOString(), data }));
  const headers = signStandardWebhook({
    id: options.id,
    timestamp: Math.floor(at.getTime() / 1000),
    rawBody,
    secrets: options.secrets,
  });
  return { rawBody, headers };
}
