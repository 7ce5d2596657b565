/**
 * Plays the demo supplier for inventory's `http-json` adapter: it takes signed purchase orders
 * over HTTP, acknowledges each one after `stepMs` and delivers every line after another `stepMs`,
 * both as signed webhooks to `/v1/webhooks/suppliers/demo` — so replenishment visibly happens.
 */
import { randomUUID } from 'node:crypto';
import { FakeSupplier, signedSupplierMessage, type Delivery } from '@waybill/testing/parties';
import { deliverWebhook, Pacer, type PacedPartyOptions, type PartySimulator } from './party';
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
  const pacer = new Pacer(options.stepMs);

  async function send(body: Record<string, unknown>): Promise<void> {
    const message = signedSupplierMessage(options.webhookSecret, `msg_${randomUUID()}`, body);
    await deliverWebhook(webhookUrl, message, {
      what: `supplier: ${String(body.type)} ${String(body.poNumber)}`,
      log: options.log,
      stopped: () => pacer.isStopped,
    });
  }

  supplier.onPurchaseOrder = ({ body }: Delivery) => {
    const poNumber = body.poNumber;
    pacer.later(async () => {
      await send({ type: 'purchase_order.acknowledged', poNumber });
      pacer.later(() =>
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
      pacer.stop();
      options.log(`supplier: ${supplier.accepted.size} purchase orders taken`);
      await supplier.stop();
    },
  };
}
