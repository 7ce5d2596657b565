import { HttpException } from '@nestjs/common';
import { DomainError } from '@waybill/platform';
import { storedWebhookRows, UseCaseHarness, webhookApplied } from '@waybill/testing';
import { bookedShipment, logisticsUseCases, shipmentOf, signedSandboxWebhook } from '../../test/use-cases';
import { ReceiveCarrierWebhook } from './receive-carrier-webhook.service';

describe('ReceiveCarrierWebhook: through the webhook ingress and its worker (PostgreSQL, no HTTP)', () => {
  let harness: UseCaseHarness;
  let receiver: ReceiveCarrierWebhook;

  beforeAll(async () => {
    harness = await logisticsUseCases({ webhookIngress: true });
    receiver = harness.get(ReceiveCarrierWebhook);
  });

  afterAll(async () => {
    await harness?.stop();
  });

  const stored = (externalId: string) => storedWebhookRows(harness, 'sandbox', externalId);
  const processed = (externalId: string, attempts?: number) =>
    webhookApplied(harness, 'sandbox', externalId, attempts);

  const data = (trackingNumber: string, status: string) => ({
    tracking_number: trackingNumber,
    status,
    occurred_at: new Date().toISOString(),
  });

  it('stores a signed webhook with its signature headers, answers at once, and the worker applies it; a redelivery is a duplicate', async () => {
    const shipment = await bookedShipment(harness);
    const webhook = signedSandboxWebhook(data(shipment.trackingNumber, 'in_transit'));

    const ack = await receiver.receive('sandbox', webhook.rawBody, webhook.headers);
    const [row] = await stored(webhook.id);
    expect(ack).toMatchObject({ status: 200, body: { received: true, id: row.id, duplicate: false } });
    expect(Object.keys(row.headers).sort()).toEqual(['webhook-id', 'webhook-signature', 'webhook-timestamp']);
    await processed(webhook.id);
    const again = await receiver.receive('sandbox', webhook.rawBody, webhook.headers);

    expect(again).toMatchObject({ body: { received: true, id: row.id, duplicate: true } });
    expect(await stored(webhook.id)).toHaveLength(1);
    expect(await shipmentOf(harness, shipment.orderId)).toMatchObject({ status: 'in_transit' });
    expect(await harness.enqueuedTypes()).toEqual(['waybill.shipment.status-changed.v1']);
  });

  it('an operator replay applies the stored copy again, which changes nothing already applied', async () => {
    const shipment = await bookedShipment(harness);
    const webhook = signedSandboxWebhook(data(shipment.trackingNumber, 'out_for_delivery'));
    await receiver.receive('sandbox', webhook.rawBody, webhook.headers);
    await processed(webhook.id);
    await harness.enqueued();
    const [row] = await stored(webhook.id);

    expect(await receiver.replay('sandbox', row.id)).toEqual({ replayed: true, id: row.id });
    await processed(webhook.id, 2);

    expect(await shipmentOf(harness, shipment.orderId)).toMatchObject({ status: 'out_for_delivery' });
    expect(await harness.enqueued()).toEqual([]);
    await expect(receiver.replay('sandbox', '999999999')).rejects.toMatchObject({
      code: 'LOGISTICS.WEBHOOK_NOT_FOUND',
    });
  });

  it('refuses an unsigned or tampered webhook before storing anything', async () => {
    const shipment = await bookedShipment(harness);
    const webhook = signedSandboxWebhook(data(shipment.trackingNumber, 'delivered'));
    const tampered = Buffer.from(webhook.rawBody.toString('utf8').replace('delivered', 'returned'));

    await expect(receiver.receive('sandbox', webhook.rawBody, {})).rejects.toBeInstanceOf(HttpException);
    await expect(receiver.receive('sandbox', tampered, webhook.headers)).rejects.toBeInstanceOf(
      HttpException,
    );

    expect(await stored(webhook.id)).toEqual([]);
    expect(await shipmentOf(harness, shipment.orderId)).toMatchObject({ status: 'label_created' });
    expect(await harness.enqueued()).toEqual([]);
  });

  it('refuses a carrier that is not configured', async () => {
    const webhook = signedSandboxWebhook(data('SBX0000000000000000', 'in_transit'));

    // Thrown before anything is awaited: an async wrapper makes it the rejection a controller sees.
    const refusal = (async () => receiver.receive('dhl', webhook.rawBody, webhook.headers))();

    await expect(refusal).rejects.toBeInstanceOf(DomainError);
    await expect(refusal).rejects.toMatchObject({ code: 'LOGISTICS.UNKNOWN_CARRIER' });
  });
});
