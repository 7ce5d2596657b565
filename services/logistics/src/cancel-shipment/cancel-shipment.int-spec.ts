import { randomUUID } from 'node:crypto';
import { UseCaseHarness } from '@waybill/testing';
import { FakeDirectCarrier } from '@waybill/testing/parties';
import {
  addressIn,
  bookedShipment,
  logisticsUseCases,
  orderCancelled,
  shipmentOf,
  track,
  trackingUpdate,
} from '../../test/use-cases';
import { CancelShipment } from './cancel-shipment.service';

describe('CancelShipment (use case on PostgreSQL, carriers over real HTTP)', () => {
  let direct: FakeDirectCarrier;
  let harness: UseCaseHarness;
  let cancelShipment: CancelShipment;

  beforeAll(async () => {
    direct = await new FakeDirectCarrier().start();
    harness = await logisticsUseCases({ direct });
    cancelShipment = harness.get(CancelShipment);
  });

  afterAll(async () => {
    await harness?.stop();
    await direct?.stop();
  });

  const cancel = (orderId: string) =>
    harness.run((uow) => cancelShipment.execute(uow, { cancelled: orderCancelled(orderId) }));

  const notes = (shipmentId: string) =>
    harness.query<{ carrier_status: string; status: string; applied: boolean }>(
      `SELECT carrier_status, status, applied FROM shipment_tracking_events
        WHERE shipment_id = $1 AND carrier_status LIKE 'cancel%' ORDER BY id`,
      [shipmentId],
    );

  it('cancels a parcel not picked up yet with its carrier: cancelled, and shipment.status-changed; a repeat changes nothing', async () => {
    const shipment = await bookedShipment(harness, { shippingAddress: addressIn('AT') });

    await cancel(shipment.orderId);
    await cancel(shipment.orderId);

    expect(await shipmentOf(harness, shipment.orderId)).toMatchObject({ status: 'cancelled' });
    expect(await notes(shipment.id)).toEqual([
      { carrier_status: 'cancel_confirmed', status: 'cancelled', applied: true },
    ]);
    expect(
      direct.callsTo('POST', new RegExp(`/v1/shipments/${shipment.carrierShipmentId}/cancel$`)),
    ).toHaveLength(1);
    const [changed, ...more] = await harness.enqueued();
    expect(more).toEqual([]);
    expect(changed).toMatchObject({ type: 'waybill.shipment.status-changed.v1', key: shipment.orderId });
    expect(changed.data).toMatchObject({
      orderId: shipment.orderId,
      shipmentId: shipment.id,
      status: 'cancelled',
      previousStatus: 'label_created',
      carrierStatus: 'cancel_confirmed',
    });
  });

  it('does nothing for an order that was never booked', async () => {
    const orderId = randomUUID();

    await cancel(orderId);

    expect(await shipmentOf(harness, orderId)).toBeUndefined();
    expect(await harness.enqueued()).toEqual([]);
  });

  it('after pickup lets the parcel travel on: the refusal is noted for operators, the status stays, nothing is announced', async () => {
    const shipment = await bookedShipment(harness);
    await track(harness, shipment.orderId, trackingUpdate(shipment, 'in_transit'));
    await harness.enqueued();

    await cancel(shipment.orderId);

    expect(await shipmentOf(harness, shipment.orderId)).toMatchObject({ status: 'in_transit' });
    expect(await notes(shipment.id)).toEqual([
      { carrier_status: 'cancel_too_late', status: 'in_transit', applied: false },
    ]);
    expect(await harness.enqueued()).toEqual([]);
  });

  it('records a carrier that refuses (its parcel already picked up) without moving the shipment', async () => {
    const shipment = await bookedShipment(harness, { shippingAddress: addressIn('AT') });
    const atCarrier = direct.shipments.get(shipment.carrierShipmentId ?? '');
    if (!atCarrier) {
      throw new Error('the direct carrier does not know the parcel');
    }
    atCarrier.pickedUp = true;

    await cancel(shipment.orderId);

    expect(await shipmentOf(harness, shipment.orderId)).toMatchObject({ status: 'label_created' });
    expect(await notes(shipment.id)).toEqual([
      { carrier_status: 'cancel_refused', status: 'label_created', applied: false },
    ]);
    expect(await harness.enqueued()).toEqual([]);
  });

  it('rolls back while the carrier is unavailable, so the cancellation is retried', async () => {
    const shipment = await bookedShipment(harness, { shippingAddress: addressIn('AT') });
    direct.failNext = 2;

    await expect(cancel(shipment.orderId)).rejects.toThrow(/cancelling order .* with direct/);

    expect(await shipmentOf(harness, shipment.orderId)).toMatchObject({ status: 'label_created' });
    expect(await notes(shipment.id)).toEqual([]);
    expect(await harness.enqueued()).toEqual([]);
  });
});
