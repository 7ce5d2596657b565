import { Injectable } from '@nestjs/common';
import { WebhookInbox } from '@waybill/eventing';
import { DomainError, WebhookHeaders } from '@waybill/platform';
import { CarrierRegistry } from '../carriers/carrier-registry';
import type { Carrier } from '../carriers/carrier';
import { LogisticsConfig } from '../logistics.config';

export interface CarrierWebhookAck {
  readonly received: true;
  /** The stored webhook's id (for a replay). */
  readonly id: string;
  /** True when this event id was received before: it is not processed again. */
  readonly duplicate: boolean;
}

/**
 * Verifies on the raw bytes, stores the raw body and headers, answers. Processing happens after
 * the answer, from the stored copy (CarrierWebhookHandler in the inbox worker), so a slow
 * transaction never makes the carrier retry. What is refused is never stored.
 */
@Injectable()
export class ReceiveCarrierWebhook {
  constructor(
    private readonly config: LogisticsConfig,
    private readonly carriers: CarrierRegistry,
    private readonly inbox: WebhookInbox,
  ) {}

  async receive(carrierName: string, rawBody: Buffer, headers: WebhookHeaders): Promise<CarrierWebhookAck> {
    const carrier = this.carrier(carrierName);
    // Refusals go through the inbox, which counts them by carrier and reason (waybill_webhooks_total).
    if (rawBody.length > this.config.LOGISTICS_WEBHOOK_MAX_BYTES) {
      throw this.inbox.refuse(
        carrier.name,
        'PAYLOAD_TOO_LARGE',
        `the body is ${rawBody.length} bytes; carrier webhooks may have at most ${this.config.LOGISTICS_WEBHOOK_MAX_BYTES}`,
      );
    }
    const verdict = carrier.verifyWebhook(rawBody, headers);
    if (!verdict.ok) {
      throw this.inbox.refuse(carrier.name, verdict.rejection, verdict.message);
    }
    const { id, duplicate } = await this.inbox.store({
      source: carrier.name,
      externalId: verdict.externalId,
      eventType: verdict.eventType,
      rawBody,
      headers: singleValued(headers),
    });
    return { received: true, id, duplicate };
  }

  /** An operator's replay: processes the stored webhook again (a remapped status now applies). */
  async replay(carrierName: string, id: string): Promise<{ replayed: true; id: string }> {
    const carrier = this.carrier(carrierName);
    const webhook = await this.inbox.replay(carrier.name, id);
    if (!webhook) {
      throw new DomainError('LOGISTICS.WEBHOOK_NOT_FOUND', `no stored ${carrier.name} webhook has id ${id}`, {
        kind: 'not-found',
      });
    }
    return { replayed: true, id: webhook.id };
  }

  private carrier(name: string): Carrier {
    const carrier = this.carriers.get(name);
    if (!carrier) {
      throw new DomainError('LOGISTICS.UNKNOWN_CARRIER', `no carrier ${name} is configured`, {
        kind: 'not-found',
      });
    }
    return carrier;
  }
}

/** Node gives repeated headers as arrays; the stored copy keeps the first, as verification did. */
function singleValued(headers: WebhookHeaders): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) {
      result[name.toLowerCase()] = first;
    }
  }
  return result;
}
