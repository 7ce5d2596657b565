import { UseCaseHarness } from '@waybill/testing';
import {
  bookedShipment,
  logisticsUseCases,
  shipmentOf,
  storedSandboxWebhook,
  track,
  trackingUpdate,
} from '../../test/use-cases';
import { CarrierWebhookHandler, UNMATCHED_RETRY_WINDOW_MS } from './carrier-webhook.handler';

describe('ShipmentTracker (use case on PostgreSQL)', () => {
  let harness: UseCaseHarness;

  beforeAll(async () => {
    harness = await logisticsUseCases();
  });

  afterAll(async () => {
    await harness?.stop();
  });

  const history = (shipmentId: string) =>
    harness.query<{ status: string; applied: boolean; not_applied_reason: string | null }>(
      `SELECT status, applied, not_applied_reason FROM shipment_tracking_events
        WHERE shipment_id = $1 AND source <> 'logistics' ORDER BY id`,
      [shipmentId],
    );

  it('moves the shipment along and announces each step; delivered is announced as well', async () => {
    const shipment = await bookedShipment(harness);

    expect(await track(harness, shipment.orderId, trackingUpdate(shipment, 'in_transit', 30))).toBe(true);
    expect(await track(harness, shipment.orderId, trackingUpdate(shipment, 'delivered', 5))).toBe(true);

    expect(await shipmentOf(harness, shipment.orderId)).toMatchObject({ status: 'delivered' });
    const events = await harness.enqueued();
    expect(events.map((event) => [event.type, event.key])).toEqual([
      ['waybill.shipment.status-changed.v1', shipment.orderId],
      ['waybill.shipment.status-changed.v1', shipment.orderId],
      ['waybill.shipment.delivered.v1', shipment.orderId],
    ]);
    expect(events.map((event) => event.data)).toEqual([
      expect.objectContaining({
        status: 'in_transit',
        previousStatus: 'label_created',
        shipmentId: shipment.id,
      }),
      expect.objectContaining({ status: 'delivered', previousStatus: 'in_transit' }),
      expect.objectContaining({ shipmentId: shipment.id, trackingNumber: shipment.trackingNumber }),
    ]);
  });

  it('is monotonic: a duplicate, an older update and anything after delivery are recorded once, never applied', async () => {
    const shipment = await bookedShipment(harness);
    const outForDelivery = trackingUpdate(shipment, 'out_for_delivery', 10);
    await track(harness, shipment.orderId, outForDelivery);
    await harness.enqueued();

    expect(await track(harness, shipment.orderId, outForDelivery)).toBe(false); // a duplicate
    expect(await track(harness, shipment.orderId, trackingUpdate(shipment, 'in_transit', 20))).toBe(false);
    await track(harness, shipment.orderId, trackingUpdate(shipment, 'delivered', 1));
    await harness.enqueued();
    expect(await track(harness, shipment.orderId, trackingUpdate(shipment, 'exception', 0))).toBe(false);

    expect(await shipmentOf(harness, shipment.orderId)).toMatchObject({ status: 'delivered' });
    expect(await history(shipment.id)).toEqual([
      { status: 'out_for_delivery', applied: true, not_applied_reason: null },
      { status: 'in_transit', applied: false, not_applied_reason: 'OLDER_THAN_CURRENT' },
      { status: 'delivered', applied: true, not_applied_reason: null },
      { status: 'exception', applied: false, not_applied_reason: 'AFTER_FINAL_STATUS' },
    ]);
    expect(await harness.enqueued()).toEqual([]);
  });

  it('announces an exception, and keeps a carrier status no table maps as unknown, counted for operators', async () => {
    const shipment = await bookedShipment(harness);

    await track(harness, shipment.orderId, trackingUpdate(shipment, 'exception', 5, { message: 'damaged' }));
    const unmapped = trackingUpdate(shipment, 'unknown', 1, { carrierStatus: 'teleported', mapped: false });
    expect(await track(harness, shipment.orderId, unmapped)).toBe(false);

    expect(await shipmentOf(harness, shipment.orderId)).toMatchObject({ status: 'exception' });
    expect(await harness.enqueuedTypes()).toEqual([
      'waybill.shipment.status-changed.v1',
      'waybill.shipment.exception.v1',
    ]);
    expect(
      await harness.query(
        `SELECT occurrences FROM unmapped_carrier_statuses WHERE carrier = 'sandbox' AND carrier_status = 'teleported'`,
      ),
    ).toEqual([{ occurrences: '1' }]); // bigint
    expect((await history(shipment.id)).at(-1)).toEqual({
      status: 'unknown',
      applied: false,
      not_applied_reason: 'UNMAPPED_STATUS',
    });
  });
});

