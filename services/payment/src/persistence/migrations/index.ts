import { IDEMPOTENCY_MIGRATIONS, WEBHOOK_INBOX_MIGRATIONS } from '@waybill/eventing';
import { PaymentTables1764150000000 } from './1764150000000-payment-tables';
import { WebhookReceiptsToInbox1764210000000 } from './1764210000000-webhook-receipts-to-inbox';
import { PaymentsAwaitingBuyer1764800000000 } from './1764800000000-payments-awaiting-buyer';

/**
 * The payment service's own schema migrations, run at start after the outbox/inbox tables
 * (EVENTING_MIGRATIONS). Append new migration classes here; never edit a released one.
 */
export const PAYMENT_MIGRATIONS: (new () => object)[] = [
  PaymentTables1764150000000,
  ...WEBHOOK_INBOX_MIGRATIONS,
  WebhookReceiptsToInbox1764210000000,
  ...IDEMPOTENCY_MIGRATIONS,
  PaymentsAwaitingBuyer1764800000000,
];
