import { Injectable } from '@nestjs/common';
import { WebhookAcknowledgement, WebhookIngress } from '@waybill/eventing';
import { DomainError, WebhookHeaders } from '@waybill/platform';
import { CarrierRegistry } from '../carriers/carrier-registry';
import { CarrierWebhookSource } from './carrier-webhook-source';

export type { CarrierWebhookAck } from './carrier-webhook-source';

/**
 * Carrier webhooks through the one ingress: verified on the raw bytes, stored with the headers the
 * carrier names, answered. Processing happens after the answer, from the stored copy
 * (CarrierWebhookHandler in the inbox worker), so a slow transaction never makes the carrier
 * retry. What is refused is never stored.
 */
@Injectable()
export class ReceiveCarrierWebhook {
  constructor(
    private readonly carriers: CarrierRegistry,
    private readonly ingress: WebhookIngress,
  ) {}

  receive(carrierName: string, rawBody: Buffer, headers: WebhookHeaders): Promise<WebhookAcknowledgement> {
    return this.ingress.receive(this.source(carrierName), rawBody, headers);
  }

  /** An operator's replay: processes the stored webhook again (a remapped status now applies). */
  async replay(carrierName: string, id: string): Promise<{ replayed: true; id: string }> {
    const { name } = this.source(carrierName);
    const webhook = await this.ingress.replay(name, id);
    if (!webhook) {
      throw new DomainError('LOGISTICS.WEBHOOK_NOT_FOUND', `no stored ${name} webhook has id ${id}`, {
        kind: 'not-found',
      });
    }
    return { replayed: true, id: webhook.id };
  }

  private source(name: string): CarrierWebhookSource {
    const carrier = this.carriers.get(name);
    if (!carrier) {
      throw new DomainError('LOGISTICS.UNKNOWN_CARRIER', `no carrier ${name} is configured`, {
        kind: 'not-found',
      });
    }
    return new CarrierWebhookSource(carrier);
  }
}
