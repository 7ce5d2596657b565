import { randomUUID } from 'node:crypto';
import { HttpException } from '@nestjs/common';
import { webhookIngressProviders } from '@waybill/eventing';
import { DomainError, WebhookOutcomes } from '@waybill/platform';
import { UseCaseHarness } from '@waybill/testing';
import { newWebhookSecret, signedSupplierMessage } from '@waybill/testing/parties';
import { inventoryUseCases, stockRow, SUPPLIER, uniqueSku } from '../../test/use-cases';
import { PurchaseOrderQueries } from '../replenishment/purchase-orders.service';
import { PutReplenishmentPolicy } from '../replenishment/replenishment.service';
import { SetStockLevel } from '../stock-levels/stock-levels.service';
import { ReceiveSupplierMessageService } from './receive-supplier-message.service';

describe('ReceiveSupplierMessageService (applied in the request, on PostgreSQL)', () => {
  const secret = newWebhookSecret();
  let harness: UseCaseHarness;
  let receive: ReceiveSupplierMessageService;

  beforeAll(async () => {
    harness = await inventoryUseCases(
      { [`INVENTORY_SUPPLIER_${SUPPLIER.toUpperCase()}_WEBHOOK_SECRET`]: secret },
      [
        WebhookOutcomes,
        ...webhookIngressProviders({ maxBytes: 64 * 1024, senderKind: 'supplier' }),
        ReceiveSupplierMessageService,
      ],
    );
    receive = harness.get(ReceiveSupplierMessageService);
  });

  afterAll(async () => {
    await harness?.stop();
  });

  /** A SKU at its reorder point with one open purchase order of 20 units from the supplier. */
  async function openOrder(): Promise<{ sku: string; poNumber: string }> {
    const sku = uniqueSku('po');
    await harness.run((uow) => harness.get(SetStockLevel).execute(uow, { sku, onHand: 5 }));
    await harness.run((uow) =>
      harness.get(PutReplenishmentPolicy).execute(uow, {
        sku,
        reorderPoint: 5,
        reorderQuantity: 20,
        minOrderQuantity: 1,
        packSize: 1,
        leadTimeDays: 1,
        supplier: SUPPLIER,
      }),
    );
    const [order] = (await harness.get(PurchaseOrderQueries).list({ sku, limit: 1 })).items;
    await harness.enqueued();
    return { sku, poNumber: order.poNumber };
  }

  function post(webhookId: string, body: object) {
    const signed = signedSupplierMessage(secret, webhookId, body);
    return receive.receive(SUPPLIER, Buffer.from(signed.rawBody), signed.headers);
  }

  it('books a goods-received note once: stock on hand up, incoming down, stock-received announced; a resend is a duplicate', async () => {
    const { sku, poNumber } = await openOrder();
    const webhookId = `msg_${randomUUID()}`;
    const note = { type: 'goods.received', poNumber, receiptRef: 'GRN-1', lines: [{ sku, quantity: 20 }] };

    const ack = await post(webhookId, note);

    expect(ack).toMatchObject({
      status: 200,
      body: { received: true, duplicate: false, outcome: 'applied' },
    });
    expect(await stockRow(harness, sku)).toEqual({ onHand: 25, reserved: 0, incoming: 0 });
    expect((await harness.get(PurchaseOrderQueries).get(poNumber)).state).toBe('RECEIVED');
    const received = await harness.enqueued();
    expect(received.map((event) => event.type)).toEqual(['waybill.inventory.stock-received.v1']);

    const again = await post(webhookId, note);
    expect(again).toMatchObject({ status: 200, body: { received: true, duplicate: true } });
    expect(await stockRow(harness, sku)).toEqual({ onHand: 25, reserved: 0, incoming: 0 });
    expect(await harness.enqueued()).toEqual([]);
  });

  it('refuses an over-receipt: nothing booked, nothing stored, and the same message is refused again', async () => {
    const { sku, poNumber } = await openOrder();
    const webhookId = `msg_${randomUUID()}`;
    const note = { type: 'goods.received', poNumber, receiptRef: 'GRN-2', lines: [{ sku, quantity: 21 }] };

    for (const attempt of [1, 2]) {
      const refusal = post(webhookId, note);
      await expect(refusal).rejects.toBeInstanceOf(DomainError);
      await expect(refusal).rejects.toMatchObject({ code: 'SUPPLIER_WEBHOOK.OVER_RECEIPT' });
      expect({ attempt, stock: await stockRow(harness, sku) }).toEqual({
        attempt,
        stock: { onHand: 5, reserved: 0, incoming: 20 },
      });
    }
    expect(await harness.query(`SELECT 1 FROM webhook_inbox WHERE external_id = $1`, [webhookId])).toEqual(
      [],
    );
    expect(await harness.enqueued()).toEqual([]);
  });

  it('refuses a message signed with another secret before reading it', async () => {
    const { sku, poNumber } = await openOrder();
    const forged = signedSupplierMessage(newWebhookSecret(), `msg_${randomUUID()}`, {
      type: 'goods.received',
      poNumber,
      receiptRef: 'GRN-3',
      lines: [{ sku, quantity: 20 }],
    });

    const refusal: unknown = await receive
      .receive(SUPPLIER, Buffer.from(forged.rawBody), forged.headers)
      .then(
        () => undefined,
        (error: unknown) => error,
      );

    expect(refusal).toBeInstanceOf(HttpException);
    expect((refusal as HttpException).getStatus()).toBe(401);
    expect((refusal as HttpException).getResponse()).toMatchObject({ code: 'WEBHOOK.SIGNATURE_MISMATCH' });
    expect(await stockRow(harness, sku)).toMatchObject({ onHand: 5, incoming: 20 });
  });
});
