import {
  headerValue,
  requestJson,
  STANDARD_WEBHOOK_HEADER_NAMES,
  withBoundedRetries,
} from '@waybill/platform';
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
import { JsonObject } from './json-body';
import {
  parseWaybillWebhook,
  verifyWaybillWebhook,
  WAYBILL_STATUS_TABLE,
  WaybillWebhookOptions,
} from './waybill-tracking-webhook';

export interface DirectCarrierOptions extends CarrierCallOptions {
  readonly apiBase: string;
  readonly apiKey: string;
  readonly webhook: WaybillWebhookOptions;
}

/**
 * An express carrier the merchant contracts with directly, integrated through Waybill's published
 * carrier API: `POST /v1/shipments` (Bearer key, `Idempotency-Key`) answers
 * `{ id, tracking_number, label_url }`; `POST /v1/shipments/:id/cancel` answers 200, or 409 once
 * the parcel is picked up. Tracking comes as Standard Webhooks (waybill-tracking-webhook.ts).
 */
export class DirectCarrier implements Carrier {
  readonly name = 'direct';
  readonly webhookHeaders = STANDARD_WEBHOOK_HEADER_NAMES;
  readonly aggregator = false;
  readonly authenticatedBy = 'signature';
  readonly statusTable = WAYBILL_STATUS_TABLE;

  constructor(private readonly options: DirectCarrierOptions) {}

  async createShipment(request: CreateShipmentRequest): Promise<BookingOutcome> {
    const result = await this.call('/v1/shipments', request.idempotencyKey, {
      reference: request.orderId,
      recipient: request.recipient,
      ...(request.shipFrom && { ship_from: request.shipFrom }),
      parcel: { weight_grams: request.weightGrams },
    });
    if (!result.ok) {
      return {
        kind: 'unavailable',
        message: `direct: ${result.message} after ${result.attempts} attempt(s)`,
      };
    }
    const { status, body } = result.value;
    if (status >= 400) {
      return refusal(status, body);
    }
    if (typeof body.tracking_number !== 'string' || typeof body.id !== 'string') {
      return {
        kind: 'refused',
        code: 'DIRECT.BAD_ANSWER',
        message: 'the carrier answered without id and tracking_number',
      };
    }
    return {
      kind: 'booked',
      trackingNumber: body.tracking_number,
      carrierShipmentId: body.id,
      labelRef: typeof body.label_url === 'string' ? body.label_url : undefined,
    };
  }

  async cancelShipment(request: CancelShipmentRequest): Promise<CancellationOutcome> {
    const id = request.carrierShipmentId ?? request.trackingNumber;
    const result = await this.call(
      `/v1/shipments/${encodeURIComponent(id)}/cancel`,
      request.idempotencyKey,
      {},
    );
    if (!result.ok) {
      return { kind: 'unavailable', message: `direct: ${result.message}` };
    }
    const { status, body } = result.value;
    return status >= 400 ? refusal(status, body) : { kind: 'cancelled' };
  }

  verifyWebhook(rawBody: Buffer, headers: WebhookHeaders, now?: Date): WebhookVerdict {
    return verifyWaybillWebhook(rawBody, headers, this.options.webhook, now);
  }

  readWebhook(rawBody: Buffer, headers: WebhookHeaders): ParsedWebhook {
    return parseWaybillWebhook(rawBody, headerValue(headers, 'webhook-id') ?? '');
  }

  private call(path: string, idempotencyKey: string, json: object) {
    return withBoundedRetries(this.options.retry, () =>
      requestJson({
        url: new URL(path, this.options.apiBase).toString(),
        method: 'POST',
        headers: { Authorization: `Bearer ${this.options.apiKey}`, 'Idempotency-Key': idempotencyKey },
        json,
        timeoutMs: this.options.timeoutMs,
      }),
    );
  }
}

function refusal(status: number, body: JsonObject): { kind: 'refused'; code: string; message: string } {
  const code = typeof body.code === 'string' ? body.code : `HTTP_${status}`;
  return {
    kind: 'refused',
    code: `DIRECT.${code}`,
    message: typeof body.message === 'string' ? body.message.slice(0, 500) : `the carrier answered ${status}`,
  };
}
