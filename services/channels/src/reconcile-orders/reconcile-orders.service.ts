import { Injectable, Logger } from '@nestjs/common';
import { UnitsOfWork } from '@waybill/eventing';
import { DataSource } from 'typeorm';
import { ChannelsConfig } from '../channels.config';
import { ConnectionQueries } from '../policies/connection-queries';
import { TakeInOrder } from '../policies/take-in-order';
import { PollState, PollStateRepository } from '../persistence/poll-state.repository';
import { StorefrontApis } from '../platforms/storefront-apis';

/** Pages of this many orders, at most this many pages a run: a backlog continues at the next run. */
const PAGE_SIZE = 50;
const PAGES_PER_RUN = 20;
const CONNECTIONS_PER_BATCH = 5;

/** What operators see of a connection's poller: how far it got and how its last run went. */
export interface PollerView {
  readonly connectionId: string;
  /** UTC; the newest platform modification taken in. Null before the first poll. */
  readonly watermark: string | null;
  readonly lastRunAt: string | null;
  readonly lastOutcome: 'ok' | 'retry' | 'failed' | null;
  readonly lastError: string | null;
  /** In the last run: orders the platform listed, and those no webhook had brought. */
  readonly ordersFound: number;
  readonly ordersTakenIn: number;
  readonly nextRunAt: string | null;
}

export interface PollRun {
  readonly outcome: 'ok' | 'retry' | 'failed';
  readonly error?: string;
  readonly ordersFound: number;
  readonly ordersTakenIn: number;
}

/**
 * The reconciliation poller: WooCommerce never retries a webhook and disables one after five
 * failures, and Shopify gives up after 4 hours, so each connection asks its platform now and then
 * for the orders modified since its watermark and feeds each through the same TakeInOrder as a
 * webhook, one transaction per order. What was already taken in is a duplicate and changes
 * nothing. The watermark only moves past orders that were taken in, page by page; each run starts
 * CHANNELS_POLL_OVERLAP_MS before it, because a platform's list lags its webhooks.
 */
@Injectable()
export class ReconcileOrders {
  private readonly logger = new Logger('ChannelPoller');

  constructor(
    private readonly config: ChannelsConfig,
    private readonly dataSource: DataSource,
    private readonly polls: PollStateRepository,
    private readonly connections: ConnectionQueries,
    private readonly apis: StorefrontApis,
    private readonly takeIn: TakeInOrder,
    private readonly units: UnitsOfWork,
  ) {}

  /** One batch of the connections due at `now`; how many were polled (0: none is due). */
  async runDue(now: Date): Promise<number> {
    const leaseMs = PAGES_PER_RUN * this.config.CHANNELS_PLATFORM_TIMEOUT_MS + 60_000;
    const due = await this.dataSource.transaction((manager) =>
      this.polls.leaseDue(manager, now, {
        limit: CONNECTIONS_PER_BATCH,
        leaseMs,
        initialLookbackMs: this.config.CHANNELS_POLL_INITIAL_LOOKBACK_MS,
      }),
    );
    await Promise.all(due.map((state) => this.poll(state, now)));
    return due.length;
  }

  async pollNow(connectionId: string): Promise<void> {
    await this.connections.get(connectionId);
    await this.polls.dueNow(
      this.dataSource,
      connectionId,
      new Date(),
      this.config.CHANNELS_POLL_INITIAL_LOOKBACK_MS,
    );
  }

  async view(connectionId: string): Promise<PollerView> {
    await this.connections.get(connectionId);
    const state = await this.polls.get(this.dataSource, connectionId);
    return {
      connectionId,
      watermark: state?.watermark?.toISOString() ?? null,
      lastRunAt: state?.lastRunAt?.toISOString() ?? null,
      lastOutcome: (state?.lastOutcome as PollerView['lastOutcome'] | undefined) ?? null,
      lastError: state?.lastError ?? null,
      ordersFound: state?.ordersFound ?? 0,
      ordersTakenIn: state?.ordersTakenIn ?? 0,
      nextRunAt: state?.nextRunAt.toISOString() ?? null,
    };
  }

  private async poll(state: PollState, now: Date): Promise<void> {
    let run: PollRun;
    let more = false;
    try {
      ({ run, more } = await this.pages(state));
    } catch (error) {
      run = { outcome: 'retry', error: (error as Error).message, ordersFound: 0, ordersTakenIn: 0 };
    }
    if (run.outcome !== 'ok') {
      this.logger.warn(`${state.connectionId}: poll ${run.outcome}: ${run.error ?? ''}`);
    } else if (run.ordersTakenIn > 0) {
      this.logger.log(
        `${state.connectionId}: poll found ${run.ordersFound} orders, took in ${run.ordersTakenIn} that no webhook had brought`,
      );
    }
    await this.polls.finish(this.dataSource, state.connectionId, {
      at: now,
      ...run,
      // A backlog larger than one run continues at once; otherwise at the next interval.
      nextRunAt: new Date(now.getTime() + (more ? 0 : this.config.CHANNELS_POLL_INTERVAL_MS)),
    });
  }

  private async pages(state: PollState): Promise<{ run: PollRun; more: boolean }> {
    const { connection, secrets } = await this.connections.withSecrets(state.connectionId);
    const api = this.apis.of(connection.channel);
    const start = state.watermark ?? new Date(0);
    const since = new Date(Math.max(start.getTime() - this.config.CHANNELS_POLL_OVERLAP_MS, 0)).toISOString();
    let cursor: string | undefined;
    let ordersFound = 0;
    let ordersTakenIn = 0;
    for (let page = 0; page < PAGES_PER_RUN; page++) {
      const answer = await api.ordersModifiedSince(
        { connection, secrets, timeoutMs: this.config.CHANNELS_PLATFORM_TIMEOUT_MS },
        { since, limit: PAGE_SIZE, ...(cursor !== undefined && { cursor }) },
      );
      if (answer.status !== 'page') {
        return {
          run: { outcome: answer.status, error: answer.reason, ordersFound, ordersTakenIn },
          more: false,
        };
      }
      let newest: Date | undefined;
      for (const order of answer.orders) {
        ordersFound++;
        const taken = await this.units.run((uow) =>
          this.takeIn.execute(uow, { connection, payload: order.payload, via: 'poll' }),
        );
        if (taken.outcome !== 'duplicate') {
          ordersTakenIn++;
        }
        const updatedAt = new Date(order.updatedAt);
        newest = newest === undefined || updatedAt > newest ? updatedAt : newest;
      }
      if (newest) {
        await this.polls.advance(this.dataSource, connection.id, newest);
      }
      if (answer.nextCursor === undefined) {
        return { run: { outcome: 'ok', ordersFound, ordersTakenIn }, more: false };
      }
      cursor = answer.nextCursor;
    }
    return { run: { outcome: 'ok', ordersFound, ordersTakenIn }, more: true };
  }
}
