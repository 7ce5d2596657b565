import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { IdempotencyKeyStore } from './idempotency-key.store';
import { IDEMPOTENCY_POLICY, IdempotencyPolicy } from './idempotency-policy';

/** Deletes expired Idempotency-Keys now and then; an expired key is already ignored when claiming. */
@Injectable()
export class IdempotencyKeyPurge implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('IdempotencyKeyPurge');
  private timer?: NodeJS.Timeout;
  private running?: Promise<number>;

  constructor(
    private readonly keys: IdempotencyKeyStore,
    @Inject(IDEMPOTENCY_POLICY) private readonly policy: IdempotencyPolicy,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.running ??= this.purge().finally(() => (this.running = undefined));
    }, this.policy.purgeIntervalSeconds * 1000);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  async purge(): Promise<number> {
    try {
      const purged = await this.keys.purgeExpired();
      if (purged > 0) {
        this.logger.log(`purged ${purged} expired idempotency keys`);
      }
      return purged;
    } catch (error) {
      this.logger.warn(`purging expired idempotency keys failed: ${(error as Error).message}`);
      return 0;
    }
  }
}
