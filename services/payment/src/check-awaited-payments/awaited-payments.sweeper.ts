import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { UnitsOfWork } from '@waybill/eventing';
import { BackgroundLoop } from '@waybill/platform';
import { PaymentConfig } from '../payment.config';
import { CheckAwaitedPayments } from './check-awaited-payments.service';

/**
 * Runs CheckAwaitedPayments every PAYMENT_ACTION_SWEEP_INTERVAL_MS, batch after batch (one unit
 * of work each, as a provider call is made per payment under its lock) until none is due; across
 * instances, SKIP LOCKED keeps sweeps apart.
 */
@Injectable()
export class AwaitedPaymentsSweeper implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(AwaitedPaymentsSweeper.name);
  private readonly loop: BackgroundLoop;

  constructor(config: PaymentConfig, units: UnitsOfWork, check: CheckAwaitedPayments) {
    const batchSize = config.PAYMENT_ACTION_SWEEP_BATCH_SIZE;
    const queryEverySeconds = config.PAYMENT_ACTION_QUERY_INTERVAL_SECONDS;
    this.loop = new BackgroundLoop(
      'awaited payments sweep',
      config.PAYMENT_ACTION_SWEEP_INTERVAL_MS,
      async (shouldContinue) => {
        for (;;) {
          const now = new Date();
          const batch = await units.run((uow) => check.execute(uow, { now, queryEverySeconds, batchSize }));
          if (batch.recovered + batch.expired > 0) {
            this.logger.log(`awaited payments: ${batch.recovered} found paid, ${batch.expired} expired`);
          }
          // A full batch that settled nothing (closes failing) is tried again next sweep, not now.
          const settled = batch.recovered + batch.expired + batch.failed;
          if (batch.checked < batchSize || settled === 0 || !shouldContinue()) {
            break;
          }
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
