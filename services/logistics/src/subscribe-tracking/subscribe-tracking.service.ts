import { Injectable, Logger } from '@nestjs/common';
import { backoffMs } from '@waybill/eventing';
import { DataSource } from 'typeorm';
import type { SubscribeTrackingOutcome } from '../carriers/carrier';
import { CarrierRegistry } from '../carriers/carrier-registry';
import { LogisticsConfig } from '../logistics.config';
import {
  TrackingSubscription,
  TrackingSubscriptionRepository,
} from '../persistence/tracking-subscription.repository';

const BATCH = 10;

/**
 * Subscribes the tracking subscriptions that are due with their aggregator (Kuaidi100), one call
 * each, outside any transaction (see leaseDue). Subscribed (Kuaidi100 200, or 501 "already
 * subscribed") is done; a refusal (600 bad key, 700 bad number or carrier …) fails for good with
 * the reason kept for operators; anything else is an outage, retried with capped exponential
 * backoff for as long as it lasts. Why not retry through our own events: the consumer's retries
 * are bounded and end in the DLQ, and Kuaidi100 being down for an hour must not lose a parcel.
 */
@Injectable()
export class SubscribeTracking {
  private readonly logger = new Logger(SubscribeTracking.name);

  constructor(
    private readonly config: LogisticsConfig,
    private readonly dataSource: DataSource,
    private readonly carriers: CarrierRegistry,
    private readonly subscriptions: TrackingSubscriptionRepository,
  ) {}

  /** One batch of what is due at `now`; how many were attempted (0: nothing is due). */
  async runDue(now: Date): Promise<number> {
    // The lease outlasts a call's timeout, so a slow call is not leased again meanwhile.
    const leaseMs = this.config.LOGISTICS_CARRIER_TIMEOUT_MS * 2 + 5000;
    const due = await this.dataSource.transaction((manager) =>
      this.subscriptions.leaseDue(manager, now, BATCH, leaseMs),
    );
    await Promise.all(due.map((subscription) => this.attempt(subscription, now)));
    return due.length;
  }

  private async attempt(subscription: TrackingSubscription, now: Date): Promise<void> {
    const outcome = await this.call(subscription);
    const what = `${subscription.provider} subscription of ${subscription.company} ${subscription.trackingNumber}`;
    await this.dataSource.transaction(async (manager) => {
      switch (outcome.kind) {
        case 'subscribed':
          await this.subscriptions.settle(manager, subscription, now, { status: 'subscribed' });
          return;
        case 'refused':
          this.logger.error(`${what} refused for good: ${outcome.code} ${outcome.message}`);
          await this.subscriptions.settle(manager, subscription, now, {
            status: 'failed',
            error: `${outcome.code}: ${outcome.message}`,
          });
          return;
        case 'unavailable': {
          const delay = backoffMs(
            {
              maxAttempts: Number.POSITIVE_INFINITY,
              initialBackoffMs: this.config.LOGISTICS_TRACKING_SUBSCRIBE_INITIAL_BACKOFF_MS,
              maxBackoffMs: this.config.LOGISTICS_TRACKING_SUBSCRIBE_MAX_BACKOFF_MS,
            },
            subscription.attempts,
          );
          this.logger.warn(
            `${what}: attempt ${subscription.attempts} failed (${outcome.message}); next in ${delay} ms`,
          );
          await this.subscriptions.settle(manager, subscription, now, {
            status: 'pending',
            error: outcome.message,
            retryAt: new Date(now.getTime() + delay),
          });
          return;
        }
      }
    });
  }

  private async call(subscription: TrackingSubscription): Promise<SubscribeTrackingOutcome> {
    const carrier = this.carriers.get(subscription.provider);
    if (!carrier?.subscribe) {
      // Configuration can come back (a redeploy with the Kuaidi100 group set): retried, not failed.
      return { kind: 'unavailable', message: `${subscription.provider} is not configured to subscribe` };
    }
    try {
      return await carrier.subscribe({
        company: subscription.company,
        trackingNumber: subscription.trackingNumber,
        phone: subscription.phone,
      });
    } catch (error) {
      return { kind: 'unavailable', message: (error as Error).message };
    }
  }
}
