import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { CommitWokenLoop } from '@waybill/eventing';
import { DataSource } from 'typeorm';
import { LogisticsConfig } from '../logistics.config';
import { TRACKING_SUBSCRIPTION_CHANNEL } from '../persistence/tracking-subscription.repository';
import { SubscribeTracking } from './subscribe-tracking.service';

/**
 * Runs SubscribeTracking in the background, as inventory's purchase-order dispatcher runs its
 * sends: woken when a booking that added a subscription commits (pg_notify), and polling every
 * LOGISTICS_TRACKING_SUBSCRIBE_POLL_INTERVAL_MS for retries and re-subscriptions that fall due
 * (an abort's 30 minutes pass without any commit to announce them).
 */
@Injectable()
export class TrackingSubscriptionWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly loop: CommitWokenLoop;

  constructor(config: LogisticsConfig, dataSource: DataSource, subscribe: SubscribeTracking) {
    this.loop = new CommitWokenLoop({
      name: 'tracking subscriptions',
      dataSource,
      channel: TRACKING_SUBSCRIPTION_CHANNEL,
      pollIntervalMs: config.LOGISTICS_TRACKING_SUBSCRIBE_POLL_INTERVAL_MS,
      work: async (shouldContinue) => {
        while (shouldContinue() && (await subscribe.runDue(new Date())) > 0) {
          // Drain batch after batch while there is work.
        }
      },
      logger: new Logger(TrackingSubscriptionWorker.name),
    });
  }

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.loop.stop();
  }
}
