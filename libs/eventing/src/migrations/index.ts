import { EventingTables1764140000000 } from './1764140000000-eventing-tables';
import { OutboxRelayPosition1764140000002 } from './1764140000002-outbox-relay-position';
import { ConsumerAttempts1764400000000 } from './1764400000000-consumer-attempts';

/** The outbox, inbox and consumer attempts, in order; every service runs them before its own migrations. */
export const EVENTING_MIGRATIONS = [
  EventingTables1764140000000,
  OutboxRelayPosition1764140000002,
  ConsumerAttempts1764400000000,
];
