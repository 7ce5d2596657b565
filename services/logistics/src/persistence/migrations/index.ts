import { WEBHOOK_INBOX_MIGRATIONS } from '@waybill/eventing';
import { LogisticsTables1764220000000 } from './1764220000000-logistics-tables';
import { TrackingSubscriptions1764700000000 } from './1764700000000-tracking-subscriptions';

/**
 * The logistics service's own schema migrations, run at start after the outbox/inbox tables
 * (EVENTING_MIGRATIONS). Append new migration classes here; never edit a released one.
 */
export const LOGISTICS_MIGRATIONS: (new () => object)[] = [
  ...WEBHOOK_INBOX_MIGRATIONS,
  LogisticsTables1764220000000,
  TrackingSubscriptions1764700000000,
];
