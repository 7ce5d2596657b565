import { OrderTables1764140100000 } from './1764140100000-order-tables';

/**
 * The order service's own schema migrations, run at start after the outbox/inbox tables
 * (EVENTING_MIGRATIONS). Append new migration classes here; never edit a released one.
 */
export const ORDER_MIGRATIONS: (new () => object)[] = [OrderTables1764140100000];
