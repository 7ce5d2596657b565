import { OrderTables1764140100000 } from './1764140100000-order-tables';
import { OrdersAwaitingPayment1764800000000 } from './1764800000000-orders-awaiting-payment';

/**
 * The order service's own schema migrations, run at start after the outbox/inbox tables
 * (EVENTING_MIGRATIONS). Append new migration classes here; never edit a released one.
 */
export const ORDER_MIGRATIONS: (new () => object)[] = [
  OrderTables1764140100000,
  OrdersAwaitingPayment1764800000000,
];
