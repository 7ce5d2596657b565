/**
 * The numbers `npm start` shows while it runs and sums up at the end, read where they are true:
 * orders and purchase orders from the services' databases, the outbox backlog from all four,
 * dead letters from the DLQ topics on Kafka (they are nowhere else), and events produced from the
 * services' `/metrics` (the relay's counter; only for the live rate).
 */
import { Admin, Kafka, logLevel } from 'kafkajs';
import { Pool } from 'pg';
import { dlqTopic } from '@waybill/contracts';
import { MetricsScrape } from '@waybill/testing/metrics-scrape';
import { ORDER_STATUSES } from '../../services/order/src/domain/order-status';
import { OPEN_STATES, PURCHASE_ORDER_STATES } from '../../services/inventory/src/domain/purchase-order';
import { CHANNEL_KINDS } from '../../services/channels/src/domain/connection';

export const SERVICE_NAMES = ['order', 'inventory', 'payment', 'logistics', 'channels'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export interface Figures {
  /** Orders by status, every status present (0 when none). */
  readonly orders: Readonly<Record<string, number>>;
  /** Purchase orders by state, every state present. */
  readonly purchaseOrders: Readonly<Record<string, number>>;
  /** Outbox rows Kafka has not acknowledged yet, over the four services. */
  readonly outboxBacklog: number;
  /** Messages on the four `waybill.<service>.dlq` topics. */
  readonly deadLetters: number;
  /** Platform orders the channels service took in, by platform, every platform present. */
  readonly channelOrders: Readonly<Record<string, ChannelOrderCounts>>;
}

export interface ChannelOrderCounts {
  /** Published as storefront orders. */
  readonly submitted: number;
  /** Waiting for an operator (a SKU the table does not know, a payload that does not map). */
  readonly held: number;
  /** Orders whose parcel the platform has been told about. */
  readonly trackingReported: number;
}

export const total = (counts: Readonly<Record<string, number>>): number =>
  Object.values(counts).reduce((sum, n) => sum + n, 0);

export const openPurchaseOrders = (figures: Figures): number =>
  OPEN_STATES.reduce((sum, state) => sum + (figures.purchaseOrders[state] ?? 0), 0);

function countsBy(
  labels: readonly string[],
  rows: { label: string; count: string }[],
): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(labels.map((label) => [label, 0]));
  for (const row of rows) {
    counts[row.label] = Number(row.count);
  }
  return counts;
}

export class FigureSources {
  private readonly pools: Record<ServiceName, Pool>;
  private readonly kafka: Kafka;
  private admin?: Admin;

  constructor(
    databaseUrls: Readonly<Record<ServiceName, string>>,
    brokers: readonly string[],
    private readonly topicPrefix: string,
    private readonly serviceUrls: readonly string[],
  ) {
    this.pools = Object.fromEntries(
      SERVICE_NAMES.map((name) => {
        const pool = new Pool({ connectionString: databaseUrls[name], max: 1, idleTimeoutMillis: 5000 });
        pool.on('error', () => undefined); // a dropped idle connection is reopened on the next read
        return [name, pool];
      }),
    ) as Record<ServiceName, Pool>;
    this.kafka = new Kafka({
      clientId: 'waybill-start-status',
      brokers: [...brokers],
      logLevel: logLevel.NOTHING,
    });
  }

  async read(): Promise<Figures> {
    const [orders, purchaseOrders, backlogs, deadLetters, channelOrders] = await Promise.all([
      this.pools.order.query<{ label: string; count: string }>(
        'SELECT status AS label, count(*) AS count FROM orders GROUP BY status',
      ),
      this.pools.inventory.query<{ label: string; count: string }>(
        'SELECT state AS label, count(*) AS count FROM purchase_orders GROUP BY state',
      ),
      Promise.all(
        SERVICE_NAMES.map((name) =>
          this.pools[name].query<{ pending: string }>('SELECT count(*) AS pending FROM outbox_pending'),
        ),
      ),
      this.deadLetters(),
      this.pools.channels.query<{ channel: string } & Record<keyof ChannelOrderCounts, string>>(
        `SELECT o.channel,
                count(*) FILTER (WHERE o.status = 'submitted') AS "submitted",
                count(*) FILTER (WHERE o.status = 'held') AS "held",
                count(*) FILTER (WHERE EXISTS (SELECT 1 FROM channel_tracking_reports r
                                                WHERE r.channel_order_id = o.id AND r.status = 'reported'))
                  AS "trackingReported"
           FROM channel_orders o GROUP BY o.channel`,
      ),
    ]);
    return {
      orders: countsBy(ORDER_STATUSES, orders.rows),
      purchaseOrders: countsBy(PURCHASE_ORDER_STATES, purchaseOrders.rows),
      outboxBacklog: backlogs.reduce((sum, result) => sum + Number(result.rows[0].pending), 0),
      deadLetters,
      channelOrders: Object.fromEntries(
        CHANNEL_KINDS.map((channel) => {
          const row = channelOrders.rows.find((found) => found.channel === channel);
          return [
            channel,
            {
              submitted: Number(row?.submitted ?? 0),
              held: Number(row?.held ?? 0),
              trackingReported: Number(row?.trackingReported ?? 0),
            },
          ];
        }),
      ),
    };
  }

  /** Events the five relays published since they started; undefined when a service did not answer. */
  async eventsProduced(): Promise<number | undefined> {
    try {
      const scrapes = await Promise.all(this.serviceUrls.map((url) => MetricsScrape.of(url)));
      return scrapes.reduce((sum, scrape) => sum + scrape.value('waybill_events_produced_total'), 0);
    } catch {
      return undefined;
    }
  }

  private async deadLetters(): Promise<number> {
    // One admin connection for the whole run; a failed read drops it and the next read reconnects.
    this.admin ??= this.kafka.admin();
    const admin = this.admin;
    try {
      await admin.connect();
      const existing = new Set(await admin.listTopics());
      const topics = SERVICE_NAMES.map((name) => `${this.topicPrefix}${dlqTopic(name)}`).filter((topic) =>
        existing.has(topic),
      );
      const offsets = await Promise.all(topics.map((topic) => admin.fetchTopicOffsets(topic)));
      return offsets
        .flat()
        .reduce((sum, partition) => sum + Number(partition.high) - Number(partition.low), 0);
    } catch (error) {
      this.admin = undefined;
      await admin.disconnect().catch(() => undefined);
      throw error;
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled([
      ...SERVICE_NAMES.map((name) => this.pools[name].end()),
      this.admin?.disconnect(),
    ]);
  }
}
