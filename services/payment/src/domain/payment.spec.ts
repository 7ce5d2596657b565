import { Payment } from './payment';
import { canMove, PAYMENT_STATUSES } from './payment-status';

const ORDER = '3f9a8c2e-5b7d-4e1f-9a6c-2d8b7e4f1a90';
const at = new Date('2026-01-01T00:00:00Z');
const details = { provider: 'sandbox', paymentMethodRef: 'sandbox_approve', amount: 5390, currency: 'EUR' };

function ready(): Payment {
  const payment = Payment.start('a4b5c6d7-e8f9-4a0b-9c1d-2e3f4a5b6c7d', ORDER);
  payment.recordOrderPlaced(details, at);
  payment.recordStockReserved('7c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f', at);
  return payment;
}

function authorized(): Payment {
  const payment = ready();
  payment.startAuthorizing('manual');
  payment.applyAuthorization({ kind: 'authorized', providerPaymentRef: 'pi_1' }, at);
  return payment;
}

describe('payment status transitions', () => {
  it('never leads out of a terminal state', () => {
    for (const terminal of ['REFUNDED', 'FAILED', 'VOIDED'] as const) {
      for (const to of PAYMENT_STATUSES) {
        expect(canMove(terminal, to)).toBe(false);
      }
    }
  });

  it('never goes back', () => {
    expect(canMove('AUTHORIZED', 'PENDING')).toBe(false);
    expect(canMove('AUTHORIZED', 'REQUIRES_ACTION')).toBe(false);
    expect(canMove('CAPTURED', 'AUTHORIZED')).toBe(false);
    expect(canMove('CAPTURED', 'VOIDED')).toBe(false);
    expect(canMove('REQUIRES_ACTION', 'AUTHORIZED')).toBe(true);
  });
});

