/**
 * The pg_notify channel on which a transaction that opens a purchase order wakes the dispatcher,
 * at its commit. A file of its own so the planner need not import the dispatcher (whose suppliers
 * book receipts through the planner).
 */
export const PURCHASE_ORDER_DISPATCH_CHANNEL = 'waybill_purchase_order_dispatch';
