import { HttpException } from '@nestjs/common';
import { DomainError } from '@waybill/platform';
import { storedWebhookRows, UseCaseHarness, webhookApplied } from '@waybill/testing';
import { FakeSf, SF_PUSH_ACK } from '@waybill/testing/parties';
import {
  ADDRESS_IN_CHINA,
  bookedShipment,
  logisticsUseCases,
  SF_PUSH_TOKEN,
  shipmentOf,
  signedSandboxWebhook,
} from '../../test/use-cases';
import { CarrierRegistry } from '../carriers/carrier-registry';
import { ShipmentRepository } from '../persistence/shipment.repository';
import { ReceiveCarrierWebhook } from './receive-carrier-webhook.service';

describe('ReceiveCarrierWebhook: through the webhook ingress and its worker (PostgreSQL, no HTTP)', () => {
  let harness: UseCaseHarness;
  let receiver: ReceiveCarrierWebhook;
  let sf: FakeSf;

  beforeAll(async () => {
    sf = await FakeSf.start();
    harness = await logisticsUseCases({ webhookIngress: true, sf });
    receiver = harness.get(ReceiveCarrierWebhook);
  });

  afterAll(async () => {
    await harness?.stop();
    await sf?.stop();
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

  describe('SF route pushes, under the path token', () => {
    const toChina = { shippingAddress: ADDRESS_IN_CHINA };
    /** Now on SF's clock: Asia/Shanghai wall time. */
    const shanghaiNow = () =>
      new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
    const push = (mailno: string, orderid: string, opCode: string, id: string) =>
      Buffer.from(
        JSON.stringify({
          Body: {
            WaybillRoute: [
              {
                mailno,
                orderid,
                acceptTime: shanghaiNow(),
                acceptAddress: '深圳市',
                remark: '顺丰速运 已收取快件',
                opCode,
                id,
                reasonCode: null,
                reasonName: null,
              },
            ],
          },
        }),
      );
    const externalIdOf = (raw: Buffer) =>
      harness.get(CarrierRegistry).get('sf')?.readWebhook(raw, {}).externalId ?? '';
    const fromSf = { pathToken: SF_PUSH_TOKEN, remoteAddress: '::ffff:127.0.0.1' };

    it("books with SF under the shipment id, stores a push, answers SF's exact ack, and the worker applies it; a re-push is a duplicate with the same ack", async () => {
      const shipment = await bookedShipment(harness, toChina);
      expect(shipment).toMatchObject({ carrier: 'sf', carrierShipmentId: shipment.id });
      expect(sf.waybillFor(shipment.id)?.waybillNo).toBe(shipment.trackingNumber);
      const raw = push(shipment.trackingNumber, shipment.id, '50', `${Date.now()}01`);
      const ack = { status: 200, contentType: 'application/json;charset=UTF-8', body: SF_PUSH_ACK };

      await expect(receiver.receive('sf', raw, {}, fromSf)).resolves.toEqual(ack);
      await webhookApplied(harness, 'sf', externalIdOf(raw));
      expect(await shipmentOf(harness, shipment.orderId)).toMatchObject({ status: 'in_transit' });
      await expect(receiver.receive('sf', raw, {}, fromSf)).resolves.toEqual(ack);
      expect(await storedWebhookRows(harness, 'sf', externalIdOf(raw))).toHaveLength(1);
    });

    it('matches a push by its orderid (our shipment id) when its mailno is another waybill (a return or forward), and only records it', async () => {
      const shipment = await bookedShipment(harness, toChina);
      const raw = push('SF0000000000001', shipment.id, '80', `${Date.now()}03`);

      await expect(receiver.receive('sf', raw, {}, fromSf)).resolves.toMatchObject({ status: 200 });
      await webhookApplied(harness, 'sf', externalIdOf(raw));
      expect(await shipmentOf(harness, shipment.orderId)).toMatchObject({ status: 'label_created' });
      const history = await harness.get(ShipmentRepository).history(harness.dataSource.manager, shipment.id);
      expect(history.filter((record) => record.source === 'sf')).toEqual([
        expect.objectContaining({ carrierStatus: '80', applied: false, notAppliedReason: 'OTHER_WAYBILL' }),
      ]);
      expect(await harness.enqueued()).toEqual([]);
    });

    it("answers a wrong token in SF's failure form (401, return_code 1000), and a missing one or a token to a signed carrier's path with 404, storing nothing", async () => {
      const shipment = await bookedShipment(harness, toChina);
      const raw = push(shipment.trackingNumber, shipment.id, '80', `${Date.now()}02`);

      const refused = await receiver.receive('sf', raw, {}, { ...fromSf, pathToken: `${SF_PUSH_TOKEN}x` });
      expect(refused).toMatchObject({ status: 401, contentType: 'application/json;charset=UTF-8' });
      expect(JSON.parse(typeof refused.body === 'string' ? refused.body : '')).toEqual({
        return_code: '1000',
        return_msg: 'the push token does not match',
      });
      const missing = (async () => receiver.receive('sf', raw, {}, { remoteAddress: '127.0.0.1' }))();
      await expect(missing).rejects.toMatchObject({ code: 'LOGISTICS.WEBHOOK_PATH_UNKNOWN' });
      const onSandbox = (async () => receiver.receive('sandbox', raw, {}, fromSf))();
      await expect(onSandbox).rejects.toMatchObject({ code: 'LOGISTICS.WEBHOOK_PATH_UNKNOWN' });

      expect(await storedWebhookRows(harness, 'sf', externalIdOf(raw))).toEqual([]);
      expect(await shipmentOf(harness, shipment.orderId)).toMatchObject({ status: 'label_created' });
    });
  });
});
