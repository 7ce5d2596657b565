import type { ShipmentStatus } from '@waybill/contracts';

/**
 * One tracking event in Waybill's vocabulary, as a carrier adapter reads it from a webhook. The
 * carrier's own code travels with it, so support can see what was said and a remapped status can
 * be replayed.
 */
export interface TrackingUpdate {
  readonly trackingNumber: string;
  /** The carrier's own code as received, e.g. `Exception/Exception_011` or `in_transit`. */
  readonly carrierStatus: string;
  readonly status: ShipmentStatus;
  /** False when the carrier's code is in no mapping table: kept as `unknown`, flagged and counted. */
  readonly mapped: boolean;
  /** When it happened at the carrier (RFC 3339). */
  readonly occurredAt: string;
  readonly location?: string;
  readonly message?: string;
  /**
   * Our shipment id, where the carrier echoes the id we booked under (SF's `orderid`). It matches
   * the shipment before the tracking number does, which may be another of the booking's waybills
   * (a child, sign-back or return number).
   */
  readonly shipmentId?: string;
}

/** One row of a carrier's documented mapping table. */
export interface StatusMapping {
  /** The carrier's code; a more specific one (e.g. an AfterShip subtag) wins over a general one. */
  readonly carrierStatus: string;
  readonly status: ShipmentStatus;
  /** Why, where the mapping is not obvious. */
  readonly note?: string;
}

/** What mapCarrierStatus finds for a carrier's code. */
export interface CarrierStatusMatch {
  readonly status: ShipmentStatus;
  readonly mapped: boolean;
}

/**
 * The canonical status for the most specific of `codes` (most specific first) that the table
 * knows. What no row knows is `unknown` and unmapped: never an exception.
 */
export function mapCarrierStatus(
  table: readonly StatusMapping[],
  codes: readonly (string | undefined)[],
): CarrierStatusMatch {
  for (const code of codes) {
    if (code === undefined) {
      continue;
    }
    const row = table.find((entry) => entry.carrierStatus === code);
    if (row) {
      return { status: row.status, mapped: true };
    }
  }
  return { status: 'unknown', mapped: false };
}
