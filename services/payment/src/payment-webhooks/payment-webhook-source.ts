import {
  jsonAcknowledgement,
  WebhookAcknowledgement,
  WebhookReceipt,
  WebhookSource,
} from '@waybill/eventing';
import type { WebhookHeaders, WebhookRefusal, WebhookVerdict } from '@waybill/platform';
import type { PaymentWebhookEvent } from '../domain/payment-outcomes';
import type { PaymentProvider } from '../providers/payment-provider';

/** What a provider gets back; the body payment providers have always been answered. */
export interface WebhookAck {
  readonly received: true;
  /** True when this provider event id was received before: it is not processed again. */
  readonly duplicate: boolean;
  /** True for event types the saga does not act on. */
  readonly ignored: boolean;
}

/**
 * A payment provider as a webhook source: its own verifyWebhook verifies and reads (the signature
 * schemes stay in the provider files), the provider's event id dedups, and an event the saga does
 * not act on is verified, answered and never stored.
 */
export class PaymentWebhookSource implements WebhookSource<PaymentWebhookEvent> {
  readonly name: string;
  readonly storedHeaders: readonly string[];

  constructor(private readonly provider: PaymentProvider) {
    this.name = provider.name;
    this.storedHeaders = provider.webhookHeaders;
    const { webhookAnswers } = provider;
    if (webhookAnswers) {
      this.refuse = (refusal) => webhookAnswers.refused(refusal);
    }
  }

  verify(rawBody: Buffer, headers: WebhookHeaders, now: Date): WebhookVerdict {
    const parsed = this.provider.verifyWebhook(rawBody, headers, now);
    if (!parsed.ok) {
      return parsed;
    }
    const { event } = parsed;
    return { ok: true, externalId: event.providerEventId, eventType: event.type, ignored: !event.outcome };
  }

  read(rawBody: Buffer): PaymentWebhookEvent {
    return this.provider.readWebhook(rawBody);
  }

  acknowledge({ duplicate, ignored }: WebhookReceipt): WebhookAcknowledgement {
    const { webhookAnswers } = this.provider;
    return (
      webhookAnswers?.accepted ??
      jsonAcknowledgement({ received: true, duplicate, ignored } satisfies WebhookAck)
    );
  }

  readonly refuse?: (refusal: WebhookRefusal) => WebhookAcknowledgement;
}
