/** The canonical statuses every carrier adapter maps its carrier's codes to; what it cannot map is `unknown`. */
export const SHIPMENT_STATUSES = [
  'label_created',
  'in_transit',
  'out_for_delivery',
  'delivery_attempt_failed',
  'available_for_pickup',
  'delivered',
  'exception',
  'returned',
  'cancelled',
  'unknown',
] as const;

export type ShipmentStatus = (typeof SHIPMENT_STATUSES)[number];
