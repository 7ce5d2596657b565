import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { SHIPMENT_STATUSES } from '@waybill/contracts';
import { databaseCountGauge } from '@waybill/eventing';
import { Metrics } from '@waybill/platform';

/**
 * Shipments by status (parcels piling up in `exception` or `label_created` want a look) and carrier
 * codes no mapping knows, by carrier — the codes themselves are in GET /v1/carriers/unmapped-statuses,
 * kept out of labels because a carrier can invent any number of them.
 */
@Injectable()
export class LogisticsMetrics {
  private readonly unmapped;

  constructor(metrics: Metrics, dataSource: DataSource) {
    databaseCountGauge(metrics, dataSource, {
      name: 'waybill_shipments',
      help: 'Shipments by canonical status',
      labelName: 'status',
      labels: SHIPMENT_STATUSES.filter((status) => status !== 'unknown'),
      sql: `SELECT status AS label, count(*) AS count FROM shipments GROUP BY status`,
    });
    // Subscriptions piling up in `pending` mean Kuaidi100 is down; any in `failed` want an operator.
    databaseCountGauge(metrics, dataSource, {
      name: 'waybill_tracking_subscriptions',
      help: 'Tracking subscriptions with an aggregator (Kuaidi100) by status',
      labelName: 'status',
      labels: ['pending', 'subscribed', 'failed'],
      sql: `SELECT status AS label, count(*) AS count FROM tracking_subscriptions GROUP BY status`,
    });
    this.unmapped = metrics.counter({
      name: 'waybill_carrier_unmapped_statuses_total',
      help: 'Tracking updates whose carrier status no mapping table knows (kept as unknown), by carrier',
      labelNames: ['carrier'] as const,
    });
  }

  unmappedStatus(carrier: string): void {
    this.unmapped.inc({ carrier });
  }
}
