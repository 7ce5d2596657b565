import { randomUUID } from 'node:crypto';
import { UseCaseHarness } from '@waybill/testing';
import { FakeWechatPay } from '@waybill/testing/parties';
import { orderPlaced, paymentRow, paymentUseCases, stockReserved } from '../../test/use-cases';
import { AdvancePayment } from '../advance-payment/advance-payment.service';
import { CheckAwaitedPayments } from './check-awaited-payments.service';

describe('CheckAwaitedPayments (use case on PostgreSQL, against a fake WeChat Pay)', () => {
  let wechat: FakeWechatPay;
  let harness: UseCaseHarness;
  let check: CheckAwaitedPayments;

  beforeAll(async () => {
    wechat = await FakeWechatPay.start();
    harness = await paymentUseCases({ env: wechat.env() });
    check = harness.get(CheckAwaitedPayments);
  });

  afterAll(async () => {
    await harness?.stop();
    await wechat?.stop();
  });

  /** A WeChat Pay order whose QR code the buyer has been shown; what was enqueued is forgotten. */
  async function awaitingBuyer(): Promise<string> {
    const orderId = randomUUID();
    const advance = harness.get(AdvancePayment);
    await harness.run((uow) =>
      advance.execute(uow, {
        type: 'order-placed',
        order: orderPlaced(orderId, 'qr', 'wechatpay', 5390, 'CNY'),
      }),
    );
    await harness.run((uow) =>
      advance.execute(uow, { type: 'stock-reserved', stock: stockReserved(orderId) }),
    );
    expect(await harness.enqueuedTypes()).toEqual(['waybill.payment.action-required.v1']);
    return orderId;
  }

  const sweep = (now: Date, queryEverySeconds = 3600) =>
    harness.run((uow) => check.execute(uow, { now, queryEverySeconds, batchSize: 50 }));
  const queriedAt = async (orderId: string) =>
    (
      await harness.query<{ action_queried_at: Date | null }>(
        `SELECT action_queried_at FROM payments WHERE order_id = $1`,
        [orderId],
      )
    )[0].action_queried_at;

  it('leaves a payment before its deadline alone until it is due a query, then asks and keeps waiting', async () => {
    const orderId = await awaitingBuyer();
    expect(await sweep(new Date())).toMatchObject({ recovered: 0, expired: 0 });
    expect(await queriedAt(orderId)).toBeNull();

    const now = new Date(Date.now() + 5000);
    await sweep(now, 1);
    expect(await queriedAt(orderId)).toEqual(now);
    expect(await paymentRow(harness, orderId)).toMatchObject({ status: 'REQUIRES_ACTION' });
    expect(await harness.enqueued()).toEqual([]);
  });

  it('finds a payment whose notify was lost: authorized and, WeChat Pay taking money at once, captured', async () => {
    const orderId = await awaitingBuyer();
    await wechat.buyerPays(orderId, 'lose');
    const result = await sweep(new Date(Date.now() + 5000), 1);
    expect(result.recovered).toBeGreaterThanOrEqual(1);
    expect(await paymentRow(harness, orderId)).toMatchObject({ status: 'CAPTURED', captured_amount: '5390' });
    expect(await harness.enqueuedTypes()).toEqual([
      'waybill.payment.authorized.v1',
      'waybill.payment.captured.v1',
    ]);
  });

  it('past the deadline: closes the trade at the gateway, then fails the payment PAYMENT.EXPIRED', async () => {
    const orderId = await awaitingBuyer();
    const result = await sweep(new Date(Date.now() + 60 * 60_000));
    expect(result.expired).toBeGreaterThanOrEqual(1);
    expect(wechat.tradeStatus(orderId)).toBe('CLOSED');
    expect(await paymentRow(harness, orderId)).toMatchObject({
      status: 'FAILED',
      failure_reason: 'PAYMENT.EXPIRED',
    });
    // Earlier tests' payments still waiting expire in the same sweep: this order's events alone.
    const mine = (await harness.enqueued()).filter((event) => event.key === orderId);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ type: 'waybill.payment.failed.v1' });
    expect(mine[0].data).toMatchObject({ reason: 'PAYMENT.EXPIRED' });
  });

  it('a close that does not go through leaves the payment waiting: nothing expires while the buyer can pay', async () => {
    const orderId = await awaitingBuyer();
    await wechat.stop();
    try {
      await sweep(new Date(Date.now() + 60 * 60_000));
      expect(await paymentRow(harness, orderId)).toMatchObject({ status: 'REQUIRES_ACTION' });
      expect(await harness.enqueued()).toEqual([]);
    } finally {
      wechat = await FakeWechatPay.start();
    }
  });
});
