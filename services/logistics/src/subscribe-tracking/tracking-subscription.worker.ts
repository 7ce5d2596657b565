import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { CommitListener } from '@waybill/eventing';
import { BackgroundLoop } from '@waybill/platform';
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
  private readonly logger = new Logger(TrackingSubscriptionWorker.name);
  private readonly loop: BackgroundLoop;
  private readonly listener: CommitListener;

  constructor(config: LogisticsConfig, dataSource: DataSource, subscribe: SubscribeTracking) {
    this.loop = new BackgroundLoop(
      'tracking subscriptions',
      config.LOGISTICS_TRACKING_SUBSCRIBE_POLL_INTERVAL_MS,
      async (shouldContinue) => {
        while (shouldContinue() && (await subscribe.runDue(new Date())) > 0) {
          // Drain batch after batch while there is work.
        }
      },
      this.logger,
    );
    this.listener = new CommitListener({
      dataSource,
      channel: TRACKING_SUBSCRIPTION_CHANNEL,
      onNotify: () => this.loop.kick(),
    });
  }

  onApplicationBootstrap(): void {
    this.loop.start();
    this.loop.kick();
    this.listener.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.listener.stop();
    await this.loop.stop();
  }
}
