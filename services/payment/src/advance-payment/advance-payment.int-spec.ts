import { randomUUID } from 'node:crypto';
import { PermanentEventError } from '@waybill/eventing';
import { UseCaseHarness } from '@waybill/testing';
import { FakeStripe } from '@waybill/testing/parties';
import {
  capturedOrder,
  orderCancelled,
  orderPlaced,
  paymentRow,
  paymentUseCasesWithStripe,
  placedAndReserved,
  shipmentCreated,
  stockReserved,
} from '../../test/use-cases';
import { AdvancePayment, PaymentSagaInput } from './advance-payment.service';

describe('AdvancePayment (use case on PostgreSQL)', () => {
  let stripe: FakeStripe;
  let harness: UseCaseHarness;
  let advancePayment: AdvancePayment;

  beforeAll(async () => {
    ({ harness, stripe } = await paymentUseCasesWithStripe());
    advancePayment = harness.get(AdvancePayment);
  });

  afterAll(async () => {
    await harness?.stop();
    await stripe?.stop();
  });

  const advance = (input: PaymentSagaInput) => harness.run((uow) => advancePayment.execute(uow, input));

  it('authorizes once both order.placed and stock-reserved are in, whichever came first, and enqueues payment.authorized', async () => {
    const orderId = randomUUID();

    await advance({ type: 'stock-reserved', stock: stockReserved(orderId) });
    expect(await paymentRow(harness, orderId)).toMatchObject({ status: 'PENDING', provider: null });
    expect(await harness.enqueued()).toEqual([]);

    await advance({ type: 'order-placed', order: orderPlaced(orderId, 'sandbox_approve') });

    expect(await paymentRow(harness, orderId)).toMatchObject({
      status: 'AUTHORIZED',
      provider: 'sandbox',
      provider_payment_ref: `sbx_pi_${orderId}`,
      amount: '5390',
    });
    const [authorized, ...more] = await harness.enqueued();
    expect(more).toEqual([]);
    expect(authorized).toMatchObject({
      type: 'waybill.payment.authorized.v1',
      key: orderId,
      subject: orderId,
      topic: 'waybill.payment.events',
    });
    expect(authorized.data).toMatchObject({
      orderId,
      provider: 'sandbox',
      providerPaymentRef: `sbx_pi_${orderId}`,
      amount: 5390,
      currency: 'EUR',
    });
  });

  it('changes nothing on a duplicate order.placed or stock-reserved after authorizing', async () => {
    const orderId = await placedAndReserved(harness);

    await advance({ type: 'order-placed', order: orderPlaced(orderId, 'sandbox_decline', 'sandbox', 1) });
    await advance({ type: 'stock-reserved', stock: stockReserved(orderId) });

    expect(await paymentRow(harness, orderId)).toMatchObject({ status: 'AUTHORIZED', amount: '5390' });
    expect(await harness.enqueued()).toEqual([]);
  });

  it('records a decline as FAILED and enqueues payment.failed with the decline code', async () => {
    const orderId = randomUUID();
    await advance({ type: 'order-placed', order: orderPlaced(orderId, 'sandbox_insufficient_funds') });

    await advance({ type: 'stock-reserved', stock: stockReserved(orderId) });

    expect(await paymentRow(harness, orderId)).toMatchObject({
      status: 'FAILED',
      failure_reason: 'PAYMENT.DECLINED',
      decline_code: 'insufficient_funds',
    });
    const [failed, ...more] = await harness.enqueued();
    expect(more).toEqual([]);
    expect(failed).toMatchObject({ type: 'waybill.payment.failed.v1', key: orderId });
    expect(failed.data).toMatchObject({
      orderId,
      reason: 'PAYMENT.DECLINED',
      declineCode: 'insufficient_funds',
    });
  });

  it('fails an unconfigured provider as INVALID_PAYMENT_METHOD and a provider that never answers as TIMED_OUT', async () => {
    const unconfigured = await placedAndReserved(harness, 'tok', 'paypal');
    const timedOut = await placedAndReserved(harness, 'sandbox_timeout');

    expect(await paymentRow(harness, unconfigured)).toMatchObject({
      status: 'FAILED',
      failure_reason: 'PAYMENT.INVALID_PAYMENT_METHOD',
    });
    expect(await paymentRow(harness, timedOut)).toMatchObject({
      status: 'FAILED',
      failure_reason: 'PAYMENT.TIMED_OUT',
    });
  });

  it('a cancellation before anything is held closes the payment: a later order.placed and stock-reserved never authorize', async () => {
    const orderId = randomUUID();

    await advance({ type: 'order-cancelled', cancelled: orderCancelled(orderId) });
    await advance({ type: 'order-placed', order: orderPlaced(orderId, 'sandbox_approve') });
    await advance({ type: 'stock-reserved', stock: stockReserved(orderId) });

    expect(await paymentRow(harness, orderId)).toMatchObject({
      status: 'VOIDED',
      void_reason: 'PAYMENT.ORDER_CANCELLED',
      provider_payment_ref: null,
    });
    // Nothing was ever authorized, so there is nothing to announce.
    expect(await harness.enqueued()).toEqual([]);
  });

  it('voids an authorized payment on cancellation and enqueues payment.voided; a repeat changes nothing', async () => {
    const orderId = await placedAndReserved(harness);

    await advance({ type: 'order-cancelled', cancelled: orderCancelled(orderId) });
    await advance({ type: 'order-cancelled', cancelled: orderCancelled(orderId) });

    expect(await paymentRow(harness, orderId)).toMatchObject({ status: 'VOIDED' });
    const [voided, ...more] = await harness.enqueued();
    expect(more).toEqual([]);
    expect(voided).toMatchObject({ type: 'waybill.payment.voided.v1', key: orderId });
    expect(voided.data).toMatchObject({ orderId, reason: 'PAYMENT.ORDER_CANCELLED', amount: 5390 });
  });

  it('captures on shipment.created and enqueues payment.captured; a second shipment.created captures nothing', async () => {
    const orderId = await placedAndReserved(harness);

    await advance({ type: 'shipment-created', shipment: shipmentCreated(orderId) });
    await advance({ type: 'shipment-created', shipment: shipmentCreated(orderId) });

    expect(await paymentRow(harness, orderId)).toMatchObject({ status: 'CAPTURED', captured_amount: '5390' });
    const [captured, ...more] = await harness.enqueued();
    expect(more).toEqual([]);
    expect(captured).toMatchObject({ type: 'waybill.payment.captured.v1', key: orderId });
    expect(captured.data).toMatchObject({ orderId, amount: 5390 });
  });

  it('ignores shipment.created for an order it has no payment for, writing nothing', async () => {
    const orderId = randomUUID();

    await advance({ type: 'shipment-created', shipment: shipmentCreated(orderId) });

    expect(await paymentRow(harness, orderId)).toBeUndefined();
    expect(await harness.enqueued()).toEqual([]);
  });

  it('refunds what was captured when the order is cancelled after capture', async () => {
    const orderId = await capturedOrder(harness);

    await advance({ type: 'order-cancelled', cancelled: orderCancelled(orderId) });

    expect(await paymentRow(harness, orderId)).toMatchObject({
      status: 'REFUNDED',
      refunded_amount: '5390',
      refund_count: 1,
    });
    const [refunded, ...more] = await harness.enqueued();
    expect(more).toEqual([]);
    expect(refunded).toMatchObject({ type: 'waybill.payment.refunded.v1', key: orderId });
    expect(refunded.data).toMatchObject({ orderId, amount: 5390, reason: 'PAYMENT.CUSTOMER_REQUEST' });
  });

  it('rolls a capture back while Stripe is unavailable, and captures with the same key when it is back', async () => {
    const orderId = await placedAndReserved(harness, 'pm_card_visa', 'stripe');
    expect(await paymentRow(harness, orderId)).toMatchObject({ status: 'AUTHORIZED', provider: 'stripe' });
    stripe.failNext = 2;

    await expect(advance({ type: 'shipment-created', shipment: shipmentCreated(orderId) })).rejects.toThrow(
      /capture of order .*stripe/,
    );
    expect(await paymentRow(harness, orderId)).toMatchObject({ status: 'AUTHORIZED', captured_amount: '0' });
    expect(await harness.enqueued()).toEqual([]);

    await advance({ type: 'shipment-created', shipment: shipmentCreated(orderId) });

    expect(await paymentRow(harness, orderId)).toMatchObject({ status: 'CAPTURED' });
    expect(await harness.enqueuedTypes()).toEqual(['waybill.payment.captured.v1']);
    const keys = stripe.callsTo('POST', /\/capture$/).map((call) => call.idempotencyKey);
    expect(keys).toEqual([`${orderId}:capture`, `${orderId}:capture`, `${orderId}:capture`]);
  });

  it('refuses for good a capture Stripe will not do, leaving the payment AUTHORIZED', async () => {
    const orderId = await placedAndReserved(harness, 'pm_card_visa', 'stripe');
    const intent = stripe.intentForOrder(orderId);
    if (!intent) {
      throw new Error('Stripe has no intent for the order');
    }
    intent.status = 'canceled'; // cancelled in Stripe's dashboard

    const failure = advance({ type: 'shipment-created', shipment: shipmentCreated(orderId) });

    await expect(failure).rejects.toBeInstanceOf(PermanentEventError);
    await expect(failure).rejects.toMatchObject({ code: 'PAYMENT.CAPTURE_REFUSED' });
    expect(await paymentRow(harness, orderId)).toMatchObject({ status: 'AUTHORIZED' });
    expect(await harness.enqueued()).toEqual([]);
  });
});
