import { DomainError } from '@waybill/platform';
import type { OrderStatus } from './domain/order-status';

export function orderLinks(orderId: string): { self: string; cancel: string } {
  return { self: `/v1/orders/${orderId}`, cancel: `/v1/orders/${orderId}/cancel` };
}

/** Also what another storefront's order looks like: its existence is not disclosed. */
export class OrderNotFound extends DomainError {
  constructor(orderId: string) {
    super('ORDER.NOT_FOUND', `order ${orderId} does not exist`, { kind: 'not-found', details: { orderId } });
  }
}

export class DuplicateStorefrontOrder extends DomainError {
  constructor(
    readonly existingOrderId: string,
    storefrontOrderId: string,
  ) {
    super(
      'ORDER.DUPLICATE_STOREFRONT_ORDER_ID',
      `storefront order ${storefrontOrderId} was already placed as order ${existingOrderId}`,
      {
        kind: 'conflict',
        details: {
          orderId: existingOrderId,
          storefrontOrderId,
          links: { self: orderLinks(existingOrderId).self },
        },
      },
    );
  }
}

export class OrderNotCancellable extends DomainError {
  constructor(
    orderId: string,
    readonly status: OrderStatus,
  ) {
    super('ORDER.NOT_CANCELLABLE', `order ${orderId} is ${status} and can no longer be cancelled`, {
      kind: 'conflict',
      details: { orderId, status },
    });
  }
}

/** A contract-valid order that breaks a business rule (amounts that overflow, …). */
export class InvalidOrder extends DomainError {
  constructor(code: string, field: string, message: string) {
    super(code, message, { kind: 'rule-violation', details: { fields: [{ field, messages: [message] }] } });
  }
}

export class StorefrontsOnly extends DomainError {
  constructor(principal: string) {
    super('ORDER.STOREFRONT_ONLY', `${principal} is not a storefront: only storefronts place orders`, {
      kind: 'forbidden',
    });
  }
}

export class OrdersNotVisible extends DomainError {
  constructor(principal: string) {
    super('ORDER.ACCESS_DENIED', `${principal} may not read or change orders`, { kind: 'forbidden' });
  }
}
