import { randomUUID } from 'node:crypto';
import { waitFor } from '@waybill/testing';
import { signedTrackingWebhook } from '../services/logistics/src/carriers/waybill-tracking-webhook';
import { DELIVERED_TIMELINE, orderBody, SagaStack, uniqueSku } from './support/saga-stack';

const SANDBOX_CARRIER_SECRET = `whsec_${Buffer.from('fulfilment e2e sandbox carrier').toString('base64')}`;

/**
 * Issue 4's end-to-end promise: order, inventory, payment and logistics on the real Kafka and
 * PostgreSQL; the sandbox carrier books on order.confirmed and its signed tracking webhook
 * delivers the parcel, so the order goes CONFIRMED → SHIPPED → DELIVERED.
 */
describe('fulfilment: an order from confirmation to the customer’s door', () => {
  let stack: SagaStack;

  beforeAll(async () => {
    stack = await SagaStack.start({
      withLogistics: true,
      env: {
        LOGISTICS_SANDBOX_WEBHOOK_SECRET: SANDBOX_CARRIER_SECRET,
        LOGISTICS_WEBHOOK_POLL_INTERVAL_MS: '200',
      },
    });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('goes CONFIRMED → SHIPPED → DELIVERED with the sandbox carrier; stock is committed and payment captured on shipment', async () => {
    const logistics = stack.logistics!;
    const sku = uniqueSku('ship');
    await stack.setStock(sku, 5);
    const placed = await stack.placeOrder(orderBody([{ sku, quantity: 2, unitPrice: 1500 }]));
    expect(placed.status).toBe(201);
    const orderId = placed.body.id;

    await stack.waitForStatus(orderId, 'SHIPPED');
    const shipment = await stack.shipmentOf(orderId);
    expect(shipment).toMatchObject({ orderId, carrier: 'sandbox', status: 'label_created' });
    await stack.probe.waitForEvent('waybill.payment.captured.v1', (data) => data.orderId === orderId);
    await waitFor(async () => (await stack.stock(sku)).onHand === 3, {
      description: 'the reservation to be committed',
    });

    // The carrier delivers: a signed Standard Webhooks message to logistics.
    const { rawBody, headers } = signedTrackingWebhook(
      {
        tracking_number: shipment.trackingNumber,
        status: 'delivered',
        occurred_at: new Date().toISOString(),
        location: 'Berlin, DE',
      },
      { secrets: [SANDBOX_CARRIER_SECRET], id: `msg_${randomUUID()}` },
    );
    const answer = await fetch(`${logistics.baseUrl}/v1/webhooks/carriers/sandbox`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      body: rawBody,
    });
    expect(answer.status).toBe(200);

    const delivered = await stack.waitForStatus(orderId, 'DELIVERED');
    expect(delivered.timeline.map((step) => step.status)).toEqual(DELIVERED_TIMELINE);
    expect(delivered.timeline.at(-1)?.event.type).toBe('waybill.shipment.delivered.v1');
    await stack.probe.waitForEvent('waybill.order.completed.v1', (data) => data.orderId === orderId);
  });
});
