import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { CommitWokenLoop } from '@waybill/eventing';
import { DataSource } from 'typeorm';
import { ChannelsConfig } from '../channels.config';
import { POLL_CHANNEL } from '../persistence/poll-state.repository';
import { ReconcileOrders } from './reconcile-orders.service';

/** Checks for due polls every few seconds (each connection is due every CHANNELS_POLL_INTERVAL_MS), or at once when an operator asks. */
@Injectable()
export class ReconcileOrdersWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly loop: CommitWokenLoop;

  constructor(
    private readonly config: ChannelsConfig,
    dataSource: DataSource,
    reconcile: ReconcileOrders,
  ) {
    this.loop = new CommitWokenLoop({
      name: 'channel reconciliation poller',
      dataSource,
      channel: POLL_CHANNEL,
      pollIntervalMs: Math.min(config.CHANNELS_POLL_INTERVAL_MS, 5_000),
      work: async (shouldContinue) => {
        while (shouldContinue() && (await reconcile.runDue(new Date())) > 0) {
          // Poll batch after batch while connections are due.
        }
      },
      logger: new Logger(ReconcileOrdersWorker.name),
    });
  }

  onApplicationBootstrap(): void {
    if (this.config.CHANNELS_POLL_ENABLED) {
      this.loop.start();
    }
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.loop.stop();
  }
}
