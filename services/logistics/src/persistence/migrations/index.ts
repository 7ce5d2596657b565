/**
 * The logistics service's own schema migrations, run at start after the outbox/inbox tables
 * (EVENTING_MIGRATIONS). Append new migration classes here; never edit a released one.
 */
export const LOGISTICS_MIGRATIONS: (new () => object)[] = [];
