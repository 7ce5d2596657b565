import {
  jsonAcknowledgement,
  WebhookAcknowledgement,
  WebhookReceipt,
  WebhookSource,
} from '@waybill/eventing';
import type { WebhookHeaders, WebhookRefusal, WebhookVerdict } from '@waybill/platform';
import type { Carrier, ParsedWebhook, PushRequest } from '../carriers/carrier';

/** What a carrier gets back; the body carriers have always been answered. */
export interface CarrierWebhookAck {
  readonly received: true;
  /** The stored webhook's id (for a replay). */
  readonly id: string;
  /** True when this event id was received before: it is not processed again. */
  readonly duplicate: boolean;
}

/**
 * A carrier as a webhook source. The signature schemes stay in the carrier files; this is where
 * the ingress meets them: the carrier's event id dedups, and its stored headers are re-read.
 */
export class CarrierWebhookSource implements WebhookSource<ParsedWebhook> {
  readonly name: string;
  readonly storedHeaders: readonly string[];
  /** The carrier's own failure answer, where it has one; the ingress's problem+json otherwise. */
  readonly refuse?: (refusal: WebhookRefusal) => WebhookAcknowledgement;

  constructor(
    private readonly carrier: Carrier,
    /** This request's path token and address, for carriers that authenticate by them. */
    private readonly request: PushRequest = {},
  ) {
    this.name = carrier.name;
    this.storedHeaders = carrier.webhookHeaders;
    const refuse = carrier.refuse?.bind(carrier);
    if (refuse) {
      this.refuse = refuse;
    }
  }

  verify(rawBody: Buffer, headers: WebhookHeaders, now: Date): WebhookVerdict {
    return this.carrier.verifyWebhook(rawBody, headers, now, this.request);
  }

  read(rawBody: Buffer, headers: Readonly<Record<string, string>>): ParsedWebhook {
    return this.carrier.readWebhook(rawBody, headers);
  }

  acknowledge(receipt: WebhookReceipt): WebhookAcknowledgement {
    if (this.carrier.acknowledge) {
      return this.carrier.acknowledge(receipt);
    }
    const { id, duplicate } = receipt;
    return jsonAcknowledgement({ received: true, id: id ?? '', duplicate } satisfies CarrierWebhookAck);
  }
}
