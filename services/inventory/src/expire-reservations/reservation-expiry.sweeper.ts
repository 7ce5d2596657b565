import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InventoryConfig } from '../inventory.config';
import { ExpireReservationsService } from './expire-reservations.service';

/**
 * Runs ExpireReservationsService every INVENTORY_EXPIRY_SWEEP_INTERVAL_MS. A sweep is scheduled
 * only after the previous one finished, so sweeps never overlap within an instance; across
 * instances, SKIP LOCKED keeps them apart.
 */
@Injectable()
export class ReservationExpirySweeper implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ReservationExpirySweeper.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = true;

  constructor(
    private readonly config: InventoryConfig,
    private readonly expire: ExpireReservationsService,
  ) {}

  onApplicationBootstrap(): void {
    this.stopped = false;
    this.schedule();
  }

  // Before, not on, shutdown: a sweep holds a pooled connection, and the pool closes on shutdown.
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** One sweep now (tests and operators); resolves when it is done. */
  async sweep(): Promise<void> {
    try {
      const released = await this.expire.expireDue(() => !this.stopped);
      if (released > 0) this.logger.log(`released ${released} expired reservation(s)`);
    } catch (error) {
      this.logger.error(`expiry sweep failed: ${(error as Error).message}`);
    }
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.sweep().finally(() => {
        this.running = undefined;
        this.schedule();
      });
    }, this.config.INVENTORY_EXPIRY_SWEEP_INTERVAL_MS);
  }
}
