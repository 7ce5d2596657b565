import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { databaseCountGauge } from '@waybill/eventing';
import { Metrics } from '@waybill/platform';
import { PURCHASE_ORDER_STATES } from './domain/purchase-order';

/** Purchase orders by state: open ones piling up (SENT never acknowledged) want a look. */
@Injectable()
export class InventoryMetrics {
  constructor(metrics: Metrics, dataSource: DataSource) {
    databaseCountGauge(metrics, dataSource, {
      name: 'waybill_purchase_orders',
      help: 'Purchase orders by state',
      labelName: 'state',
      labels: PURCHASE_ORDER_STATES,
      sql: `SELECT state AS label, count(*) AS count FROM purchase_orders GROUP BY state`,
    });
  }
}
