import { MetricsScrape } from '@waybill/testing';
import { newWebhookSecret } from '@waybill/testing/parties';
import {
  call,
  onlyPurchaseOrder,
  positionOf,
  postSupplierMessage,
  purchaseOrder,
  putPolicy,
  ReplenishmentUnderTest,
  startWithSupplier,
  uniqueSku,
  waitForState,
} from './replenishment-support';
import { setStock, stockOf } from './support';

/**
 * Supplier webhooks: verified, deduplicated, applied in the request; what would book stock it
 * should not is refused with a 4xx naming the problem, and nothing changes.
 */
describe('supplier webhooks', () => {
  let env: ReplenishmentUnderTest;

  beforeAll(async () => {
    env = await startWithSupplier({ INVENTORY_SUPPLIER_WEBHOOK_MAX_BYTES: '2048' });
  });

  afterAll(async () => {
    await env?.stop();
  });

  /** A SKU with a SENT purchase order for 20 units (stock 5, reorder point 5, up to 25). */
  async function sentOrder(base: string): Promise<{ sku: string; poNumber: string; id: string }> {
    const sku = uniqueSku(base);
    await setStock(env.inventory, sku, 30);
    await putPolicy(env.inventory, sku, { reorderPoint: 5, orderUpTo: 25 });
    await setStock(env.inventory, sku, 5);
    const order = await onlyPurchaseOrder(env.inventory, sku);
    await waitForState(env.inventory, order.id, 'SENT');
    return { sku, poNumber: order.poNumber, id: order.id };
  }

  function grn(poNumber: string, sku: string, quantity: number, receiptRef = `GRN-${quantity}`) {
    return { type: 'goods.received', poNumber, receiptRef, lines: [{ sku, quantity }] };
  }

  it('refuses a bad signature with 401 and books nothing', async () => {
    const { sku, poNumber, id } = await sentOrder('badsig');
    const before = await MetricsScrape.of(env.inventory.service.baseUrl);
    const answer = await postSupplierMessage(
      env.inventory,
      'acme',
      newWebhookSecret(),
      grn(poNumber, sku, 10),
    );
    expect(answer.status).toBe(401);
    expect(answer.body.code).toBe('WEBHOOK.SIGNATURE_MISMATCH');
    expect(await stockOf(env.inventory, sku)).toMatchObject({ on_hand: 5, reserved: 0 });
    expect(await positionOf(env.inventory, sku)).toMatchObject({ onHand: 5, incoming: 20 });
    expect((await purchaseOrder(env.inventory, id)).state).toBe('SENT');

    const unsigned = await fetch(`${env.inventory.service.baseUrl}/v1/webhooks/suppliers/acme`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(grn(poNumber, sku, 10)),
    });
    expect(unsigned.status).toBe(400);
    // Operators see both refusals, by supplier and reason.
    const after = await MetricsScrape.of(env.inventory.service.baseUrl);
    for (const outcome of ['signature_mismatch', 'signature_missing']) {
      const labels = { source: 'acme', outcome };
      expect(after.value('waybill_webhooks_total', labels)).toBe(
        before.value('waybill_webhooks_total', labels) + 1,
      );
    }
  });

  it('refuses an unknown PO number with 422 naming it, and books nothing', async () => {
    const { sku } = await sentOrder('unknownpo');
    const answer = await postSupplierMessage(
      env.inventory,
      'acme',
      env.webhookSecret,
      grn('PO-999999', sku, 10),
    );
    expect(answer.status).toBe(422);
    expect(answer.body.code).toBe('SUPPLIER_WEBHOOK.UNKNOWN_PURCHASE_ORDER');
    expect(answer.body.message).toContain('PO-999999');
    expect(await positionOf(env.inventory, sku)).toMatchObject({ onHand: 5, incoming: 20 });
  });

  it('refuses an over-receipt with 422 and books nothing, not even the part that would fit', async () => {
    const { sku, poNumber, id } = await sentOrder('over');
    const partial = await postSupplierMessage(
      env.inventory,
      'acme',
      env.webhookSecret,
      grn(poNumber, sku, 15, 'GRN-A'),
    );
    expect(partial.status).toBe(200);
    expect(partial.body.purchaseOrder).toEqual({ poNumber, state: 'PARTIALLY_RECEIVED' });

    const over = await postSupplierMessage(
      env.inventory,
      'acme',
      env.webhookSecret,
      grn(poNumber, sku, 6, 'GRN-B'),
    );
    expect(over.status).toBe(422);
    expect(over.body.code).toBe('SUPPLIER_WEBHOOK.OVER_RECEIPT');
    expect(over.body.details.lines).toEqual([{ sku, ordered: 20, received: 15, delivered: 6 }]);
    expect(await positionOf(env.inventory, sku)).toMatchObject({ onHand: 20, incoming: 5 });
    const order = await purchaseOrder(env.inventory, id);
    expect(order.state).toBe('PARTIALLY_RECEIVED');
    expect(order.lines).toEqual([{ sku, ordered: 20, received: 15 }]);
    expect(order.receipts.map((receipt: { receiptRef: string }) => receipt.receiptRef)).toEqual(['GRN-A']);

    const otherSku = await postSupplierMessage(env.inventory, 'acme', env.webhookSecret, {
      ...grn(poNumber, 'NOT-ON-THIS-PO', 1),
    });
    expect(otherSku.status).toBe(422);
    expect(otherSku.body.code).toBe('SUPPLIER_WEBHOOK.UNKNOWN_LINE');
    expect(await positionOf(env.inventory, sku)).toMatchObject({ onHand: 20, incoming: 5 });
  });

  it('applies a message once per webhook-id and a receipt once per receipt ref', async () => {
    const { sku, poNumber } = await sentOrder('dedup');
    const first = await postSupplierMessage(
      env.inventory,
      'acme',
      env.webhookSecret,
      grn(poNumber, sku, 4),
      'msg-1',
    );
    const again = await postSupplierMessage(
      env.inventory,
      'acme',
      env.webhookSecret,
      grn(poNumber, sku, 4),
      'msg-1',
    );
    expect([first.status, first.body.duplicate]).toEqual([200, false]);
    expect([again.status, again.body.duplicate]).toEqual([200, true]);
    const sameRef = await postSupplierMessage(
      env.inventory,
      'acme',
      env.webhookSecret,
      grn(poNumber, sku, 4),
      'msg-2',
    );
    expect(sameRef.status).toBe(409);
    expect(sameRef.body.code).toBe('SUPPLIER_WEBHOOK.RECEIPT_ALREADY_BOOKED');
    expect(await positionOf(env.inventory, sku)).toMatchObject({ onHand: 9, incoming: 16 });
  });

  it('refuses a body above the limit with 413 and an unknown supplier with 404', async () => {
    const { sku, poNumber } = await sentOrder('big');
    const big = await postSupplierMessage(env.inventory, 'acme', env.webhookSecret, {
      ...grn(poNumber, sku, 1),
      reason: 'x'.repeat(3000),
    });
    expect(big.status).toBe(413);
    const stranger = await postSupplierMessage(
      env.inventory,
      'nobody',
      env.webhookSecret,
      grn(poNumber, sku, 1),
    );
    expect(stranger.status).toBe(404);
    expect(await positionOf(env.inventory, sku)).toMatchObject({ onHand: 5, incoming: 20 });
  });

  it('a rejection closes the cycle: REJECTED with its cause, nothing incoming any more', async () => {
    const { sku, poNumber, id } = await sentOrder('rejected');
    const answer = await postSupplierMessage(env.inventory, 'acme', env.webhookSecret, {
      type: 'purchase_order.rejected',
      poNumber,
      reason: 'discontinued',
    });
    expect(answer.status).toBe(200);
    const order = await purchaseOrder(env.inventory, id);
    expect(order.state).toBe('REJECTED');
    expect(order.history.at(-1)).toMatchObject({
      from: 'SENT',
      to: 'REJECTED',
      cause: 'supplier:purchase_order.rejected',
      detail: { reason: 'discontinued' },
    });
    expect(await positionOf(env.inventory, sku)).toMatchObject({ onHand: 5, incoming: 0 });
    // A receipt on a closed order is refused too.
    const late = await postSupplierMessage(env.inventory, 'acme', env.webhookSecret, grn(poNumber, sku, 1));
    expect(late.status).toBe(409);
    expect(late.body.code).toBe('SUPPLIER_WEBHOOK.PURCHASE_ORDER_CLOSED');
  });
  it('an operator cancels an open order before anything arrived, not after', async () => {
    const { sku, poNumber, id } = await sentOrder('cancel');
    const cancelled = await call(env.inventory, 'POST', `/v1/purchase-orders/${poNumber}/cancel`, {
      reason: 'duplicate',
    });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.state).toBe('CANCELLED');
    expect(cancelled.body.history.at(-1)).toMatchObject({
      from: 'SENT',
      to: 'CANCELLED',
      cause: 'operator:cancelled',
    });
    expect(await positionOf(env.inventory, sku)).toMatchObject({ onHand: 5, incoming: 0 });
    const again = await call(env.inventory, 'POST', `/v1/purchase-orders/${id}/cancel`, {});
    expect([again.status, again.body.code]).toEqual([409, 'REPLENISHMENT.PURCHASE_ORDER_NOT_CANCELLABLE']);

    const partly = await sentOrder('cancel-late');
    await postSupplierMessage(env.inventory, 'acme', env.webhookSecret, grn(partly.poNumber, partly.sku, 1));
    const late = await call(env.inventory, 'POST', `/v1/purchase-orders/${partly.id}/cancel`, {});
    expect(late.status).toBe(409);
    expect(await positionOf(env.inventory, partly.sku)).toMatchObject({ onHand: 6, incoming: 19 });
  });

  it('lists purchase orders newest first, page by page, filtered by state', async () => {
    const first = await call(env.inventory, 'GET', '/v1/purchase-orders?limit=2');
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(2);
    const [newer, older] = first.body.items.map((item: { poNumber: string }) => item.poNumber);
    expect(newer > older).toBe(true);
    const second = await call(
      env.inventory,
      'GET',
      `/v1/purchase-orders?limit=2&cursor=${first.body.nextCursor}`,
    );
    expect(second.body.items).toHaveLength(2);
    expect(second.body.items[0].poNumber < older).toBe(true);
    const rejected = await call(env.inventory, 'GET', '/v1/purchase-orders?state=REJECTED');
    expect(rejected.body.items.length).toBeGreaterThanOrEqual(1);
    expect(rejected.body.items.every((item: { state: string }) => item.state === 'REJECTED')).toBe(true);
    expect((await call(env.inventory, 'GET', '/v1/purchase-orders?state=LOST')).status).toBe(400);
    expect((await call(env.inventory, 'GET', '/v1/purchase-orders/PO-999999')).status).toBe(404);
    expect((await fetch(`${env.inventory.service.baseUrl}/v1/purchase-orders`)).status).toBe(401);
  });
});
