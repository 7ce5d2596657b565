import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { OrderConfig } from '../order.config';
import { IdempotencyKeyRepository } from '../persistence/idempotency-key.repository';

/** Deletes expired Idempotency-Keys now and then; an expired key is already ignored when claiming. */
@Injectable()
export class IdempotencyKeyPurge implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('IdempotencyKeyPurge');
  private timer?: NodeJS.Timeout;
  private running?: Promise<number>;

  constructor(
    private readonly keys: IdempotencyKeyRepository,
    private readonly config: OrderConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.running ??= this.purge().finally(() => (this.running = undefined));
    }, this.config.ORDER_IDEMPOTENCY_PURGE_INTERVAL_SECONDS * 1000);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  async purge(): Promise<number> {
    try {
      const purged = await this.keys.purgeExpired();
      if (purged > 0) this.logger.log(`purged ${purged} expired idempotency keys`);
      return purged;
    } catch (error) {
      this.logger.warn(`purging expired idempotency keys failed: ${(error as Error).message}`);
      return 0;
    }
  }
}
