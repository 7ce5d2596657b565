import { randomUUID } from 'node:crypto';
import { UseCaseHarness } from '@waybill/testing';
import {
  orderCancelled,
  orderPlaced,
  paymentRow,
  paymentUseCases,
  shipmentCreated,
  stockReserved,
} from '../../test/use-cases';
import { AdvancePayment, PaymentSagaInput } from './advance-payment.service';

/** A channel order (paid on Shopify) through the payment saga with the `prepaid` provider. */
describe('AdvancePayment with the prepaid provider (use case on PostgreSQL)', () => {
  const token = 'shopify:5512345678901234567';
  let harness: UseCaseHarness;
  let advancePayment: AdvancePayment;

  beforeAll(async () => {
    harness = await paymentUseCases({ env: { PAYMENT_PREPAID_ENABLED: 'true' } });
    advancePayment = harness.get(AdvancePayment);
  });

  afterAll(async () => {
    await harness?.stop();
  });

  const advance = (input: PaymentSagaInput) => harness.run((uow) => advancePayment.execute(uow, input));

  async function placedAndReserved(paymentMethodRef: string): Promise<string> {
    const orderId = randomUUID();
    await advance({ type: 'order-placed', order: orderPlaced(orderId, paymentMethodRef, 'prepaid') });
    await advance({ type: 'stock-reserved', stock: stockReserved(orderId) });
    return orderId;
  }

  it('announces authorized and captured at once, referenced by the token; shipment captures nothing more', async () => {
    const orderId = await placedAndReserved(token);

    expect(await paymentRow(harness, orderId)).toMatchObject({
      status: 'CAPTURED',
      provider: 'prepaid',
      provider_payment_ref: token,
      captured_amount: '5390',
    });
    const enqueued = await harness.enqueued();
    expect(enqueued.map((event) => event.type)).toEqual([
      'waybill.payment.authorized.v1',
      'waybill.payment.captured.v1',
    ]);
    expect(enqueued[0].data).toMatchObject({ orderId, provider: 'prepaid', providerPaymentRef: token });

    await advance({ type: 'shipment-created', shipment: shipmentCreated(orderId) });
    expect(await harness.enqueued()).toEqual([]);
  });

  it('records a cancellation as refunded: the merchant refunds on the platform', async () => {
    const orderId = await placedAndReserved(token);
    await harness.enqueued();

    await advance({ type: 'order-cancelled', cancelled: orderCancelled(orderId) });

    expect(await paymentRow(harness, orderId)).toMatchObject({ refunded_amount: '5390' });
    const [refunded, ...more] = await harness.enqueued();
    expect(more).toEqual([]);
    expect(refunded).toMatchObject({ type: 'waybill.payment.refunded.v1', key: orderId });
    expect(refunded.data).toMatchObject({ orderId, amount: 5390, reason: 'PAYMENT.CUSTOMER_REQUEST' });
  });

  it('fails a token the channels service did not mint as an invalid payment method', async () => {
    const orderId = await placedAndReserved('5512345678901234567');

    expect(await paymentRow(harness, orderId)).toMatchObject({
      status: 'FAILED',
      failure_reason: 'PAYMENT.INVALID_PAYMENT_METHOD',
    });
    const [failed, ...more] = await harness.enqueued();
    expect(more).toEqual([]);
    expect(failed).toMatchObject({ type: 'waybill.payment.failed.v1', key: orderId });
  });
});
