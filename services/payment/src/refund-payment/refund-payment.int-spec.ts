import { randomUUID } from 'node:crypto';
import { IdempotencyKeyReused } from '@waybill/eventing';
import { DomainError } from '@waybill/platform';
import { UseCaseHarness } from '@waybill/testing';
import { FakeStripe } from '@waybill/testing/parties';
import {
  capturedOrder,
  paymentRow,
  paymentUseCasesWithStripe,
  placedAndReserved,
} from '../../test/use-cases';
import { PaymentNotFound } from '../payment-errors';
import { RefundPayment, RefundPaymentRequestHandler } from './refund-payment.service';

describe('RefundPayment (use case on PostgreSQL)', () => {
  let stripe: FakeStripe;
  let harness: UseCaseHarness;
  let refundPayment: RefundPayment;

  beforeAll(async () => {
    ({ harness, stripe } = await paymentUseCasesWithStripe());
    refundPayment = harness.get(RefundPayment);
  });

  afterAll(async () => {
    await harness?.stop();
    await stripe?.stop();
  });

  const refunds = (orderId: string) =>
    harness.query<{ sequence: number; amount: string; reason: string }>(
      `SELECT r.sequence, r.amount, r.reason FROM payment_refunds r JOIN payments p ON p.id = r.payment_id
        WHERE p.order_id = $1 ORDER BY r.sequence`,
      [orderId],
    );

  it('refunds part, then the rest: one row and one payment.refunded each, REFUNDED when nothing is left', async () => {
    const orderId = await capturedOrder(harness);

    const first = await harness.run((uow) =>
      refundPayment.execute(uow, { orderId, amount: 1000, reason: 'PAYMENT.OPERATOR_REQUEST' }),
    );
    expect(await paymentRow(harness, orderId)).toMatchObject({ status: 'CAPTURED', refunded_amount: '1000' });
    const rest = await harness.run((uow) =>
      refundPayment.execute(uow, { orderId, reason: 'PAYMENT.CUSTOMER_REQUEST' }),
    );

    expect(first).toMatchObject({ orderId, amount: 1000, reason: 'PAYMENT.OPERATOR_REQUEST' });
    expect(rest).toMatchObject({ orderId, amount: 4390, reason: 'PAYMENT.CUSTOMER_REQUEST' });
    expect(await paymentRow(harness, orderId)).toMatchObject({
      status: 'REFUNDED',
      refunded_amount: '5390',
      refund_count: 2,
    });
    expect(await refunds(orderId)).toEqual([
      { sequence: 1, amount: '1000', reason: 'PAYMENT.OPERATOR_REQUEST' },
      { sequence: 2, amount: '4390', reason: 'PAYMENT.CUSTOMER_REQUEST' },
    ]);
    const events = await harness.enqueued();
    expect(events.map((event) => [event.type, event.key])).toEqual([
      ['waybill.payment.refunded.v1', orderId],
      ['waybill.payment.refunded.v1', orderId],
    ]);
    expect(events.map((event) => event.data)).toEqual([
      expect.objectContaining({ orderId, amount: 1000, refundId: first.refundId }),
      expect.objectContaining({ orderId, amount: 4390, refundId: rest.refundId }),
    ]);
  });

  it('refuses more than is left, a payment not captured, and an unknown order, writing nothing', async () => {
    const captured = await capturedOrder(harness);
    const authorized = await placedAndReserved(harness);
    const refund = (orderId: string, amount?: number) =>
      harness.run((uow) =>
        refundPayment.execute(uow, { orderId, amount, reason: 'PAYMENT.OPERATOR_REQUEST' }),
      );

    await expect(refund(captured, 5391)).rejects.toMatchObject({ code: 'PAYMENT.REFUND_EXCEEDS_CAPTURED' });
    await expect(refund(authorized)).rejects.toMatchObject({ code: 'PAYMENT.NOT_CAPTURED' });
    await expect(refund(randomUUID())).rejects.toBeInstanceOf(PaymentNotFound);

    expect(await paymentRow(harness, captured)).toMatchObject({ status: 'CAPTURED', refunded_amount: '0' });
    expect(await paymentRow(harness, authorized)).toMatchObject({ status: 'AUTHORIZED', refund_count: 0 });
    expect(await refunds(captured)).toEqual([]);
    expect(await harness.enqueued()).toEqual([]);
  });

  it('writes nothing while the provider is unavailable; the retry asks for the same refund (same key)', async () => {
    const orderId = await capturedOrder(harness, 'stripe');
    stripe.failNext = 2;

    const failure = harness.run((uow) =>
      refundPayment.execute(uow, { orderId, amount: 500, reason: 'PAYMENT.OPERATOR_REQUEST' }),
    );

    await expect(failure).rejects.toBeInstanceOf(DomainError);
    await expect(failure).rejects.toMatchObject({ code: 'PAYMENT.PROVIDER_UNAVAILABLE' });
    expect(await paymentRow(harness, orderId)).toMatchObject({ refunded_amount: '0', refund_count: 0 });
    expect(await harness.enqueued()).toEqual([]);

    await harness.run((uow) =>
      refundPayment.execute(uow, { orderId, amount: 500, reason: 'PAYMENT.OPERATOR_REQUEST' }),
    );

    expect(await refunds(orderId)).toEqual([
      { sequence: 1, amount: '500', reason: 'PAYMENT.OPERATOR_REQUEST' },
    ]);
    expect(await harness.enqueuedTypes()).toEqual(['waybill.payment.refunded.v1']);
    const keys = stripe.callsTo('POST', '/v1/refunds').map((call) => call.idempotencyKey);
    expect(keys).toEqual([`${orderId}:refund:1`, `${orderId}:refund:1`, `${orderId}:refund:1`]);
  });

  it('answers a request repeated with its Idempotency-Key with the first refund instead of refunding again', async () => {
    const orderId = await capturedOrder(harness);
    const handler = harness.get(RefundPaymentRequestHandler);
    const request = {
      principal: 'admin',
      idempotencyKey: randomUUID(),
      orderId,
      amount: 700,
      reason: 'PAYMENT.OPERATOR_REQUEST' as const,
    };

    const first = await handler.handle(request);
    const again = await handler.handle(request);

    expect(first).toMatchObject({ status: 201, replayed: false, body: { orderId, amount: 700 } });
    expect(again).toEqual({ ...first, replayed: true });
    expect(await refunds(orderId)).toEqual([
      { sequence: 1, amount: '700', reason: 'PAYMENT.OPERATOR_REQUEST' },
    ]);
    expect(await harness.enqueuedTypes()).toEqual(['waybill.payment.refunded.v1']);
    // The key binds the body: another amount under it is refused, and refunds nothing.
    await expect(handler.handle({ ...request, amount: 800 })).rejects.toBeInstanceOf(IdempotencyKeyReused);
    expect(await paymentRow(harness, orderId)).toMatchObject({ refunded_amount: '700' });
  });
});
