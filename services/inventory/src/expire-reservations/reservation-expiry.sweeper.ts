import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InventoryConfig } from '../inventory.config';
import { BackgroundLoop } from '../scheduling/background-loop';
import { ExpireReservationsService } from './expire-reservations.service';

/**
 * Runs ExpireReservationsService every INVENTORY_EXPIRY_SWEEP_INTERVAL_MS. A sweep is scheduled
 * only after the previous one finished, so sweeps never overlap within an instance; across
 * instances, SKIP LOCKED keeps them apart.
 */
@Injectable()
export class ReservationExpirySweeper implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ReservationExpirySweeper.name);
  private readonly loop: BackgroundLoop;

  constructor(config: InventoryConfig, expire: ExpireReservationsService) {
    this.loop = new BackgroundLoop(
      'expiry sweep',
      config.INVENTORY_EXPIRY_SWEEP_INTERVAL_MS,
      async (shouldContinue) => {
        const released = await expire.expireDue(shouldContinue);
        if (released > 0) {
          this.logger.log(`released ${released} expired reservation(s)`);
        }
      },
      this.logger,
    );
  }

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  // Before, not on, shutdown: a sweep holds a pooled connection, and the pool closes on shutdown.
  async beforeApplicationShutdown(): Promise<void> {
    await this.loop.stop();
  }

  /** One sweep now (tests and operators); resolves when it is done. */
  sweep(): Promise<void> {
    return this.loop.runOnce();
  }
}
