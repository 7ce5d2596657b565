import { Injectable } from '@nestjs/common';
import { WebhookAcknowledgement, WebhookIngress } from '@waybill/eventing';
import { DomainError, WebhookHeaders } from '@waybill/platform';
import { PaymentProviders } from '../providers/payment-providers';
import { PaymentWebhookSource } from './payment-webhook-source';

export type { WebhookAck } from './payment-webhook-source';

/**
 * Provider webhooks through the one ingress: verified, stored, answered; applied after the answer
 * from the stored copy (PaymentWebhookHandler in the inbox worker), so a slow database transaction
 * never makes the provider retry.
 */
@Injectable()
export class ReceiveWebhookService {
  constructor(
    private readonly providers: PaymentProviders,
    private readonly ingress: WebhookIngress,
  ) {}

  receive(providerName: string, rawBody: Buffer, headers: WebhookHeaders): Promise<WebhookAcknowledgement> {
    return this.ingress.receive(this.source(providerName), rawBody, headers);
  }

  /** An operator's replay: the stored webhook is applied again by the worker. */
  async replay(providerName: string, id: string): Promise<{ replayed: true; id: string }> {
    const { name } = this.source(providerName);
    const webhook = await this.ingress.replay(name, id);
    if (!webhook) {
      throw new DomainError('PAYMENT.WEBHOOK_NOT_FOUND', `no stored ${name} webhook has id ${id}`, {
        kind: 'not-found',
      });
    }
    return { replayed: true, id: webhook.id };
  }

  private source(name: string): PaymentWebhookSource {
    const provider = this.providers.get(name);
    if (!provider) {
      throw new DomainError('PAYMENT.UNKNOWN_PROVIDER', `no payment provider ${name} is configured`, {
        kind: 'not-found',
      });
    }
    return new PaymentWebhookSource(provider);
  }
}
