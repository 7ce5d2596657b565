import { BadRequestException, Injectable, UnauthorizedException } from '@nestjs/common';
import { DomainError } from '@waybill/platform';
import { WebhookReceiptRepository } from '../persistence/webhook-receipt.repository';
import type { WebhookHeaders } from '../providers/payment-provider';
import { PaymentProviders } from '../providers/payment-providers';
import { WebhookProcessor } from './webhook-processor.service';

export interface WebhookAck {
  readonly received: true;
  /** True when this provider event id was received before: it is not processed again. */
  readonly duplicate: boolean;
  /** True for event types the saga does not act on. */
  readonly ignored: boolean;
}

/**
 * Verifies, stores the raw body and answers: processing happens after the answer, from the stored
 * copy (WebhookProcessor), so a slow database transaction never makes the provider retry.
 */
@Injectable()
export class ReceiveWebhookService {
  constructor(
    private readonly providers: PaymentProviders,
    private readonly receipts: WebhookReceiptRepository,
    private readonly processor: WebhookProcessor,
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
      const body = { code: `WEBHOOK.${parsed.rejection}`, message: parsed.message };
      // A missing or malformed header is a bad request; a signature that does not verify is unauthenticated.
      switch (parsed.rejection) {
        case 'SIGNATURE_MISMATCH':
        case 'TIMESTAMP_OUT_OF_TOLERANCE':
        case 'NOT_CONFIGURED':
          throw new UnauthorizedException(body);
        default:
          throw new BadRequestException(body);
      }
    }
    const { event } = parsed;
    if (!event.outcome) return { received: true, duplicate: false, ignored: true };
    const inserted = await this.receipts.insert(provider.name, event.providerEventId, event.type, rawBody);
    if (inserted) this.processor.kick();
    return { received: true, duplicate: !inserted, ignored: false };
  }
}
