import { randomUUID } from 'node:crypto';
import { DomainError } from '@waybill/platform';
import { UseCaseHarness } from '@waybill/testing';
import { bookedShipment, logisticsUseCases, track, trackingUpdate } from '../../test/use-cases';
import { ShipmentQueries } from './shipment-queries.service';

describe('ShipmentQueries (on PostgreSQL)', () => {
  let harness: UseCaseHarness;
  let queries: ShipmentQueries;

  const admin = { kind: 'admin' } as const;
  const ownShop = { kind: 'storefront', storefrontId: 'shop-eu' } as const;
  const otherShop = { kind: 'storefront', storefrontId: 'shop-us' } as const;

  beforeAll(async () => {
    harness = await logisticsUseCases();
    queries = harness.get(ShipmentQueries);
  });

  afterAll(async () => {
    await harness?.stop();
  });

  it('shows a shipment with its whole history in the carrier’s time order, applied or not', async () => {
    const shipment = await bookedShipment(harness);
    await track(harness, shipment.orderId, trackingUpdate(shipment, 'in_transit', 10, { location: 'Linz' }));
    await track(harness, shipment.orderId, trackingUpdate(shipment, 'label_created', 5));

    const view = await queries.get(ownShop, shipment.id);

    expect(view).toMatchObject({ id: shipment.id, orderId: shipment.orderId, status: 'in_transit' });
    // Ordered by when things happened, not by when they were heard of: the booking (now) comes last.
    expect(view.history).toEqual([
      expect.objectContaining({ source: 'sandbox', status: 'in_transit', applied: true, location: 'Linz' }),
      expect.objectContaining({ status: 'label_created', applied: false, notAppliedReason: 'BACKWARDS' }),
      expect.objectContaining({ source: 'logistics', carrierStatus: 'booked', applied: true }),
    ]);
  });

  it('hides another storefront’s shipment as if it did not exist; an operator sees it', async () => {
    const shipment = await bookedShipment(harness);

    await expect(queries.get(otherShop, shipment.id)).rejects.toMatchObject({
      code: 'LOGISTICS.SHIPMENT_NOT_FOUND',
    });
    expect(await queries.byOrder(otherShop, shipment.orderId)).toEqual({ items: [] });
    expect((await queries.byOrder(admin, shipment.orderId)).items).toEqual([
      expect.objectContaining({ id: shipment.id, storefrontId: 'shop-eu' }),
    ]);
  });

  it('answers not found for a shipment id nobody booked', async () => {
    const missing = queries.get(admin, randomUUID());

    await expect(missing).rejects.toBeInstanceOf(DomainError);
    await expect(missing).rejects.toMatchObject({ code: 'LOGISTICS.SHIPMENT_NOT_FOUND' });
  });

  it('lists the carrier statuses no table maps, with how often they were seen', async () => {
    const shipment = await bookedShipment(harness);
    const code = `beamed-${randomUUID().slice(0, 8)}`;
    for (const minutesAgo of [3, 2]) {
      await track(
        harness,
        shipment.orderId,
        trackingUpdate(shipment, 'unknown', minutesAgo, { carrierStatus: code, mapped: false }),
      );
    }

    const { items } = await queries.unmappedStatuses();

    expect(items.filter((item) => item.carrierStatus === code)).toEqual([
      expect.objectContaining({ carrier: 'sandbox', carrierStatus: code, occurrences: 2 }),
    ]);
  });
});
