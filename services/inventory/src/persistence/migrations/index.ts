import { StockAndReservations1764150000000 } from './1764150000000-stock-and-reservations';
import { Replenishment1764160000000 } from './1764160000000-replenishment';

/**
 * The inventory service's own schema migrations, run at start after the outbox/inbox tables
 * (EVENTING_MIGRATIONS). Append new migration classes here; never edit a released one.
 */
export const INVENTORY_MIGRATIONS: (new () => object)[] = [
  StockAndReservations1764150000000,
  Replenishment1764160000000,
];
