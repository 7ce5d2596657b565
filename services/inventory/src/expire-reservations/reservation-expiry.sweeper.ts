import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { UnitsOfWork } from '@waybill/eventing';
import { InventoryConfig } from '../inventory.config';
import { BackgroundLoop } from '@waybill/platform';
import { ExpireReservations } from './expire-reservations.service';

/**
 * Runs ExpireReservations every INVENTORY_EXPIRY_SWEEP_INTERVAL_MS, batch after batch (one unit of
 * work each) until none is due. A sweep is scheduled
 * only after the previous one finished, so sweeps never overlap within an instance; across
 * instances, SKIP LOCKED keeps them apart.
 */
@Injectable()
export class ReservationExpirySweeper implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ReservationExpirySweeper.name);
  private readonly loop: BackgroundLoop;

  constructor(config: InventoryConfig, units: UnitsOfWork, expire: ExpireReservations) {
    const batchSize = config.INVENTORY_EXPIRY_BATCH_SIZE;
    this.loop = new BackgroundLoop(
      'expiry sweep',
      config.INVENTORY_EXPIRY_SWEEP_INTERVAL_MS,
      async (shouldContinue) => {
        let released = 0;
        for (;;) {
          const batch = await units.run((uow) => expire.execute(uow, { batchSize }));
          released += batch;
          if (batch < batchSize || !shouldContinue()) {
            break;
          }
        }
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
