import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { databaseCountGauge } from '@waybill/eventing';
import { Metrics } from '@waybill/platform';
import { CHANNEL_KINDS } from './domain/connection';

/** Connections by platform: a dashboard's first question is which stores feed orders in at all. */
@Injectable()
export class ChannelsMetrics {
  constructor(metrics: Metrics, dataSource: DataSource) {
    databaseCountGauge(metrics, dataSource, {
      name: 'waybill_channel_connections',
      help: 'Channel connections by platform',
      labelName: 'channel',
      labels: CHANNEL_KINDS,
      sql: `SELECT channel AS label, count(*) AS count FROM channel_connections GROUP BY channel`,
    });
    // The orders that wait for an operator (an unmapped SKU, totals that do not add up), by platform.
    databaseCountGauge(metrics, dataSource, {
      name: 'waybill_channel_orders_held',
      help: 'Channel orders held until their mapping is fixed and they are released',
      labelName: 'channel',
      labels: CHANNEL_KINDS,
      sql: `SELECT channel AS label, count(*) AS count FROM channel_orders WHERE status = 'held' GROUP BY channel`,
    });
    // Parcels not yet told to their platform (an outage retries them) and those it refused for good.
    databaseCountGauge(metrics, dataSource, {
      name: 'waybill_channel_tracking_reports',
      help: 'Tracking reports to storefront platforms by status: pending (retried with backoff) or failed (refused for good)',
      labelName: 'status',
      labels: ['pending', 'failed'],
      sql: `SELECT status AS label, count(*) AS count FROM channel_tracking_reports
             WHERE status IN ('pending', 'failed') GROUP BY status`,
    });
  }
}
