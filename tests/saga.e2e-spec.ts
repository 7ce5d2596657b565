import { randomUUID } from 'node:crypto';
import { waitFor } from '@waybill/testing';
import { orderBody, OrderView, SagaStack, uniqueSku } from './support/saga-stack';

/**
 * The order saga across order, inventory and payment on the real Kafka and PostgreSQL: every
 * outcome of issue 3's "Show" list that needs the three services together.
 */
describe('the order saga', () => {
  let stack: SagaStack;

  beforeAll(async () => {
    stack = await SagaStack.start();
  });

  afterAll(async () => {
    await stack?.stop();
  });

  function eventsFor(type: string, orderId: string): unknown[] {
    return stack.probe.events<{ orderId: string }>(type, (data) => data.orderId === orderId);
  }

  async function place(body: Record<string, unknown>): Promise<OrderView> {
    const answer = await stack.placeOrder(body);
    expect(answer.status).toBe(201);
    expect(answer.body.status).toBe('PENDING');
    return answer.body;
  }

  it('reserves, authorizes and confirms an order', async () => {
    const sku = uniqueSku('happy');
    await stack.setStock(sku, 10);
    const placed = await place(orderBody([{ sku, quantity: 2, unitPrice: 1500 }]));
    expect(placed.totals.total).toBe(3000);

    const confirmed = await stack.waitForStatus(placed.id, 'CONFIRMED');
    expect(confirmed.timeline.map((step) => step.status)).toEqual(['PENDING', 'RESERVED', 'CONFIRMED']);
    await stack.probe.waitForEvent(
      'waybill.order.confirmed.v1',
      (data: { orderId: string }) => data.orderId === placed.id,
    );
    expect(await stack.stock(sku)).toMatchObject({ onHand: 10, reserved: 2, available: 8 });
    const [authorized] = stack.probe.events<{ orderId: string; amount: number }>(
      'waybill.payment.authorized.v1',
      (data) => data.orderId === placed.id,
    );
    expect(authorized?.data.amount).toBe(3000);
  });

  it('rejects an order it cannot reserve in full, reserving and charging nothing', async () => {
    const sku = uniqueSku('short');
    const other = uniqueSku('plenty');
    await stack.setStock(sku, 1);
    await stack.setStock(other, 5);
    const placed = await place(
      orderBody([
        { sku: other, quantity: 1 },
        { sku, quantity: 3 },
      ]),
    );

    const rejected = await stack.waitForStatus(placed.id, 'REJECTED');
    expect(rejected.timeline.at(-1)?.event.type).toBe('waybill.inventory.stock-rejected.v1');
    const [event] = stack.probe.events<{ orderId: string; shortLines: unknown[] }>(
      'waybill.order.rejected.v1',
      (data) => data.orderId === placed.id,
    );
    expect(event?.data.shortLines).toEqual([{ sku, requested: 3, available: 1 }]);
    expect(await stack.stock(sku)).toMatchObject({ reserved: 0, available: 1 });
    expect(await stack.stock(other)).toMatchObject({ reserved: 0, available: 5 });
    expect(eventsFor('waybill.payment.authorized.v1', placed.id)).toHaveLength(0);
  });

  it('cancels a declined order and releases its stock', async () => {
    const sku = uniqueSku('declined');
    await stack.setStock(sku, 4);
    const placed = await place(orderBody([{ sku, quantity: 4 }], 'sandbox_decline'));

    await stack.waitForStatus(placed.id, 'CANCELLED');
    await stack.probe.waitForEvent(
      'waybill.inventory.stock-released.v1',
      (data: { orderId: string; reason: string }) =>
        data.orderId === placed.id && data.reason === 'INVENTORY.ORDER_CANCELLED',
    );
    expect(await stack.stock(sku)).toMatchObject({ onHand: 4, reserved: 0, available: 4 });
    const [failed] = stack.probe.events<{ orderId: string; reason: string }>(
      'waybill.payment.failed.v1',
      (data) => data.orderId === placed.id,
    );
    expect(failed?.data.reason).toBe('PAYMENT.DECLINED');
    expect(eventsFor('waybill.order.confirmed.v1', placed.id)).toHaveLength(0);
  });

  it('voids the payment and releases the stock when a confirmed order is cancelled', async () => {
    const sku = uniqueSku('cancelled');
    await stack.setStock(sku, 3);
    const placed = await place(orderBody([{ sku, quantity: 3 }]));
    await stack.waitForStatus(placed.id, 'CONFIRMED');

    const cancelled = await stack.cancelOrder(placed.id);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('CANCELLED');
    await stack.probe.waitForEvent(
      'waybill.payment.voided.v1',
      (data: { orderId: string }) => data.orderId === placed.id,
    );
    await stack.probe.waitForEvent(
      'waybill.inventory.stock-released.v1',
      (data: { orderId: string }) => data.orderId === placed.id,
    );
    expect(await stack.stock(sku)).toMatchObject({ onHand: 3, reserved: 0, available: 3 });
    expect(eventsFor('waybill.payment.captured.v1', placed.id)).toHaveLength(0);
  });

  it('places one order for one Idempotency-Key sent 20 times at once', async () => {
    const sku = uniqueSku('idem');
    await stack.setStock(sku, 100);
    const body = orderBody([{ sku, quantity: 1 }]);
    const key = `idem-${randomUUID()}`;
    const answers = await Promise.all(Array.from({ length: 20 }, () => stack.placeOrder(body, key)));

    const created = answers.filter((answer) => answer.status === 201);
    const inFlight = answers.filter((answer) => answer.status === 409);
    expect(created.length + inFlight.length).toBe(20);
    expect(created.length).toBeGreaterThanOrEqual(1);
    const ids = new Set(created.map((answer) => answer.body.id));
    expect(ids.size).toBe(1);
    const [orderId] = [...ids] as string[];

    await stack.waitForStatus(orderId!, 'CONFIRMED');
    // The same request once more, after the dust settles, is a replay of the first answer.
    const replay = await stack.placeOrder(body, key);
    expect(replay.status).toBe(201);
    expect(replay.body.id).toBe(orderId);

    const placedEvents = stack.probe.events<{ storefrontOrderId: string }>(
      'waybill.order.placed.v1',
      (data) => data.storefrontOrderId === body.storefrontOrderId,
    );
    expect(placedEvents).toHaveLength(1);
    expect(eventsFor('waybill.inventory.stock-reserved.v1', orderId!)).toHaveLength(1);
    expect(eventsFor('waybill.payment.authorized.v1', orderId!)).toHaveLength(1);
    expect(await stack.stock(sku)).toMatchObject({ reserved: 1 });
  });

  it('never oversells: 200 concurrent orders for 50 units confirm exactly 50', async () => {
    const sku = uniqueSku('rush');
    await stack.setStock(sku, 50);
    const answers = await Promise.all(
      Array.from({ length: 200 }, () => stack.placeOrder(orderBody([{ sku, quantity: 1 }]))),
    );
    expect(answers.map((answer) => answer.status)).toEqual(Array(200).fill(201));
    const ids = answers.map((answer) => answer.body.id);

    const final = await waitFor(
      async () => {
        const orders = await Promise.all(ids.map((id) => stack.getOrder(id)));
        const settled = orders.every((order) => order.status === 'CONFIRMED' || order.status === 'REJECTED');
        return settled ? orders : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 500, description: 'all 200 orders confirmed or rejected' },
    );
    const confirmed = final.filter((order) => order.status === 'CONFIRMED').map((order) => order.id);
    expect(confirmed).toHaveLength(50);
    expect(final.filter((order) => order.status === 'REJECTED')).toHaveLength(150);
    expect(await stack.stock(sku)).toEqual({ sku, onHand: 50, reserved: 50, available: 0 });

    // Ship half (logistics is played by the test) and cancel the other half: on hand goes down
    // by what shipped, never below zero, and nothing stays reserved.
    const shipped = confirmed.slice(0, 25);
    const cancelled = confirmed.slice(25);
    for (const orderId of shipped) {
      await stack.probe.publish('waybill.shipment.created.v1', {
        orderId,
        shipmentId: randomUUID(),
        carrier: 'test-carrier',
        trackingNumber: `TRK${orderId.slice(0, 8)}`,
        createdAt: new Date().toISOString(),
      });
    }
    const cancelAnswers = await Promise.all(cancelled.map((orderId) => stack.cancelOrder(orderId)));
    expect(cancelAnswers.map((answer) => answer.status)).toEqual(Array(25).fill(200));

    await waitFor(
      async () => {
        const stock = await stack.stock(sku);
        return stock.reserved === 0 && stock.onHand === 25 ? stock : undefined;
      },
      {
        timeoutMs: 60_000,
        intervalMs: 250,
        description: 'shipped stock committed and cancelled stock released',
      },
    );
    expect(await stack.stock(sku)).toEqual({ sku, onHand: 25, reserved: 0, available: 25 });
    await waitFor(
      () =>
        shipped.every((id) => eventsFor('waybill.payment.captured.v1', id).length === 1) &&
        cancelled.every((id) => eventsFor('waybill.payment.voided.v1', id).length === 1),
      { timeoutMs: 60_000, description: '25 captures and 25 voids' },
    );
    expect(shipped.flatMap((id) => eventsFor('waybill.payment.voided.v1', id))).toHaveLength(0);
    expect(cancelled.flatMap((id) => eventsFor('waybill.payment.captured.v1', id))).toHaveLength(0);
  });
});

