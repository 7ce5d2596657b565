import { Injectable, Logger } from '@nestjs/common';
import { StoredWebhook, UnitOfWork, WebhookHandler } from '@waybill/eventing';
import { inSpan, SpanKind } from '@waybill/platform';
import { CarrierRegistry } from '../carriers/carrier-registry';
import { ShipmentRepository } from '../persistence/shipment.repository';
import { TrackingSubscriptionRepository } from '../persistence/tracking-subscription.repository';
import { ShipmentTracker } from '../policies/shipment-tracker';

/**
 * A carrier may report a parcel a moment before our booking transaction commits (it answered the
 * booking call, then fired its first webhook). For this long an unmatched tracking number is
 * retried with the inbox's backoff; after it, the update is about a parcel we never booked.
 */
export const UNMATCHED_RETRY_WINDOW_MS = 10 * 60_000;

/** Applies a stored, verified carrier webhook (run by the webhook inbox worker). */
@Injectable()
export class CarrierWebhookHandler implements WebhookHandler {
  private readonly logger = new Logger(CarrierWebhookHandler.name);

  constructor(
    private readonly carriers: CarrierRegistry,
    private readonly shipments: ShipmentRepository,
    private readonly tracker: ShipmentTracker,
    private readonly subscriptions: TrackingSubscriptionRepository,
  ) {}

  async handle(uow: UnitOfWork, webhook: StoredWebhook): Promise<void> {
    const { manager } = uow;
    const carrier = this.carriers.get(webhook.source);
    if (!carrier) {
      throw new Error(`carrier ${webhook.source} is no longer configured`);
    }
    // Read again from the stored copy: its signature was checked when it arrived.
    const { updates, resubscribe, eventType } = carrier.readWebhook(webhook.rawBody, webhook.headers);
    if (resubscribe) {
      // Counted from when the push arrived, not from when it is applied: a retried apply keeps the time.
      const dueAt = new Date(webhook.receivedAt.getTime() + resubscribe.afterMs);
      const found = await this.subscriptions.resubscribeAt(
        manager,
        carrier.name,
        resubscribe.trackingNumber,
        dueAt,
        `${carrier.name} stopped tracking (${eventType}); subscribing again from ${dueAt.toISOString()}`,
      );
      if (!found) {
        this.logger.warn(
          `${carrier.name} webhook ${webhook.id}: stopped tracking ${resubscribe.trackingNumber}, which has no subscription here`,
        );
      }
    }
    for (const update of updates) {
      // A carrier naming our shipment id (SF's orderid) is matched by it first: its tracking number
      // may be a child or return waybill we never stored. An aggregator never names our ids.
      const byId =
        update.shipmentId && !carrier.aggregator
          ? await this.shipments.lockByIdForCarrier(manager, update.shipmentId, carrier.name)
          : undefined;
      const shipment =
        byId ??
        (await this.shipments.lockByTrackingNumber(
          manager,
          update.trackingNumber,
          carrier.aggregator ? undefined : carrier.name,
        ));
      if (!shipment) {
        if (Date.now() - webhook.receivedAt.getTime() < UNMATCHED_RETRY_WINDOW_MS) {
          throw new Error(`no ${carrier.name} shipment has tracking number ${update.trackingNumber} (yet)`);
        }
        this.logger.warn(
          `${carrier.name} webhook ${webhook.id}: no shipment has tracking number ${update.trackingNumber}; ignored`,
        );
        continue;
      }
      // In the order's trace: the events it causes (shipment.delivered → order DELIVERED) too.
      await inSpan(
        {
          name: `${carrier.name} tracking update`,
          kind: SpanKind.CONSUMER,
          parent: { traceparent: shipment.traceparent },
          correlationId: shipment.correlationId,
          attributes: { 'waybill.webhook.id': webhook.id, 'waybill.shipment.id': shipment.id },
        },
        () => this.tracker.apply(uow, { shipment, update, source: carrier.name, webhookId: webhook.id }),
      );
    }
  }
}
