import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { UnitsOfWork } from '@waybill/eventing';
import { InventoryConfig } from '../inventory.config';
import { BackgroundLoop } from '@waybill/platform';
import { RunReplenishment } from './replenishment.service';

/**
 * Every INVENTORY_REPLENISHMENT_SWEEP_INTERVAL_MS, checks every SKU with a policy against its
 * reorder point: the safety net for positions no trigger saw (a policy changed, an order refused,
 * stock changed outside the service). One transaction per SKU, so one SKU's lock never holds up
 * the others.
 */
@Injectable()
export class ReplenishmentSweeper implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ReplenishmentSweeper.name);
  private readonly loop: BackgroundLoop;

  constructor(config: InventoryConfig, units: UnitsOfWork, replenishment: RunReplenishment) {
    this.loop = new BackgroundLoop(
      'replenishment sweep',
      config.INVENTORY_REPLENISHMENT_SWEEP_INTERVAL_MS,
      async (shouldContinue) => {
        let raised = 0;
        for (const sku of await replenishment.dueSkus()) {
          if (!shouldContinue()) {
            break;
          }
          const run = await units.run((uow) =>
            replenishment.execute(uow, { skus: [sku], trigger: 'scheduled_sweep' }),
          );
          raised += run.raised.length;
        }
        if (raised > 0) {
          this.logger.log(`the sweep raised ${raised} purchase order(s)`);
        }
      },
      this.logger,
    );
  }

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.loop.stop();
  }
}
