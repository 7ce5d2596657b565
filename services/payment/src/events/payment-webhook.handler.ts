import { Injectable } from '@nestjs/common';
import { StoredWebhook, UnitOfWork, WebhookHandler } from '@waybill/eventing';
import { PaymentProviders } from '../providers/payment-providers';
import { AdvancePayment } from '../advance-payment/advance-payment.service';
import { PaymentWebhookSource } from '../payment-webhooks/payment-webhook-source';

/** Applies a stored, verified provider webhook to its payment (run by the webhook inbox worker). */
@Injectable()
export class PaymentWebhookHandler implements WebhookHandler {
  constructor(
    private readonly providers: PaymentProviders,
    private readonly advancePayment: AdvancePayment,
  ) {}

  async handle(uow: UnitOfWork, webhook: StoredWebhook): Promise<void> {
    const provider = this.providers.get(webhook.source);
    if (!provider) {
      throw new Error(`payment provider ${webhook.source} is no longer configured`);
    }
    // Read again from the stored copy: its signature was checked when it arrived.
    const event = new PaymentWebhookSource(provider).read(webhook.rawBody);
    await this.advancePayment.execute(uow, { type: 'provider-webhook', provider: provider.name, event });
  }
}
