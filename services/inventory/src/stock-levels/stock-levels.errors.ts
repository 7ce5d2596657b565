import { DomainError } from '@waybill/platform';

export class StockNotFound extends DomainError {
  constructor(sku: string) {
    super('INVENTORY.UNKNOWN_SKU', `SKU ${sku} is not stocked`, { kind: 'not-found', details: { sku } });
  }
}

export class OnHandBelowReserved extends DomainError {
  constructor(sku: string, onHand: number, reserved: number) {
    super(
      'INVENTORY.ON_HAND_BELOW_RESERVED',
      `onHand ${onHand} for SKU ${sku} is below the ${reserved} unit(s) reserved for orders`,
      { kind: 'conflict', details: { sku, onHand, reserved } },
    );
  }
}
