import { DomainError } from '@waybill/platform';
import { PolicyProblem } from '../domain/replenishment-policy';

const PROBLEMS: Readonly<Record<PolicyProblem, string>> = {
  NEEDS_ORDER_UP_TO_OR_REORDER_QUANTITY: 'set exactly one of orderUpTo and reorderQuantity',
  ORDER_UP_TO_NOT_ABOVE_REORDER_POINT: 'orderUpTo must be above reorderPoint',
  PACK_SIZE_ABOVE_MAX_QUANTITY: 'packSize is larger than one purchase order line may carry',
};

export class InvalidReplenishmentPolicy extends DomainError {
  constructor(sku: string, problem: PolicyProblem) {
    super(`REPLENISHMENT.${problem}`, `policy for ${sku}: ${PROBLEMS[problem]}`, { details: { sku } });
  }
}

export class UnknownPolicySupplier extends DomainError {
  constructor(sku: string, supplier: string) {
    super('REPLENISHMENT.UNKNOWN_SUPPLIER', `policy for ${sku}: no supplier ${supplier} is configured`, {
      details: { sku, supplier },
    });
  }
}

export class PolicyNotFound extends DomainError {
  constructor(sku: string) {
    super('REPLENISHMENT.NO_POLICY', `SKU ${sku} has no replenishment policy`, {
      kind: 'not-found',
      details: { sku },
    });
  }
}

export class PurchaseOrderNotFound extends DomainError {
  constructor(id: string) {
    super('REPLENISHMENT.PURCHASE_ORDER_NOT_FOUND', `purchase order ${id} does not exist`, {
      kind: 'not-found',
      details: { id },
    });
  }
}

export class PurchaseOrderNotCancellable extends DomainError {
  constructor(poNumber: string, state: string) {
    super(
      'REPLENISHMENT.PURCHASE_ORDER_NOT_CANCELLABLE',
      `${poNumber} is ${state} and can no longer be cancelled`,
      {
        kind: 'conflict',
        details: { poNumber, state },
      },
    );
  }
}
