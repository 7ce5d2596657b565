import { DomainError } from '@waybill/platform';
import { PurchaseOrderState } from '../domain/purchase-order';

export class UnknownSupplier extends DomainError {
  constructor(supplier: string) {
    super('SUPPLIER.UNKNOWN', `no supplier ${supplier} is configured`, {
      kind: 'not-found',
      details: { supplier },
    });
  }
}

export class UnknownPurchaseOrder extends DomainError {
  constructor(supplier: string, poNumber: string) {
    super(
      'SUPPLIER_WEBHOOK.UNKNOWN_PURCHASE_ORDER',
      `supplier ${supplier} has no purchase order ${poNumber}`,
      {
        kind: 'rule-violation',
        details: { supplier, poNumber },
      },
    );
  }
}

export class OverReceipt extends DomainError {
  constructor(
    poNumber: string,
    lines: readonly { sku: string; ordered: number; received: number; delivered: number }[],
  ) {
    const [first] = lines;
    super(
      'SUPPLIER_WEBHOOK.OVER_RECEIPT',
      `${poNumber}: receiving ${first.delivered} x ${first.sku} would make ${first.received + first.delivered} ` +
        `of ${first.ordered} ordered; nothing was booked`,
      { kind: 'rule-violation', details: { poNumber, lines } },
    );
  }
}

export class UnknownReceiptLine extends DomainError {
  constructor(poNumber: string, skus: readonly string[]) {
    super(
      'SUPPLIER_WEBHOOK.UNKNOWN_LINE',
      `${poNumber} has no line for ${skus.join(', ')}; nothing was booked`,
      {
        kind: 'rule-violation',
        details: { poNumber, skus },
      },
    );
  }
}

export class PurchaseOrderClosed extends DomainError {
  constructor(poNumber: string, state: PurchaseOrderState) {
    super(
      'SUPPLIER_WEBHOOK.PURCHASE_ORDER_CLOSED',
      `${poNumber} is ${state}; nothing more can be received on it`,
      {
        kind: 'conflict',
        details: { poNumber, state },
      },
    );
  }
}

export class ReceiptAlreadyBooked extends DomainError {
  constructor(poNumber: string, receiptRef: string) {
    super('SUPPLIER_WEBHOOK.RECEIPT_ALREADY_BOOKED', `${poNumber}: receipt ${receiptRef} was booked before`, {
      kind: 'conflict',
      details: { poNumber, receiptRef },
    });
  }
}
