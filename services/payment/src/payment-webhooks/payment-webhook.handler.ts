import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Outbox, StoredWebhook, WebhookHandler } from '@waybill/eventing';
import { PaymentProviders } from '../providers/payment-providers';
import { PaymentSaga } from '../saga/payment-saga.service';

/** Applies a stored, verified provider webhook to its payment (run by the webhook inbox worker). */
@Injectable()
export class PaymentWebhookHandler implements WebhookHandler {
  constructor(
    private readonly outbox: Outbox,
    private readonly providers: PaymentProviders,
    private readonly saga: PaymentSaga,
  ) {}

  async handle(manager: EntityManager, webhook: StoredWebhook): Promise<void> {
    const provider = this.providers.get(webhook.source);
    if (!provider) {
      throw new Error(`payment provider ${webhook.source} is no longer configured`);
    }
    // Read again from the stored copy: its signature was checked when it arrived.
    const event = provider.interpretWebhook(webhook.rawBody);
    await this.saga.webhookReceived(manager, provider.name, event, (events) =>
      this.outbox.enqueue(manager, events),
    );
  }
}
