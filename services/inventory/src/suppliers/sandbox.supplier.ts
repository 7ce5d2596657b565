import { Logger } from '@nestjs/common';
import { signStandardWebhook } from '@waybill/platform';
import type { PurchaseOrderDocument, SendOutcome, SupplierAdapter } from './supplier-adapter';
import type { SupplierSettings } from './supplier-settings';

/** Hands a signed supplier message to the webhook path, exactly as if it had come over HTTP. */
export type SupplierMessageSink = (
  supplier: string,
  rawBody: Buffer,
  headers: Record<string, string>,
) => Promise<unknown>;

const DELIVERY_ATTEMPTS = 5;

/**
 * A supplier that always accepts: it acknowledges after `_SANDBOX_ACK_DELAY_MS` and ships in full
 * after `_SANDBOX_SHIP_DELAY_MS` (an advance shipping notice, then the goods-received note). Its
 * messages are signed with the supplier's webhook secret and go through the same receipt path as
 * a real supplier's, so they are verified, deduplicated and booked the same way. In memory: a
 * restart forgets what it had scheduled (it is a test and demo double, not a durable supplier).
 */
export class SandboxSupplier implements SupplierAdapter {
  readonly kind = 'sandbox' as const;
  private readonly logger = new Logger(SandboxSupplier.name);
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<Promise<void>>();
  /** The supplier's own dedup by webhook-id: a re-sent order is not shipped twice. */
  private readonly accepted = new Set<string>();
  private closed = false;

  constructor(
    private readonly settings: SupplierSettings,
    private readonly sink: SupplierMessageSink,
  ) {}

  async send(order: PurchaseOrderDocument): Promise<SendOutcome> {
    if (this.accepted.has(order.poNumber)) {
      return { outcome: 'delivered', detail: 'sandbox: already accepted' };
    }
    this.accepted.add(order.poNumber);
    const lines = order.lines.map(({ sku, quantity }) => ({ sku, quantity }));
    this.later(this.settings.sandboxAckDelayMs, [
      {
        id: `sandbox-ack-${order.poNumber}`,
        body: { type: 'purchase_order.acknowledged', poNumber: order.poNumber },
      },
    ]);
    this.later(this.settings.sandboxShipDelayMs, [
      {
        id: `sandbox-asn-${order.poNumber}`,
        body: { type: 'shipment.advised', poNumber: order.poNumber, lines },
      },
      {
        id: `sandbox-grn-${order.poNumber}`,
        body: {
          type: 'goods.received',
          poNumber: order.poNumber,
          receiptRef: `SANDBOX-${order.poNumber}`,
          lines,
        },
      },
    ]);
    return { outcome: 'delivered', detail: 'sandbox: accepted' };
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) {
      clearTimeout(timer);
    }
    this.timers.clear();
    await Promise.allSettled([...this.inFlight]);
  }

  private later(delayMs: number, messages: { id: string; body: object }[]): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      const work = this.deliverAll(messages).finally(() => this.inFlight.delete(work));
      this.inFlight.add(work);
    }, delayMs);
    this.timers.add(timer);
  }

  private async deliverAll(messages: { id: string; body: object }[]): Promise<void> {
    for (const message of messages) {
      const rawBody = Buffer.from(JSON.stringify({ ...message.body, occurredAt: new Date().toISOString() }));
      for (let attempt = 1; attempt <= DELIVERY_ATTEMPTS && !this.closed; attempt++) {
        try {
          const headers = signStandardWebhook({
            id: message.id,
            timestamp: Date.now() / 1000,
            rawBody,
            secrets: this.settings.webhookSecrets,
          });
          await this.sink(this.settings.id, rawBody, { ...headers });
          break;
        } catch (error) {
          this.logger.warn(`sandbox ${message.id} attempt ${attempt} failed: ${(error as Error).message}`);
          await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
        }
      }
    }
  }
}