describe('Payment', () => {
  it('authorizes only once both order.placed and stock-reserved were seen, in either order', () => {
    const stockFirst = Payment.start('p1', ORDER);
    stockFirst.recordStockReserved('r1', at);
    expect(stockFirst.readyToAuthorize).toBe(false);
    stockFirst.recordOrderPlaced(details, at);
    expect(stockFirst.readyToAuthorize).toBe(true);

    const orderFirst = Payment.start('p2', ORDER);
    orderFirst.recordOrderPlaced(details, at);
    expect(orderFirst.readyToAuthorize).toBe(false);
    orderFirst.recordStockReserved('r1', at);
    expect(orderFirst.readyToAuthorize).toBe(true);
  });

  it('ignores a duplicate order.placed: the first amount stays', () => {
    const payment = ready();
    payment.recordOrderPlaced({ ...details, amount: 1 }, at);
    expect(payment.state.amount).toBe(5390);
  });

  it('is not ready again once authorization started: a redelivered event does not authorize twice', () => {
    const payment = authorized();
    payment.recordStockReserved('r2', at);
    expect(payment.readyToAuthorize).toBe(false);
    expect(() => payment.startAuthorizing('manual')).toThrow();
  });

  it('announces an authorization once; a repeat changes nothing', () => {
    const payment = ready();
    payment.startAuthorizing('manual');
    expect(payment.applyAuthorization({ kind: 'authorized', providerPaymentRef: 'pi_1' }, at)).toEqual({
      emit: ['authorized'],
    });
    expect(payment.status).toBe('AUTHORIZED');
    expect(payment.applyAuthorization({ kind: 'authorized', providerPaymentRef: 'pi_1' }, at)).toEqual({});
  });

  it('records a decline with its code and announces failure', () => {
    const payment = ready();
    payment.startAuthorizing('manual');
    const decision = payment.applyAuthorization(
      { kind: 'failed', reason: 'PAYMENT.DECLINED', declineCode: 'insufficient_funds' },
      at,
    );
    expect(decision).toEqual({ emit: ['failed'], voidAtProvider: false });
    expect(payment.state).toMatchObject({ status: 'FAILED', declineCode: 'insufficient_funds' });
  });

  it('voids at the provider after a timeout, since the call may have gone through', () => {
    const payment = ready();
    payment.startAuthorizing('manual');
    expect(
      payment.applyAuthorization({ kind: 'failed', reason: 'PAYMENT.TIMED_OUT', mayHaveSucceeded: true }, at),
    ).toEqual({ emit: ['failed'], voidAtProvider: true });
  });

  it('waits in REQUIRES_ACTION and is resolved by a webhook', () => {
    const payment = ready();
    payment.startAuthorizing('manual');
    expect(payment.applyAuthorization({ kind: 'requires-action', providerPaymentRef: 'pi_1' }, at)).toEqual(
      {},
    );
    expect(payment.status).toBe('REQUIRES_ACTION');
    expect(payment.applyWebhook({ kind: 'authorized', providerPaymentRef: 'pi_1' }, at)).toEqual({
      emit: ['authorized'],
    });
    expect(payment.status).toBe('AUTHORIZED');
  });

  it('a late failure webhook does not undo an authorization', () => {
    const payment = authorized();
    const decision = payment.applyWebhook(
      { kind: 'failed', providerPaymentRef: 'pi_1', reason: 'PAYMENT.DECLINED' },
      at,
    );
    expect(decision).toEqual({});
    expect(payment.status).toBe('AUTHORIZED');
  });

  describe('cancellation', () => {
    it('before authorization: closes the payment and never authorizes afterwards', () => {
      const payment = Payment.start('p', ORDER);
      payment.recordOrderPlaced(details, at);
      expect(payment.requestCancellation(at)).toEqual({ action: 'none' });
      expect(payment.status).toBe('VOIDED');
      payment.recordStockReserved('r1', at);
      expect(payment.readyToAuthorize).toBe(false);
    });

    it('a hold that lands after cancellation is voided, without an announcement', () => {
      const payment = Payment.start('p', ORDER);
      payment.requestCancellation(at);
      expect(payment.applyWebhook({ kind: 'authorized', providerPaymentRef: 'pi_1' }, at)).toEqual({
        voidAtProvider: true,
      });
      expect(payment.status).toBe('VOIDED');
    });

    it('while requires-action is pending: voids at the provider, announces nothing', () => {
      const payment = ready();
      payment.startAuthorizing('manual');
      payment.applyAuthorization({ kind: 'requires-action', providerPaymentRef: 'pi_1' }, at);
      expect(payment.requestCancellation(at)).toEqual({ action: 'void' });
      expect(payment.markVoided('PAYMENT.ORDER_CANCELLED', at)).toEqual({});
      expect(payment.status).toBe('VOIDED');
    });

    it('after authorization: voids and announces payment.voided', () => {
      const payment = authorized();
      expect(payment.requestCancellation(at)).toEqual({ action: 'void' });
      expect(payment.markVoided('PAYMENT.ORDER_CANCELLED', at)).toEqual({ emit: ['voided'] });
      expect(payment.status).toBe('VOIDED');
      expect(payment.markVoided('PAYMENT.ORDER_CANCELLED', at)).toEqual({});
    });

    it('after capture: refunds what is left', () => {
      const payment = authorized();
      payment.markCaptured(at);
      payment.markRefunded(1000);
      expect(payment.requestCancellation(at)).toEqual({ action: 'refund', amount: 4390 });
    });
  });

  describe('capture and refund', () => {
    it('captures an authorized payment once', () => {
      const payment = authorized();
      expect(payment.readyToCapture).toBe(true);
      expect(payment.markCaptured(at)).toEqual({ emit: ['captured'] });
      expect(payment.state.capturedAmount).toBe(5390);
      expect(payment.readyToCapture).toBe(false);
      expect(payment.markCaptured(at)).toEqual({});
    });

    it('does not capture what was never authorized', () => {
      expect(ready().readyToCapture).toBe(false);
    });

    it('refunds in parts up to the captured amount, then is REFUNDED', () => {
      const payment = authorized();
      expect(payment.checkRefund()).toMatchObject({ ok: false, code: 'PAYMENT.NOT_CAPTURED' });
      payment.markCaptured(at);
      expect(payment.checkRefund(6000)).toMatchObject({ ok: false, code: 'PAYMENT.REFUND_EXCEEDS_CAPTURED' });
      expect(payment.checkRefund(2000)).toEqual({ ok: true, amount: 2000 });
      expect(payment.nextRefundSequence).toBe(1);
      payment.markRefunded(2000);
      expect(payment.status).toBe('CAPTURED');
      expect(payment.nextRefundSequence).toBe(2);
      expect(payment.checkRefund()).toEqual({ ok: true, amount: 3390 });
      payment.markRefunded(3390);
      expect(payment.status).toBe('REFUNDED');
      expect(payment.checkRefund(1)).toMatchObject({ ok: false });
    });

    it('a provider cancel of an authorized payment announces an expired authorization', () => {
      const payment = authorized();
      expect(payment.applyWebhook({ kind: 'canceled', providerPaymentRef: 'pi_1' }, at)).toEqual({
        emit: ['voided'],
      });
      expect(payment.state.voidReason).toBe('PAYMENT.AUTHORIZATION_EXPIRED');
    });
  });
});

