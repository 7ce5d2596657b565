import { Injectable, Logger } from '@nestjs/common';
import { UnitOfWork, WebhookAcknowledgement, WebhookIngress } from '@waybill/eventing';
import type { WebhookHeaders } from '@waybill/platform';
import type { ConnectionView } from '../domain/connection';
import { ConnectionQueries } from '../policies/connection-queries';
import { ChannelOrderRepository } from '../persistence/channel-order.repository';
import {
  ChannelDelivery,
  ChannelWebhookSource,
  DeliveryTaken,
  RefundFacts,
} from '../platforms/channel-webhook-source';
import { TakeInOrder } from '../policies/take-in-order';

/**
 * `POST /v1/webhooks/channels/:connectionId`: the connection's platform verifies the raw bytes with
 * the connection's own secret, then the delivery is stored and taken in within one transaction
 * (`receiveAndApply`). In the request rather than in the background because taking in is a few
 * milliseconds of local work that never calls out, and an answer after the commit is what lets a
 * sender that retries (Shopify, Youzan) retry a delivery whose commit failed; WooCommerce never
 * retries, and the reconciliation poller recovers what it lost.
 */
@Injectable()
export class ReceiveChannelWebhook {
  private readonly logger = new Logger('ChannelWebhooks');

  constructor(
    private readonly connections: ConnectionQueries,
    private readonly ingress: WebhookIngress,
    private readonly takeIn: TakeInOrder,
    private readonly orders: ChannelOrderRepository,
  ) {}

  async receive(
    connectionId: string,
    rawBody: Buffer,
    headers: WebhookHeaders,
  ): Promise<WebhookAcknowledgement> {
    const { connection, secrets } = await this.connections.withSecrets(connectionId);
    const source = new ChannelWebhookSource(connection, secrets);
    return this.ingress.receiveAndApply(source, rawBody, headers, (uow, { read }) =>
      this.apply(uow, connection, read),
    );
  }

  private async apply(
    uow: UnitOfWork,
    connection: ConnectionView,
    delivery: ChannelDelivery,
  ): Promise<DeliveryTaken> {
    if (delivery.kind === 'refund') {
      return {
        outcome: (await this.recordRefund(uow, connection, delivery)) ? 'refund-recorded' : 'duplicate',
      };
    }
    for (const refund of delivery.refunds ?? []) {
      await this.recordRefund(uow, connection, refund);
    }
    return this.takeIn.execute(uow, { connection, payload: delivery.payload, via: 'webhook' });
  }

  /** False when this refund id was recorded before. */
  private async recordRefund(
    uow: UnitOfWork,
    connection: ConnectionView,
    refund: RefundFacts,
  ): Promise<boolean> {
    const recorded = await this.orders.recordRefund(uow.manager, {
      channel: connection.channel,
      store: connection.store,
      refundId: refund.refundId,
      connectionId: connection.id,
      externalOrderId: refund.externalOrderId,
      ...(refund.amount && { amount: refund.amount.minor, currency: refund.amount.currency }),
      rawPayload: refund.rawBody,
    });
    if (recorded) {
      this.logger.log(
        `${connection.id}: refund ${refund.refundId} of order ${refund.externalOrderId} recorded` +
          (refund.amount ? ` (${refund.amount.minor} ${refund.amount.currency} minor units)` : ''),
      );
    }
    return recorded;
  }
}
