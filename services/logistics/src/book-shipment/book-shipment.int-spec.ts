import { PermanentEventError } from '@waybill/eventing';
import { UseCaseHarness } from '@waybill/testing';
import { FakeDirectCarrier, FakeEasyPost } from '@waybill/testing/parties';
import { addressIn, logisticsUseCases, orderConfirmed, shipmentOf } from '../../test/use-cases';
import { BookShipment } from './book-shipment.service';

describe('BookShipment (use case on PostgreSQL, carriers over real HTTP)', () => {
  let direct: FakeDirectCarrier;
  let easypost: FakeEasyPost;
  let harness: UseCaseHarness;
  let bookShipment: BookShipment;

  beforeAll(async () => {
    direct = await new FakeDirectCarrier().start();
    easypost = await new FakeEasyPost().start();
    harness = await logisticsUseCases({ direct, easypost });
    bookShipment = harness.get(BookShipment);
  });

  afterAll(async () => {
    await harness?.stop();
    await Promise.allSettled([direct?.stop(), easypost?.stop()]);
  });

  const book = (order: ReturnType<typeof orderConfirmed>) =>
    harness.run((uow) => bookShipment.execute(uow, { order }));

  /** The direct carrier's booking calls for the order, by the key that makes a retry the same booking. */
  const bookingCalls = (orderId: string) =>
    direct.calls.filter((call) => call.headers['idempotency-key'] === `logistics:${orderId}:book`);

  const history = (shipmentId: string) =>
    harness.query(
      `SELECT source, carrier_status, status, applied FROM shipment_tracking_events WHERE shipment_id = $1 ORDER BY id`,
      [shipmentId],
    );

  it('books with the sandbox by default: a label_created shipment, its first history entry, and shipment.created', async () => {
    const order = orderConfirmed();

    await book(order);

    const shipment = await shipmentOf(harness, order.orderId);
    expect(shipment).toMatchObject({
      orderId: order.orderId,
      storefrontId: 'shop-eu',
      carrier: 'sandbox',
      status: 'label_created',
      trackingNumber: expect.stringMatching(/^SBX[0-9A-F]{16}$/),
      destinationCountry: 'DE',
      // 2 × MUG-BLUE-350 at its configured 350 g + 1 × TEE-BLK-M at the 500 g default.
      weightGrams: 2 * 350 + 500,
    });
    if (!shipment) {
      throw new Error('no shipment');
    }
    expect(await history(shipment.id)).toEqual([
      { source: 'logistics', carrier_status: 'booked', status: 'label_created', applied: true },
    ]);
    const [created, ...more] = await harness.enqueued();
    expect(more).toEqual([]);
    expect(created).toMatchObject({
      type: 'waybill.shipment.created.v1',
      key: order.orderId,
      topic: 'waybill.logistics.events',
    });
    expect(created.data).toMatchObject({
      orderId: order.orderId,
      shipmentId: shipment.id,
      carrier: 'sandbox',
      trackingNumber: shipment.trackingNumber,
      labelRef: `sandbox:labels/${shipment.trackingNumber}.pdf`,
    });
  });

  it('books an order once, however often order.confirmed arrives', async () => {
    const order = orderConfirmed({ shippingAddress: addressIn('AT') });
    await book(order);
    await harness.enqueued();

    await book(order);
    await book({ ...order, shippingAddress: addressIn('US') });

    expect(await harness.query(`SELECT carrier FROM shipments WHERE order_id = $1`, [order.orderId])).toEqual(
      [{ carrier: 'direct' }],
    );
    // The repeats stop at the shipment row: the carrier was asked once.
    expect(bookingCalls(order.orderId)).toHaveLength(1);
    expect(await harness.enqueued()).toEqual([]);
  });

  it('writes nothing while the carrier is unavailable; the retry books with the same idempotency key', async () => {
    const order = orderConfirmed({ shippingAddress: addressIn('AT') });
    direct.failNext = 2;

    await expect(book(order)).rejects.toThrow(/booking order .* with direct/);
    expect(await shipmentOf(harness, order.orderId)).toBeUndefined();
    expect(await harness.enqueued()).toEqual([]);

    await book(order);

    expect(await shipmentOf(harness, order.orderId)).toMatchObject({
      carrier: 'direct',
      status: 'label_created',
    });
    expect(await harness.enqueuedTypes()).toEqual(['waybill.shipment.created.v1']);
    expect(bookingCalls(order.orderId)).toHaveLength(3);
  });

  it('refuses for good an address the carrier will not ship to, writing nothing', async () => {
    const order = orderConfirmed({ shippingAddress: addressIn('US', '00000') });

    const failure = book(order);

    await expect(failure).rejects.toBeInstanceOf(PermanentEventError);
    await expect(failure).rejects.toMatchObject({ code: 'LOGISTICS.BOOKING_REFUSED' });
    expect(await shipmentOf(harness, order.orderId)).toBeUndefined();
    expect(await harness.enqueued()).toEqual([]);
  });
});
