import {
  jsonAcknowledgement,
  WebhookAcknowledgement,
  WebhookReceipt,
  WebhookSource,
} from '@waybill/eventing';
import {
  STANDARD_WEBHOOK_HEADER_NAMES,
  verifyStandardWebhook,
  WebhookHeaders,
  WebhookVerdict,
} from '@waybill/platform';
import type { PurchaseOrderState } from '../domain/purchase-order';
import type { SupplierSettings } from '../suppliers/supplier-settings';
import { parseSupplierMessage, SupplierMessage } from './supplier-message';

/** What applying a supplier message did, for its acknowledgement. */
export interface SupplierMessageApplied {
  /** `applied`, or `ignored` for a late or repeated message that would not move the order forward. */
  readonly outcome: 'applied' | 'ignored';
  readonly purchaseOrder: { readonly poNumber: string; readonly state: PurchaseOrderState };
}

/** What a supplier gets back; the body suppliers have always been answered. */
export interface SupplierMessageAck extends Partial<SupplierMessageApplied> {
  readonly received: true;
  /** This webhook-id was received before: nothing was applied again. */
  readonly duplicate: boolean;
}

/**
 * A configured supplier as a webhook source: Standard Webhooks with its `_WEBHOOK_SECRET`, the
 * `webhook-id` dedups, and a signed body that is not a supplier message is PAYLOAD_MALFORMED.
 */
export class SupplierWebhookSource implements WebhookSource<SupplierMessage, SupplierMessageApplied> {
  readonly name: string;
  readonly storedHeaders = STANDARD_WEBHOOK_HEADER_NAMES;

  constructor(
    private readonly supplier: SupplierSettings,
    private readonly toleranceSeconds: number,
  ) {
    this.name = supplier.id;
  }

  verify(rawBody: Buffer, headers: WebhookHeaders, now: Date): WebhookVerdict {
    const signature = verifyStandardWebhook({
      rawBody,
      headers,
      secrets: this.supplier.webhookSecrets,
      toleranceSeconds: this.toleranceSeconds,
      now,
    });
    if (!signature.ok) {
      return signature;
    }
    const parsed = parseSupplierMessage(rawBody);
    if (!parsed.ok) {
      return { ok: false, rejection: 'PAYLOAD_MALFORMED', message: parsed.problems.join('; ') };
    }
    return { ok: true, externalId: signature.id, eventType: parsed.message.type };
  }

  read(rawBody: Buffer): SupplierMessage {
    const parsed = parseSupplierMessage(rawBody);
    if (!parsed.ok) {
      throw new Error(`a stored supplier message no longer reads: ${parsed.problems.join('; ')}`);
    }
    return parsed.message;
  }

  acknowledge({ duplicate, applied }: WebhookReceipt<SupplierMessageApplied>): WebhookAcknowledgement {
    return jsonAcknowledgement({ received: true, duplicate, ...applied } satisfies SupplierMessageAck);
  }
}