describe('Payment waiting on the buyer, and providers that take money at once', () => {
  const later = new Date('2026-01-01T00:20:00Z');
  const qr = { type: 'qr_code' as const, qrCode: 'weixin://wxpay/bizpayurl?pr=abc' };

  function awaitingBuyer(mode: 'manual' | 'immediate'): Payment {
    const payment = ready();
    payment.startAuthorizing(mode);
    const decision = payment.applyAuthorization(
      {
        kind: 'requires-action',
        providerPaymentRef: 'trade-1',
        nextAction: qr,
        expiresAt: new Date('2026-01-01T00:15:00Z'),
      },
      at,
    );
    expect(decision).toEqual({ emit: ['action-required'] });
    return payment;
  }

  it('keeps what the buyer must do and until when, and knows once it is past', () => {
    const payment = awaitingBuyer('immediate');
    expect(payment.state).toMatchObject({ status: 'REQUIRES_ACTION', nextAction: qr });
    expect(payment.awaitsBuyer).toBe(true);
    expect(payment.isActionExpired(at)).toBe(false);
    expect(payment.isActionExpired(later)).toBe(true);
  });

  it('an action without a deadline (3-D Secure) is not announced and never expires', () => {
    const payment = ready();
    payment.startAuthorizing('manual');
    expect(payment.applyAuthorization({ kind: 'requires-action', providerPaymentRef: 'pi_1' }, at)).toEqual(
      {},
    );
    expect(payment.awaitsBuyer).toBe(false);
    expect(payment.expire(later)).toEqual({});
  });

  it('an immediate payment is captured when authorized: authorized, then captured', () => {
    const payment = awaitingBuyer('immediate');
    expect(payment.applyAuthorization({ kind: 'authorized', providerPaymentRef: 'trade-1' }, later)).toEqual({
      emit: ['authorized', 'captured'],
    });
    expect(payment.state).toMatchObject({ status: 'CAPTURED', capturedAmount: 5390, nextAction: undefined });
    // Shipment captures nothing more, and a cancellation refunds.
    expect(payment.readyToCapture).toBe(false);
    expect(payment.requestCancellation(later)).toEqual({ action: 'refund', amount: 5390 });
  });

  it('a manual one waits for the shipment, and a cancellation voids', () => {
    const payment = awaitingBuyer('manual');
    expect(payment.applyAuthorization({ kind: 'authorized', providerPaymentRef: 'trade-1' }, later)).toEqual({
      emit: ['authorized'],
    });
    expect(payment.readyToCapture).toBe(true);
    expect(payment.requestCancellation(later)).toEqual({ action: 'void' });
  });

  it('expires as failed PAYMENT.EXPIRED, once', () => {
    const payment = awaitingBuyer('immediate');
    expect(payment.expire(later)).toEqual({ emit: ['failed'], voidAtProvider: false });
    expect(payment.state).toMatchObject({ status: 'FAILED', failureReason: 'PAYMENT.EXPIRED' });
    expect(payment.expire(later)).toEqual({});
  });

  it('money that lands after the end is paid back once; a hold that does is released', () => {
    const immediate = awaitingBuyer('immediate');
    immediate.expire(later);
    const late = { kind: 'authorized' as const, providerPaymentRef: 'trade-1' };
    expect(immediate.applyAuthorization(late, later)).toEqual({ refundLatePayment: true });
    immediate.recordLatePaymentRefunded(5390);
    expect(immediate.state).toMatchObject({ status: 'FAILED', capturedAmount: 5390, refundedAmount: 5390 });
    // The same notify again: already paid back.
    expect(immediate.applyAuthorization(late, later)).toEqual({});

    const manual = awaitingBuyer('manual');
    manual.expire(later);
    expect(manual.applyAuthorization(late, later)).toEqual({ voidAtProvider: true });
  });
});
