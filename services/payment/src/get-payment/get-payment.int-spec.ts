import { randomUUID } from 'node:crypto';
import { UseCaseHarness } from '@waybill/testing';
import { capturedOrder, paymentUseCases, placedAndReserved } from '../../test/use-cases';
import { PaymentNotFound } from '../payment-errors';
import { RefundPayment } from '../refund-payment/refund-payment.service';
import { GetPayment } from './get-payment.service';

describe('GetPayment (use case on PostgreSQL)', () => {
  let harness: UseCaseHarness;
  let getPayment: GetPayment;

  beforeAll(async () => {
    harness = await paymentUseCases();
    getPayment = harness.get(GetPayment);
  });

  afterAll(async () => {
    await harness?.stop();
  });

  it('shows a captured, partly refunded payment with its refunds, never the payment method', async () => {
    const orderId = await capturedOrder(harness);
    const refund = await harness.run((uow) =>
      harness.get(RefundPayment).execute(uow, { orderId, amount: 390, reason: 'PAYMENT.CUSTOMER_REQUEST' }),
    );

    const view = await getPayment.execute(orderId);

    expect(view).toMatchObject({
      orderId,
      status: 'CAPTURED',
      provider: 'sandbox',
      providerPaymentRef: `sbx_pi_${orderId}`,
      amount: 5390,
      currency: 'EUR',
      capturedAmount: 5390,
      refundedAmount: 390,
      failure: null,
      voidedAt: null,
      refunds: [{ refundId: refund.refundId, amount: 390, reason: 'PAYMENT.CUSTOMER_REQUEST' }],
    });
    expect(view.authorizedAt).toEqual(expect.any(String));
    expect(view.capturedAt).toEqual(expect.any(String));
    expect(JSON.stringify(view)).not.toContain('sandbox_approve');
  });

  it('shows why a payment failed', async () => {
    const orderId = await placedAndReserved(harness, 'sandbox_decline');

    expect(await getPayment.execute(orderId)).toMatchObject({
      status: 'FAILED',
      capturedAmount: 0,
      failure: { reason: 'PAYMENT.DECLINED', declineCode: 'generic_decline', message: null },
      failedAt: expect.any(String),
      refunds: [],
    });
  });

  it('answers PaymentNotFound for an order it has no payment for', async () => {
    await expect(getPayment.execute(randomUUID())).rejects.toBeInstanceOf(PaymentNotFound);
  });
});
