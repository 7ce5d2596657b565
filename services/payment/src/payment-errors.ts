import { DomainError } from '@waybill/platform';

export class PaymentNotFound extends DomainError {
  constructor(orderId: string) {
    super('PAYMENT.NOT_FOUND', `no payment for order ${orderId}`, {
      kind: 'not-found',
      details: { orderId },
    });
  }
}
