import { WEBHOOK_INBOX_MIGRATIONS } from '@waybill/eventing';
import { StockAndReservations1764150000000 } from './1764150000000-stock-and-reservations';
import { Replenishment1764160000000 } from './1764160000000-replenishment';
import { SupplierMessagesToWebhookInbox1764500000000 } from './1764500000000-supplier-messages-to-webhook-inbox';

/**
 * The inventory service's own schema migrations, run at start after the outbox/inbox tables
 * (EVENTING_MIGRATIONS). Append new migration classes here; never edit a released one.
 */
export const INVENTORY_MIGRATIONS: (new () => object)[] = [
  StockAndReservations1764150000000,
  Replenishment1764160000000,
  ...WEBHOOK_INBOX_MIGRATIONS,
  SupplierMessagesToWebhookInbox1764500000000,
];
