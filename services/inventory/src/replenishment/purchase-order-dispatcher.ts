import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { backoffMs, CommitWokenLoop } from '@waybill/eventing';
import { DataSource } from 'typeorm';
import { decidePurchaseOrderTransition } from '../domain/purchase-order';
import { InventoryConfig } from '../inventory.config';
import { PurchaseOrder, PurchaseOrderRepository } from '../persistence/purchase-order.repository';
import type { PurchaseOrderDocument, SendOutcome } from '../suppliers/supplier-adapter';
import { SupplierAdapters } from '../suppliers/supplier-adapters';
import { Suppliers } from '../suppliers/suppliers';
import { PURCHASE_ORDER_DISPATCH_CHANNEL } from '../policies/dispatch-channel';

const BATCH = 10;

/**
 * Sends DRAFT purchase orders to their suppliers. The order row is the durable record of "to be
 * sent", written in the transaction that opened the cycle (beside its purchase-order-issued event
 * in the outbox), so nothing is sent before that commit and nothing committed is forgotten.
 *
 * Why not consume our own purchase-order-issued event: the consumer runner's retries are bounded
 * and then dead-letter the message — a supplier down for an hour would lose the order to the DLQ.
 * Here a failed send only moves the next attempt back (exponential, capped at
 * INVENTORY_PO_RETRY_MAX_BACKOFF_MS), for as long as it takes, always under the same PO number.
 *
 * It wakes when a transaction that opened an order commits (pg_notify on
 * PURCHASE_ORDER_DISPATCH_CHANNEL, as the outbox relay wakes), and polls every
 * INVENTORY_PO_DISPATCH_POLL_INTERVAL_MS for retries that fall due and anything no notification
 * announced.
 */
@Injectable()
export class PurchaseOrderDispatcher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(PurchaseOrderDispatcher.name);
  private readonly loop: CommitWokenLoop;

  constructor(
    private readonly config: InventoryConfig,
    private readonly dataSource: DataSource,
    private readonly orders: PurchaseOrderRepository,
    private readonly suppliers: Suppliers,
    private readonly adapters: SupplierAdapters,
  ) {
    this.loop = new CommitWokenLoop({
      name: 'purchase order dispatch',
      dataSource,
      channel: PURCHASE_ORDER_DISPATCH_CHANNEL,
      pollIntervalMs: config.INVENTORY_PO_DISPATCH_POLL_INTERVAL_MS,
      work: (shouldContinue) => this.drain(shouldContinue),
      logger: this.logger,
    });
  }

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.loop.stop();
  }

  private async drain(shouldContinue: () => boolean): Promise<void> {
    while (shouldContinue()) {
      // The lease outlasts a send's timeout, so a slow send is not leased again meanwhile.
      const leaseMs = this.config.INVENTORY_SUPPLIER_TIMEOUT_MS * 2 + 5000;
      const due = await this.dataSource.transaction((manager) =>
        this.orders.leaseDueForDispatch(manager, BATCH, leaseMs),
      );
      if (due.length === 0) {
        return;
      }
      await Promise.all(due.map((order) => this.dispatch(order)));
    }
  }

  private async dispatch(order: PurchaseOrder): Promise<void> {
    const outcome = await this.send(order);
    await this.dataSource.transaction(async (manager) => {
      if (outcome.outcome === 'failed') {
        const attempt = order.dispatchAttempts + 1;
        const delay = backoffMs(
          {
            maxAttempts: Number.POSITIVE_INFINITY,
            initialBackoffMs: this.config.INVENTORY_PO_RETRY_INITIAL_BACKOFF_MS,
            maxBackoffMs: this.config.INVENTORY_PO_RETRY_MAX_BACKOFF_MS,
          },
          attempt,
        );
        this.logger.warn(
          `${order.poNumber} to ${order.supplier}: attempt ${attempt} failed (${outcome.reason}); next in ${delay} ms`,
        );
        await this.orders.dispatchFailed(manager, order.id, outcome.reason, delay);
        return;
      }
      const current = await this.orders.lock(manager, order.id);
      if (!current) {
        return;
      }
      await this.orders.countAttempt(manager, order.id);
      // The supplier may have acknowledged (or even delivered) before its answer reached us.
      const transition = decidePurchaseOrderTransition(current.state, 'dispatched');
      if (transition.outcome === 'apply') {
        await this.orders.transition(manager, current, transition.to, 'dispatched', {
          attempts: order.dispatchAttempts + 1,
          answer: outcome.detail,
        });
      }
    });
  }

  private async send(order: PurchaseOrder): Promise<SendOutcome> {
    const adapter = this.adapters.get(order.supplier);
    if (!adapter) {
      return { outcome: 'failed', reason: `SUPPLIER.NOT_CONFIGURED: ${order.supplier}` };
    }
    const document: PurchaseOrderDocument = {
      type: 'purchase_order.issued',
      poNumber: order.poNumber,
      purchaseOrderId: order.id,
      supplier: { id: order.supplier, name: this.suppliers.get(order.supplier)?.displayName },
      lines: [{ sku: order.sku, quantity: order.ordered }],
      issuedAt: order.createdAt.toISOString(),
      expectedBy: order.expectedBy.toISOString(),
      replyTo: `/v1/webhooks/suppliers/${order.supplier}`,
    };
    try {
      return await adapter.send(document);
    } catch (error) {
      return { outcome: 'failed', reason: (error as Error).message };
    }
  }
}
