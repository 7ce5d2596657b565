import { EventingTables1764140000000 } from './1764140000000-eventing-tables';
import { OutboxRelayPosition1764140000002 } from './1764140000002-outbox-relay-position';

/** The outbox and inbox, in order; every service runs them before its own migrations. */
export const EVENTING_MIGRATIONS = [EventingTables1764140000000, OutboxRelayPosition1764140000002];
