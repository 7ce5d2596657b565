import { DomainError, Principal } from '@waybill/platform';
import type { Shipment } from '../persistence/shipment.repository';

/** Who reads: an operator sees every shipment, a storefront only those of its own orders. */
export type ShipmentReader =
  { readonly kind: 'admin' } | { readonly kind: 'storefront'; readonly storefrontId: string };

export function readerOf(principal: Principal): ShipmentReader {
  if (principal.kind === 'admin') {
    return { kind: 'admin' };
  }
  if (principal.kind === 'storefront') {
    return { kind: 'storefront', storefrontId: principal.id };
  }
  throw new DomainError('LOGISTICS.SHIPMENTS_NOT_VISIBLE', `${principal.principal} may not read shipments`, {
    kind: 'forbidden',
  });
}

export function mayRead(reader: ShipmentReader, shipment: Shipment): boolean {
  return reader.kind === 'admin' || reader.storefrontId === shipment.storefrontId;
}
