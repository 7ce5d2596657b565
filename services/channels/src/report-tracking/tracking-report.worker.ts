import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { CommitWokenLoop } from '@waybill/eventing';
import { DataSource } from 'typeorm';
import { ChannelsConfig } from '../channels.config';
import { TRACKING_REPORT_CHANNEL } from '../persistence/tracking-report.repository';
import { ReportTracking } from './report-tracking.service';

/**
 * Runs ReportTracking in the background, as inventory's purchase-order dispatcher runs its sends:
 * woken when a commit adds a report (pg_notify), and polling every
 * CHANNELS_TRACKING_POLL_INTERVAL_MS for retries that fall due with no commit to announce them.
 */
@Injectable()
export class TrackingReportWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly loop: CommitWokenLoop;

  constructor(config: ChannelsConfig, dataSource: DataSource, report: ReportTracking) {
    this.loop = new CommitWokenLoop({
      name: 'channel tracking reports',
      dataSource,
      channel: TRACKING_REPORT_CHANNEL,
      pollIntervalMs: config.CHANNELS_TRACKING_POLL_INTERVAL_MS,
      work: async (shouldContinue) => {
        const now = new Date();
        while (shouldContinue() && (await report.runDue(new Date())) > 0) {
          // Drain batch after batch while there is work.
        }
        await report.forgetOldShipments(now);
      },
      logger: new Logger(TrackingReportWorker.name),
    });
  }

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.loop.stop();
  }
}
