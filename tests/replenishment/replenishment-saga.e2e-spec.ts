import { randomUUID } from 'node:crypto';
import {
  FakeSupplier,
  MetricsScrape,
  newWebhookSecret,
  signedSupplierMessage,
  waitFor,
} from '@waybill/testing';
import { httpSupplierEnv } from '../../services/inventory/test/replenishment-support';
import { orderBody, SagaStack, uniqueSku } from '../support/saga-stack';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

/**
 * Issue 5's first "Show": orders placed through the order service drain stock through the saga
 * (reservations, then commits on shipment) below the reorder point; inventory raises one purchase
 * order with the policy's quantity and sends it to the supplier (a real HTTP server that verifies
 * the signature); the supplier acknowledges and delivers in two parts; stock is back up.
 */
describe('replenishment in the saga', () => {
  let stack: SagaStack;
  let supplier: FakeSupplier;
  const webhookSecret = newWebhookSecret();

  beforeAll(async () => {
    supplier = await FakeSupplier.start(newWebhookSecret());
    stack = await SagaStack.start({
      env: httpSupplierEnv('acme', supplier.url, { webhook: webhookSecret, signing: supplier.signingSecret }),
    });
  });

  afterAll(async () => {
    await stack?.stop();
    await supplier?.stop();
  });

  function inventory(method: string, path: string, body?: object) {
    return stack.call<Json>(stack.inventory.baseUrl, method, path, stack.operator.key, body);
  }

  async function supplierSays(webhookId: string, body: object): Promise<{ status: number; body: Json }> {
    const message = signedSupplierMessage(webhookSecret, webhookId, body);
    const response = await fetch(`${stack.inventory.baseUrl}/v1/webhooks/suppliers/acme`, {
      method: 'POST',
      headers: message.headers,
      body: message.rawBody,
    });
    return { status: response.status, body: await response.json() };
  }

  it('orders drain stock below the reorder point → one PO → acknowledged → received in two parts', async () => {
    const sku = uniqueSku('replenish');
    await stack.setStock(sku, 10);
    const policy = await inventory('PUT', `/v1/replenishment/policies/${sku}`, {
      reorderPoint: 4,
      orderUpTo: 20,
      minOrderQuantity: 5,
      packSize: 6,
      leadTimeDays: 2,
      supplier: 'acme',
    });
    expect(policy.status).toBe(200);
    expect(policy.body.position).toEqual({ onHand: 10, reserved: 0, available: 10, incoming: 0 });

    // Two storefront orders of 3: reserved, paid, confirmed, then shipped (logistics is played here).
    const placed = await Promise.all([1, 2].map(() => stack.placeOrder(orderBody([{ sku, quantity: 3 }]))));
    expect(placed.map((answer) => answer.status)).toEqual([201, 201]);
    for (const answer of placed) {
      await stack.waitForStatus(answer.body.id, 'CONFIRMED');
    }
    for (const answer of placed) {
      await stack.probe.publish('waybill.shipment.created.v1', {
        orderId: answer.body.id,
        shipmentId: randomUUID(),
        carrier: 'test-carrier',
        trackingNumber: `TRK${answer.body.id.slice(0, 8)}`,
        createdAt: new Date().toISOString(),
      });
    }
    await waitFor(
      async () => {
        const stock = await stack.stock(sku);
        return stock.onHand === 4 && stock.reserved === 0 ? stock : undefined;
      },
      { timeoutMs: 30_000, description: 'both orders committed' },
    );

    // Available 4 ≤ reorder point 4 → up to 20: 16, at least 5, in packs of 6 → 18. One order only.
    const list = await inventory('GET', `/v1/purchase-orders?sku=${sku}`);
    expect(list.body.items).toHaveLength(1);
    const [summary] = list.body.items;
    expect(summary).toMatchObject({
      sku,
      supplier: 'acme',
      trigger: 'reorder_point',
      lines: [{ sku, ordered: 18, received: 0 }],
    });
    const { poNumber } = summary;
    expect(poNumber).toMatch(/^PO-\d{6}$/);

    // The supplier has it, signed, under the PO number.
    await waitFor(() => supplier.accepted.get(poNumber), { description: 'the supplier to receive the PO' });
    expect(supplier.deliveriesOf(poNumber).every((delivery) => delivery.verified)).toBe(true);
    const document = supplier.accepted.get(poNumber)!.body;
    expect(document).toMatchObject({ poNumber, lines: [{ sku, quantity: 18 }] });
    // Due after the policy's lead time of 2 days.
    expect(Date.parse(String(document.expectedBy)) - Date.parse(String(document.issuedAt))).toBe(
      2 * 86_400_000,
    );
    await waitFor(
      async () => (await inventory('GET', `/v1/purchase-orders/${poNumber}`)).body.state === 'SENT',
      {
        description: 'the PO to be SENT',
      },
    );
    const issued = await stack.probe.waitForEvent(
      'waybill.inventory.purchase-order-issued.v1',
      (data: { poNumber: string }) => data.poNumber === poNumber,
    );
    expect(issued.key).toBe(sku);

    const ack = await supplierSays(`ack-${poNumber}`, { type: 'purchase_order.acknowledged', poNumber });
    expect([ack.status, ack.body.purchaseOrder.state]).toEqual([200, 'ACKNOWLEDGED']);

    const part = await supplierSays(`grn-1-${poNumber}`, {
      type: 'goods.received',
      poNumber,
      receiptRef: 'DN-1',
      lines: [{ sku, quantity: 10 }],
    });
    expect([part.status, part.body.purchaseOrder.state]).toEqual([200, 'PARTIALLY_RECEIVED']);
    expect((await inventory('GET', `/v1/replenishment/policies/${sku}`)).body.position).toEqual({
      onHand: 14,
      reserved: 0,
      available: 14,
      incoming: 8,
    });

    const rest = await supplierSays(`grn-2-${poNumber}`, {
      type: 'goods.received',
      poNumber,
      receiptRef: 'DN-2',
      lines: [{ sku, quantity: 8 }],
    });
    expect([rest.status, rest.body.purchaseOrder.state]).toEqual([200, 'RECEIVED']);

    expect((await inventory('GET', `/v1/replenishment/policies/${sku}`)).body.position).toEqual({
      onHand: 22,
      reserved: 0,
      available: 22,
      incoming: 0,
    });
    expect(await stack.stock(sku)).toEqual({ sku, onHand: 22, reserved: 0, available: 22 });
    const order = (await inventory('GET', `/v1/purchase-orders/${summary.id}`)).body;
    expect(order.state).toBe('RECEIVED');
    expect(order.history.map((entry: Json) => entry.to)).toEqual([
      'DRAFT',
      'SENT',
      'ACKNOWLEDGED',
      'PARTIALLY_RECEIVED',
      'RECEIVED',
    ]);
    await waitFor(
      () =>
        stack.probe.events<{ poNumber: string }>(
          'waybill.inventory.stock-received.v1',
          (data) => data.poNumber === poNumber,
        ).length === 2,
      { description: 'two stock-received events' },
    );
    expect((await inventory('GET', `/v1/purchase-orders?sku=${sku}`)).body.items).toHaveLength(1);
    // The business gauge operators watch: the one PO of this stack's database is RECEIVED, none open.
    const metrics = await MetricsScrape.of(stack.inventory.baseUrl);
    expect(metrics.value('waybill_purchase_orders', { state: 'RECEIVED' })).toBe(1);
    expect(metrics.value('waybill_purchase_orders', { state: 'SENT' })).toBe(0);

    // The received stock serves the next order.
    const next = await stack.placeOrder(orderBody([{ sku, quantity: 15 }]));
    await stack.waitForStatus(next.body.id, 'CONFIRMED');
  });
});
