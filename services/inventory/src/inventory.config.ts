import { EnvInt } from '@waybill/platform';
import { EventDrivenServiceConfig } from '@waybill/eventing';

export class InventoryConfig extends EventDrivenServiceConfig {
  override PORT = 3002;

  /** How long a reservation waits for its payment (order.confirmed) before it is released. */
  @EnvInt({ min: 1, max: 7 * 24 * 3600 })
  INVENTORY_RESERVATION_TTL_SECONDS = 900;

  /** How often the sweeper looks for expired reservations. */
  @EnvInt({ min: 10, max: 3_600_000 })
  INVENTORY_EXPIRY_SWEEP_INTERVAL_MS = 5000;

  /** Reservations released per sweeper transaction; a sweep runs batches until none is left. */
  @EnvInt({ min: 1, max: 10_000 })
  INVENTORY_EXPIRY_BATCH_SIZE = 100;
}
