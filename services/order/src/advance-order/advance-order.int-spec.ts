import { randomUUID } from 'node:crypto';
import { UseCaseHarness } from '@waybill/testing';
import { orderUseCases, placedOrderId } from '../../test/use-cases';
import { OrderNotFound } from '../order-errors';
import { AdvanceOrder } from './advance-order.service';

describe('AdvanceOrder (use case on PostgreSQL)', () => {
  let harness: UseCaseHarness;
  let advanceOrder: AdvanceOrder;

  beforeAll(async () => {
    harness = await orderUseCases();
    advanceOrder = harness.get(AdvanceOrder);
  });

  afterAll(async () => {
    await harness?.stop();
  });

  const cause = (eventType: string) => ({ eventId: randomUUID(), eventType });

  async function status(orderId: string): Promise<string> {
    const [row] = await harness.query<{ status: string }>(`SELECT status FROM orders WHERE id = $1`, [
      orderId,
    ]);
    return row.status;
  }

  it('confirms the order once both the reservation and the authorization are in, whatever their order', async () => {
    const orderId = await placedOrderId(harness);
    const [reservationId, paymentId] = [randomUUID(), randomUUID()];

    const first = await harness.run((uow) =>
      advanceOrder.execute(uow, {
        orderId,
        input: { type: 'payment-authorized', paymentId },
        cause: cause('waybill.payment.authorized.v1'),
      }),
    );
    expect(first.outcome).toBe('recorded');
    expect(await status(orderId)).toBe('PENDING');
    expect(await harness.enqueued()).toEqual([]);

    const stockCause = cause('waybill.inventory.stock-reserved.v1');
    const second = await harness.run((uow) =>
      advanceOrder.execute(uow, {
        orderId,
        input: { type: 'stock-reserved', reservationId },
        cause: stockCause,
      }),
    );

    expect(second.outcome).toBe('advanced');
    expect(await status(orderId)).toBe('CONFIRMED');
    const [confirmed, ...more] = await harness.enqueued();
    expect(more).toEqual([]);
    expect(confirmed).toMatchObject({ type: 'waybill.order.confirmed.v1', key: orderId });
    expect(confirmed.data).toMatchObject({ orderId, reservationId, paymentId });
    // The timeline names the event that moved it.
    const timeline = await harness.query(
      `SELECT status, event_id FROM order_timeline WHERE order_id = $1 ORDER BY id`,
      [orderId],
    );
    expect(timeline.at(-1)).toEqual({ status: 'CONFIRMED', event_id: stockCause.eventId });
  });

  it('waits for the buyer with what they must do, then cancels with PAYMENT_EXPIRED when they never pay', async () => {
    const orderId = await placedOrderId(harness);
    const paymentId = randomUUID();
    const action = {
      nextAction: { type: 'qr_code' as const, qrCode: 'https://qr.alipay.com/bax0843' },
      expiresAt: '2030-01-01T00:15:00.000Z',
    };
    await harness.run((uow) =>
      advanceOrder.execute(uow, {
        orderId,
        input: { type: 'stock-reserved', reservationId: randomUUID() },
        cause: cause('waybill.inventory.stock-reserved.v1'),
      }),
    );
    const waiting = await harness.run((uow) =>
      advanceOrder.execute(uow, {
        orderId,
        input: { type: 'payment-action-required', paymentId, action },
        cause: cause('waybill.payment.action-required.v1'),
      }),
    );
    expect(waiting.outcome).toBe('advanced');
    expect(await status(orderId)).toBe('AWAITING_PAYMENT');
    const [row] = await harness.query<{ payment_action: unknown }>(
      `SELECT payment_action FROM orders WHERE id = $1`,
      [orderId],
    );
    expect(row.payment_action).toEqual(action);
    await harness.enqueued();

    await harness.run((uow) =>
      advanceOrder.execute(uow, {
        orderId,
        input: { type: 'payment-failed', paymentId, expired: true },
        cause: cause('waybill.payment.failed.v1'),
      }),
    );
    expect(await status(orderId)).toBe('CANCELLED');
    const [cancelled] = await harness.enqueued();
    expect(cancelled).toMatchObject({ type: 'waybill.order.cancelled.v1', key: orderId });
    expect(cancelled.data).toMatchObject({ reason: 'ORDER.PAYMENT_EXPIRED' });
    const [after] = await harness.query<{ payment_action: unknown }>(
      `SELECT payment_action FROM orders WHERE id = $1`,
      [orderId],
    );
    expect(after.payment_action).toBeNull();
  });

  it('never moves backwards: a late stock-rejected after confirmation is ignored and announces nothing', async () => {
    const orderId = await placedOrderId(harness);
    await harness.run((uow) =>
      advanceOrder.execute(uow, {
        orderId,
        input: { type: 'stock-reserved', reservationId: randomUUID() },
        cause: cause('waybill.inventory.stock-reserved.v1'),
      }),
    );
    await harness.run((uow) =>
      advanceOrder.execute(uow, {
        orderId,
        input: { type: 'payment-authorized', paymentId: randomUUID() },
        cause: cause('waybill.payment.authorized.v1'),
      }),
    );
    await harness.enqueued();

    const late = await harness.run((uow) =>
      advanceOrder.execute(uow, {
        orderId,
        input: { type: 'stock-rejected', reason: 'INVENTORY.INSUFFICIENT_STOCK', shortLines: [] },
        cause: cause('waybill.inventory.stock-rejected.v1'),
      }),
    );

    expect(late.outcome).toBe('ignored');
    expect(await status(orderId)).toBe('CONFIRMED');
    expect(await harness.enqueued()).toEqual([]);
  });

  it('refuses an unknown order with OrderNotFound, writing nothing', async () => {
    await expect(
      harness.run((uow) =>
        advanceOrder.execute(uow, {
          orderId: randomUUID(),
          input: { type: 'payment-failed', paymentId: randomUUID() },
        }),
      ),
    ).rejects.toBeInstanceOf(OrderNotFound);
    expect(await harness.enqueued()).toEqual([]);
  });
});
