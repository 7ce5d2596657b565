import { HttpException, Injectable, Optional } from '@nestjs/common';
import { Metrics } from '../metrics/metrics';
import { webhookRejection, WebhookRejection } from './webhook-rejection';

/**
 * Counts every webhook a service receives — payment providers, carriers, suppliers — by source
 * and outcome: verified, duplicate, or why it was refused (signature_mismatch,
 * timestamp_out_of_tolerance, payload_too_large, …). One counter, whichever path takes the webhook.
 */
@Injectable()
export class WebhookOutcomes {
  private readonly outcomes;

  constructor(@Optional() metrics?: Metrics) {
    this.outcomes = (metrics ?? new Metrics('webhooks', { processMetrics: false })).counter({
      name: 'waybill_webhooks_total',
      help: 'Webhooks received, by source and outcome (verified, duplicate, or why they were refused)',
      labelNames: ['source', 'outcome'] as const,
    });
  }

  verified(source: string): void {
    this.outcomes.inc({ source, outcome: 'verified' });
  }

  duplicate(source: string): void {
    this.outcomes.inc({ source, outcome: 'duplicate' });
  }

  /** Counts a refusal and returns the answer to throw (see webhookRejection). */
  refuse(source: string, rejection: WebhookRejection, message: string): HttpException {
    this.outcomes.inc({ source, outcome: rejection.toLowerCase() });
    return webhookRejection(rejection, message);
  }
}