describe('a reservation whose payment never comes', () => {
  let stack: SagaStack;

  beforeAll(async () => {
    stack = await SagaStack.start({
      env: { INVENTORY_RESERVATION_TTL_SECONDS: '2', INVENTORY_EXPIRY_SWEEP_INTERVAL_MS: '250' },
    });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('expires: the order is cancelled and the stock released', async () => {
    const sku = uniqueSku('expiry');
    await stack.setStock(sku, 5);
    // requires_action: the customer never completes it, so no authorization arrives.
    const answer = await stack.placeOrder(orderBody([{ sku, quantity: 2 }], 'sandbox_requires_action'));
    expect(answer.status).toBe(201);
    const orderId = answer.body.id;

    await stack.waitForStatus(orderId, 'RESERVED');
    const cancelled = await stack.waitForStatus(orderId, 'CANCELLED');
    expect(cancelled.timeline.at(-1)?.event.type).toBe('waybill.inventory.stock-released.v1');
    const [released] = stack.probe.events<{ orderId: string; reason: string }>(
      'waybill.inventory.stock-released.v1',
      (data) => data.orderId === orderId,
    );
    expect(released?.data.reason).toBe('INVENTORY.RESERVATION_EXPIRED');
    const [orderCancelled] = stack.probe.events<{ orderId: string; reason: string }>(
      'waybill.order.cancelled.v1',
      (data) => data.orderId === orderId,
    );
    expect(orderCancelled?.data.reason).toBe('ORDER.RESERVATION_EXPIRED');
    expect(await stack.stock(sku)).toEqual({ sku, onHand: 5, reserved: 0, available: 5 });
    expect(
      stack.probe.events(
        'waybill.payment.authorized.v1',
        (data: { orderId: string }) => data.orderId === orderId,
      ),
    ).toHaveLength(0);
  });
});
