import { Injectable } from '@nestjs/common';
import { WebhookInbox } from '@waybill/eventing';
import { DomainError } from '@waybill/platform';
import type { WebhookHeaders } from '../providers/payment-provider';
import { PaymentProviders } from '../providers/payment-providers';

export interface WebhookAck {
  readonly received: true;
  /** True when this provider event id was received before: it is not processed again. */
  readonly duplicate: boolean;
  /** True for event types the saga does not act on. */
  readonly ignored: boolean;
}

/**
 * Verifies, stores the raw body and answers: processing happens after the answer, from the stored
 * copy (the webhook inbox worker), so a slow database transaction never makes the provider retry.
 */
@Injectable()
export class ReceiveWebhookService {
  constructor(
    private readonly providers: PaymentProviders,
    private readonly inbox: WebhookInbox,
  ) {}

  async receive(providerName: string, rawBody: Buffer, headers: WebhookHeaders): Promise<WebhookAck> {
    const provider = this.providers.get(providerName);
    if (!provider) {
      throw new DomainError('PAYMENT.UNKNOWN_PROVIDER', `no payment provider ${providerName} is configured`, {
        kind: 'not-found',
      });
    }
    const parsed = provider.parseWebhook(rawBody, headers);
    if (!parsed.ok) {
      throw this.inbox.refuse(provider.name, parsed.rejection, parsed.message);
    }
    const { event } = parsed;
    if (!event.outcome) {
      return { received: true, duplicate: false, ignored: true };
    }
    const { duplicate } = await this.inbox.store({
      source: provider.name,
      externalId: event.providerEventId,
      eventType: event.type,
      rawBody,
    });
    return { received: true, duplicate, ignored: false };
  }
}
