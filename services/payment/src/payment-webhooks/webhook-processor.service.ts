import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Outbox } from '@waybill/eventing';
import { PaymentConfig } from '../payment.config';
import { WebhookReceiptRepository } from '../persistence/webhook-receipt.repository';
import { PaymentProviders } from '../providers/payment-providers';
import { PaymentSaga } from '../saga/payment-saga.service';

const MAX_BACKOFF_MS = 5 * 60_000;

/**
 * Processes stored webhook receipts in the background: kicked right after a receipt is stored and
 * sweeping periodically for leftovers (a crash between answering and processing, a failed attempt).
 * One transaction per receipt: apply to the payment, enqueue events, mark processed.
 */
@Injectable()
export class WebhookProcessor implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(WebhookProcessor.name);
  private timer?: NodeJS.Timeout;
  private draining?: Promise<void>;
  private again = false;
  private stopped = true;

  constructor(
    private readonly config: PaymentConfig,
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    private readonly receipts: WebhookReceiptRepository,
    private readonly providers: PaymentProviders,
    private readonly saga: PaymentSaga,
  ) {}

  onApplicationBootstrap(): void {
    this.stopped = false;
    this.timer = setInterval(() => this.kick(), this.config.PAYMENT_WEBHOOK_POLL_INTERVAL_MS);
    this.kick();
  }

  // Before shutdown: a drain holds pooled connections, and the pool closes on shutdown.
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.draining;
  }

  /** Starts a drain, or asks the running one to look again once it is done. */
  kick(): void {
    if (this.stopped) return;
    if (this.draining) {
      this.again = true;
      return;
    }
    this.draining = this.drain().finally(() => {
      this.draining = undefined;
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }

  private async drain(): Promise<void> {
    try {
      while (!this.stopped && (await this.processOne())) {
        // next receipt
      }
    } catch (error) {
      this.logger.error(`webhook processing stopped: ${(error as Error).message}`);
    }
  }

  /** False when nothing was due. */
  private async processOne(): Promise<boolean> {
    return await this.dataSource.transaction(async (manager) => {
      const receipt = await this.receipts.claimNext(manager);
      if (!receipt) return false;
      try {
        await manager.query('SAVEPOINT apply_receipt');
        const provider = this.providers.get(receipt.provider);
        if (!provider) throw new Error(`payment provider ${receipt.provider} is no longer configured`);
        const event = provider.interpretWebhook(receipt.rawBody);
        await this.saga.webhookReceived(manager, provider.name, event, (events) =>
          this.outbox.enqueue(manager, events),
        );
        await this.receipts.markProcessed(manager, receipt.id);
      } catch (error) {
        // Undo the partial effect but keep the receipt's lock, and schedule another attempt.
        await manager.query('ROLLBACK TO SAVEPOINT apply_receipt');
        const delay = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** receipt.attempts);
        const message = error instanceof Error ? error.message : String(error);
        this.logger.warn(
          `webhook receipt ${receipt.id} failed (attempt ${receipt.attempts + 1}): ${message}`,
        );
        await this.receipts.markFailed(manager, receipt.id, message, delay);
      }
      return true;
    });
  }
}
