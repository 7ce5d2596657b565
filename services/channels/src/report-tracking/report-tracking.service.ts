import { Injectable, Logger } from '@nestjs/common';
import { backoffMs } from '@waybill/eventing';
import { DataSource } from 'typeorm';
import { ChannelsConfig } from '../channels.config';
import { ConnectionQueries } from '../policies/connection-queries';
import { LeasedTrackingReport, TrackingReportRepository } from '../persistence/tracking-report.repository';
import type { TrackingReportOutcome } from '../platforms/storefront-api';
import { StorefrontApis } from '../platforms/storefront-apis';

const BATCH = 10;
const SHIPMENT_MEMORY_MS = 7 * 86_400_000;

/**
 * Tells the platforms about the parcels of their orders, one call per report, outside any
 * transaction (the lease commits first). `reported` is done (the adapters make a repeat a no-op,
 * so a lease that ran out after a call that did land reports nothing twice); `failed` stops with
 * the reason for operators (bad credentials, an order the platform no longer has); `retry` — an
 * outage, a timeout, 429 — waits with capped exponential backoff for as long as it lasts, so a
 * platform outage delays the update and never loses it. Not through our own events: a consumer's
 * retries end in the DLQ, and Shopify being down for an hour must not lose a tracking number.
 */
@Injectable()
export class ReportTracking {
  private readonly logger = new Logger('ChannelTrackingReports');

  constructor(
    private readonly config: ChannelsConfig,
    private readonly dataSource: DataSource,
    private readonly reports: TrackingReportRepository,
    private readonly connections: ConnectionQueries,
    private readonly apis: StorefrontApis,
  ) {}

  /** One batch of what is due at `now`; how many were attempted (0: nothing is due). */
  async runDue(now: Date): Promise<number> {
    // A report may take two calls (Shopify reads the order, then fulfils): the lease outlasts both.
    const leaseMs = this.config.CHANNELS_PLATFORM_TIMEOUT_MS * 3 + 5000;
    const due = await this.dataSource.transaction((manager) =>
      this.reports.leaseDue(manager, now, BATCH, leaseMs),
    );
    await Promise.all(due.map((report) => this.attempt(report, now)));
    return due.length;
  }

  async forgetOldShipments(now: Date): Promise<void> {
    await this.reports.forgetShipmentsBefore(this.dataSource, new Date(now.getTime() - SHIPMENT_MEMORY_MS));
  }

  private async attempt(report: LeasedTrackingReport, now: Date): Promise<void> {
    const outcome = await this.call(report);
    const what = `${report.connectionId} order ${report.externalOrderId}: ${report.carrier} ${report.trackingNumber}`;
    switch (outcome.status) {
      case 'reported':
        this.logger.log(`${what} reported (attempt ${report.attempts})`);
        await this.reports.settle(this.dataSource, report, now, {
          status: 'reported',
          ...(outcome.platformRef !== undefined && { platformRef: outcome.platformRef }),
        });
        return;
      case 'failed':
        this.logger.error(`${what} refused for good: ${outcome.reason}`);
        await this.reports.settle(this.dataSource, report, now, { status: 'failed', error: outcome.reason });
        return;
      case 'retry': {
        const delay = backoffMs(
          {
            maxAttempts: Number.POSITIVE_INFINITY,
            initialBackoffMs: this.config.CHANNELS_TRACKING_INITIAL_BACKOFF_MS,
            maxBackoffMs: this.config.CHANNELS_TRACKING_MAX_BACKOFF_MS,
          },
          report.attempts,
        );
        this.logger.warn(
          `${what}: attempt ${report.attempts} failed (${outcome.reason}); next in ${delay} ms`,
        );
        await this.reports.settle(this.dataSource, report, now, {
          status: 'pending',
          error: outcome.reason,
          retryAt: new Date(now.getTime() + delay),
        });
        return;
      }
    }
  }

  private async call(report: LeasedTrackingReport): Promise<TrackingReportOutcome> {
    try {
      const { connection, secrets } = await this.connections.withSecrets(report.connectionId);
      return await this.apis.of(connection.channel).reportTracking(
        { connection, secrets, timeoutMs: this.config.CHANNELS_PLATFORM_TIMEOUT_MS },
        {
          externalOrderId: report.externalOrderId,
          carrier: report.carrier,
          trackingNumber: report.trackingNumber,
          ...(report.trackingUrl !== null && { trackingUrl: report.trackingUrl }),
          shippedAt: report.shippedAt.toISOString(),
          ...(report.previousPlatformRef !== null && { platformRef: report.previousPlatformRef }),
        },
      );
    } catch (error) {
      // A bug or the database: retried like an outage, with the reason kept for operators.
      return { status: 'retry', reason: error instanceof Error ? error.message : String(error) };
    }
  }
}