describe('CarrierWebhookHandler: a stored carrier webhook applied (use case on PostgreSQL)', () => {
  let harness: UseCaseHarness;
  let handler: CarrierWebhookHandler;

  beforeAll(async () => {
    harness = await logisticsUseCases();
    handler = harness.get(CarrierWebhookHandler);
  });

  afterAll(async () => {
    await harness?.stop();
  });

  const data = (trackingNumber: string, status: string) => ({
    tracking_number: trackingNumber,
    status,
    occurred_at: new Date().toISOString(),
    location: 'Wien',
  });

  it('applies the update to the shipment its tracking number names, noting the webhook it came in', async () => {
    const shipment = await bookedShipment(harness);
    const webhook = storedSandboxWebhook(data(shipment.trackingNumber, 'out_for_delivery'));

    await harness.run((uow) => handler.handle(uow, webhook));

    expect(await shipmentOf(harness, shipment.orderId)).toMatchObject({ status: 'out_for_delivery' });
    expect(
      await harness.query(
        `SELECT source, webhook_id::text AS webhook_id, location FROM shipment_tracking_events
          WHERE shipment_id = $1 AND source = 'sandbox'`,
        [shipment.id],
      ),
    ).toEqual([{ source: 'sandbox', webhook_id: webhook.id, location: 'Wien' }]);
    const [changed, ...more] = await harness.enqueued();
    expect(more).toEqual([]);
    expect(changed).toMatchObject({ type: 'waybill.shipment.status-changed.v1', key: shipment.orderId });
    expect(changed.data).toMatchObject({ status: 'out_for_delivery', location: 'Wien' });
  });

  it('throws for a tracking number not booked yet, so the worker retries it, and changes nothing', async () => {
    const webhook = storedSandboxWebhook(data('SBX0000000000000000', 'in_transit'));
    const entries = () => harness.query(`SELECT count(*)::int AS n FROM shipment_tracking_events`);
    const before = await entries();

    await expect(harness.run((uow) => handler.handle(uow, webhook))).rejects.toThrow(
      /no sandbox shipment has tracking number SBX0000000000000000 \(yet\)/,
    );
    expect(await entries()).toEqual(before);
    expect(await harness.enqueued()).toEqual([]);
  });

  it('ignores an unmatched tracking number once the retry window is over; a matched one as old still applies', async () => {
    const shipment = await bookedShipment(harness);
    const late = storedSandboxWebhook(data('SBX1111111111111111', 'in_transit'), {
      receivedAt: new Date(Date.now() - UNMATCHED_RETRY_WINDOW_MS - 60_000),
    });
    const matched = storedSandboxWebhook(data(shipment.trackingNumber, 'in_transit'), {
      receivedAt: late.receivedAt,
    });

    await harness.run((uow) => handler.handle(uow, late));
    await harness.run((uow) => handler.handle(uow, matched));

    expect(await shipmentOf(harness, shipment.orderId)).toMatchObject({ status: 'in_transit' });
    expect(await harness.enqueuedTypes()).toEqual(['waybill.shipment.status-changed.v1']);
  });

  it('throws for a carrier no longer configured, changing nothing', async () => {
    const shipment = await bookedShipment(harness);
    const webhook = storedSandboxWebhook(data(shipment.trackingNumber, 'in_transit'), { source: 'easypost' });

    await expect(harness.run((uow) => handler.handle(uow, webhook))).rejects.toThrow(
      /easypost is no longer configured/,
    );
    expect(await shipmentOf(harness, shipment.orderId)).toMatchObject({ status: 'label_created' });
    expect(await harness.enqueued()).toEqual([]);
  });
});
