import { Injectable } from '@nestjs/common';
import { WebhookAcknowledgement, WebhookIngress } from '@waybill/eventing';
import { DomainError, WebhookHeaders } from '@waybill/platform';
import type { Carrier, PushRequest } from '../carriers/carrier';
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

  receive(
    carrierName: string,
    rawBody: Buffer,
    headers: WebhookHeaders,
    request: PushRequest = {},
  ): Promise<WebhookAcknowledgement> {
    const carrier = this.carrier(carrierName);
    if ((request.pathToken !== undefined) !== (carrier.authenticatedBy === 'path-token')) {
      // One way in per carrier: SF only under its token, the others only on their signed path.
      throw new DomainError(
        'LOGISTICS.WEBHOOK_PATH_UNKNOWN',
        carrier.authenticatedBy === 'path-token'
          ? `${carrier.name} pushes are received at /v1/webhooks/carriers/${carrier.name}/<token> only`
          : `${carrier.name} webhooks are received at /v1/webhooks/carriers/${carrier.name} only`,
        { kind: 'not-found' },
      );
    }
    return this.ingress.receive(new CarrierWebhookSource(carrier, request), rawBody, headers);
  }

  /** An operator's replay: processes the stored webhook again (a remapped status now applies). */
  async replay(carrierName: string, id: string): Promise<{ replayed: true; id: string }> {
    const { name } = this.carrier(carrierName);
    const webhook = await this.ingress.replay(name, id);
    if (!webhook) {
      throw new DomainError('LOGISTICS.WEBHOOK_NOT_FOUND', `no stored ${name} webhook has id ${id}`, {
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
