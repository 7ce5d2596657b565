/** The order's lifecycle. Only forward moves exist; REJECTED, CANCELLED and DELIVERED are final. */
export const ORDER_STATUSES = [
  'PENDING',
  'RESERVED',
  /** The buyer must act (scan a QR code, follow a redirect) before the payment goes through. */
  'AWAITING_PAYMENT',
  'CONFIRMED',
  'SHIPPED',
  'DELIVERED',
  'REJECTED',
  'CANCELLED',
] as const;

export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** The states a customer or operator may still cancel from: nothing has left the warehouse. */
export const CANCELLABLE_STATUSES: readonly OrderStatus[] = [
  'PENDING',
  'RESERVED',
  'AWAITING_PAYMENT',
  'CONFIRMED',
];

export const FINAL_STATUSES: readonly OrderStatus[] = ['DELIVERED', 'REJECTED', 'CANCELLED'];
