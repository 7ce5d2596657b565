import { WEBHOOK_INBOX_MIGRATIONS } from '@waybill/eventing';
import { ChannelConnections1764900000000 } from './1764900000000-channel-connections';
import { ChannelOrders1765000000000 } from './1765000000000-channel-orders';

/**
 * The channels service's own schema migrations, run at start after the outbox/inbox tables
 * (EVENTING_MIGRATIONS). The webhook inbox is there from the start because platform webhooks come
 * in through the one webhook ingress. Append new migration classes here; never edit a released one.
 */
export const CHANNELS_MIGRATIONS: (new () => object)[] = [
  ...WEBHOOK_INBOX_MIGRATIONS,
  ChannelConnections1764900000000,
  ChannelOrders1765000000000,
];
