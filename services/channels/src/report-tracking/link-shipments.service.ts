import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import type { OrderPlacedV1, ShipmentCreatedV1 } from '@waybill/contracts';
import type { UnitOfWork } from '@waybill/eventing';
import { ChannelOrderRecord, ChannelOrderRepository } from '../persistence/channel-order.repository';
import { ShipmentFacts, TrackingReportRepository } from '../persistence/tracking-report.repository';

/**
 * Joins what two topics say about one order: order.placed names the channel order a Waybill order
 * is (storefront and storefront order id), shipment.created names its parcel. The two topics are
 * consumed side by side, so either can come first: a shipment of an order not (yet) known here is
 * remembered, and order.placed takes it. Both lock the Waybill order id, so neither misses the other.
 * Each parcel becomes one tracking report, dispatched to the platform by ReportTracking.
 */
@Injectable()
export class LinkShipments {
  private readonly logger = new Logger('ChannelShipments');

  constructor(
    private readonly orders: ChannelOrderRepository,
    private readonly reports: TrackingReportRepository,
  ) {}

  async orderPlaced(uow: UnitOfWork, placed: OrderPlacedV1): Promise<void> {
    await lockOrder(uow, placed.orderId);
    const order = await this.orders.linkWaybillOrder(
      uow.manager,
      { storefrontId: placed.storefrontId, externalOrderId: placed.storefrontOrderId },
      placed.orderId,
    );
    if (!order) {
      // Another storefront's order, or one placed over the API: nothing for a channel to report.
      await this.reports.takeShipments(uow.manager, placed.orderId);
      return;
    }
    for (const shipment of await this.reports.takeShipments(uow.manager, placed.orderId)) {
      await this.enqueue(uow, order, shipment);
    }
  }

  async shipmentCreated(uow: UnitOfWork, created: ShipmentCreatedV1): Promise<void> {
    await lockOrder(uow, created.orderId);
    const shipment: ShipmentFacts = {
      waybillOrderId: created.orderId,
      shipmentId: created.shipmentId,
      carrier: created.carrier,
      trackingNumber: created.trackingNumber,
      shippedAt: new Date(created.createdAt),
    };
    const order = await this.orders.findByWaybillOrder(uow.manager, created.orderId);
    if (!order) {
      await this.reports.rememberShipment(uow.manager, shipment);
      return;
    }
    await this.enqueue(uow, order, shipment);
  }

  private async enqueue(uow: UnitOfWork, order: ChannelOrderRecord, shipment: ShipmentFacts): Promise<void> {
    // Cancelled on its platform, and the cancellation was sent on: its parcel is being cancelled
    // (logistics does so on order.cancelled) or was too late to stop. Either way a cancelled
    // platform order is not to be marked shipped: Shopify refuses a fulfilment of it (its fulfilment
    // orders are closed), so the report would be retried for ever, and on the others the buyer of a
    // cancelled order would be shown a tracking number. The parcel stays visible in logistics.
    if (order.status === 'cancelled') {
      this.logger.warn(
        `order ${shipment.waybillOrderId}: ${shipment.carrier} ${shipment.trackingNumber} not reported, the order was cancelled on its platform`,
      );
      return;
    }
    if (await this.reports.enqueue(uow.manager, randomUUID(), order.id, shipment)) {
      this.logger.log(
        `order ${shipment.waybillOrderId}: ${shipment.carrier} ${shipment.trackingNumber} to be reported to its platform`,
      );
    }
  }
}

/** Serialises the two handlers of one order (and their redeliveries) until the transaction ends. */
async function lockOrder(uow: UnitOfWork, waybillOrderId: string): Promise<void> {
  await uow.manager.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 7))`, [waybillOrderId]);
}
