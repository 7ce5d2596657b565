import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { databaseCountGauge } from '@waybill/eventing';
import { Metrics } from '@waybill/platform';
import { ORDER_STATUSES } from './domain/order-status';

/** Orders by status, for dashboards and alerts (e.g. PENDING piling up means the saga is stuck). */
@Injectable()
export class OrderMetrics {
  constructor(metrics: Metrics, dataSource: DataSource) {
    databaseCountGauge(metrics, dataSource, {
      name: 'waybill_orders',
      help: 'Orders by status',
      labelName: 'status',
      labels: ORDER_STATUSES,
      sql: `SELECT status AS label, count(*) AS count FROM orders GROUP BY status`,
    });
  }
}
