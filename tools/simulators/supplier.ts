/**
 * Plays the demo supplier for inventory's `http-json` adapter: it takes signed purchase orders
 * over HTTP, acknowledges each one after `stepMs` and delivers every line after another `stepMs`,
 * both as signed webhooks to `/v1/webhooks/suppliers/demo` — so replenishment visibly happens.
 */
import { randomUUID } from 'node:crypto';
import { FakeSupplier, signedSupplierMessage, type Delivery } from '@waybill/testing/parties';
import type { PacedPartyOptions, PartySimulator } from './party';
import { DEMO_SUPPLIER } from './demo-catalogue';

export async function startSupplier(
  options: PacedPartyOptions & {
    /** Verifies the purchase orders inventory signs. */
    readonly signingSecret: string;
    /** Signs what the supplier posts back. */
    readonly webhookSecret: string;
  },
): Promise<PartySimulator> {
  const supplier = await FakeSupplier.start(options.signingSecret);
  const webhookUrl = `${options.serviceUrl}/v1/webhooks/suppliers/${DEMO_SUPPLIER}`;
  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;

  async function send(body: Record<string, unknown>): Promise<void> {
    const { rawBody, headers } = signedSupplierMessage(options.webhookSecret, `msg_${randomUUID()}`, body);
    try {
      const response = await fetch(webhookUrl, { method: 'POST', headers, body: rawBody });
      options.log(`supplier: ${String(body.type)} ${String(body.poNumber)} → ${response.status}`);
    } catch (error) {
      options.log(
        `supplier: ${String(body.type)} ${String(body.poNumber)} failed: ${(error as Error).message}`,
      );
    }
  }

  function later(fn: () => Promise<void>): void {
    if (stopped) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      void fn();
    }, options.stepMs);
    timers.add(timer);
  }

  supplier.onPurchaseOrder = ({ body }: Delivery) => {
    const poNumber = body.poNumber;
    later(async () => {
      await send({ type: 'purchase_order.acknowledged', poNumber });
      later(() =>
        send({ type: 'goods.received', poNumber, receiptRef: `DN-${poNumber}`, lines: body.lines ?? [] }),
      );
    });
  };
  options.log(`supplier: purchase orders at ${supplier.url}, a step every ${options.stepMs} ms`);
  const prefix = `INVENTORY_SUPPLIER_${DEMO_SUPPLIER.toUpperCase()}`;
  return {
    env: {
      [`${prefix}_ADAPTER`]: 'http-json',
      [`${prefix}_NAME`]: 'Demo Supplies Ltd',
      [`${prefix}_URL`]: supplier.url,
      [`${prefix}_SIGNING_SECRET`]: options.signingSecret,
      [`${prefix}_WEBHOOK_SECRET`]: options.webhookSecret,
      INVENTORY_SUPPLIER_ALLOWED_HOSTS: '127.0.0.1',
      INVENTORY_SUPPLIER_ALLOW_LOOPBACK: 'true',
    },
    async stop() {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      options.log(`supplier: ${supplier.accepted.size} purchase orders taken`);
      await supplier.stop();
    },
  };
}
