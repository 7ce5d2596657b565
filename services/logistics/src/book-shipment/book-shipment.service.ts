import { Injectable, Logger } from '@nestjs/common';
import type { OrderConfirmedV1 } from '@waybill/contracts';
import { PermanentEventError, UnitOfWork } from '@waybill/eventing';
import { currentCorrelationId, currentTraceparent } from '@waybill/platform';
import { CarrierRegistry } from '../carriers/carrier-registry';
import {
  carrierIdempotencyKey,
  chooseCarrier,
  parcelWeightGrams,
  shipmentIdFor,
} from '../domain/carrier-rule';
import { LogisticsConfig } from '../logistics.config';
import { Shipment, ShipmentRepository } from '../persistence/shipment.repository';
import { TrackingSubscriptionRepository } from '../persistence/tracking-subscription.repository';
import { shipmentCreated } from '../policies/shipment-events';

export interface BookShipmentCommand {
  readonly order: OrderConfirmedV1;
}

/**
 * Books the parcel of a confirmed order with the carrier the rules choose, then announces
 * `shipment.created`. Compensation: CancelShipment (order cancelled before pickup).
 *
 * One order is never booked twice: bookings of one order are serialised (an advisory lock), a
 * shipment row (UNIQUE order_id) means done, and the carrier call carries the key
 * `logistics:<orderId>:book`, so a call repeated after a lost commit gets the first booking back
 * from carriers that honour keys.
 */
@Injectable()
export class BookShipment {
  private readonly logger = new Logger(BookShipment.name);

  constructor(
    private readonly config: LogisticsConfig,
    private readonly carriers: CarrierRegistry,
    private readonly shipments: ShipmentRepository,
    private readonly subscriptions: TrackingSubscriptionRepository,
  ) {}

  async execute(uow: UnitOfWork, { order }: BookShipmentCommand): Promise<void> {
    const { manager } = uow;
    await this.shipments.lockOrder(manager, order.orderId);
    if (await this.shipments.lockByOrder(manager, order.orderId)) {
      return;
    }
    const weightGrams = parcelWeightGrams(
      order.lines,
      this.config.LOGISTICS_SKU_WEIGHTS_GRAMS ?? {},
      this.config.LOGISTICS_DEFAULT_UNIT_WEIGHT_GRAMS,
    );
    const country = order.shippingAddress.country;
    const carrier = this.carriers.forBooking(
      chooseCarrier(this.config.LOGISTICS_CARRIER_RULES, this.config.LOGISTICS_DEFAULT_CARRIER, {
        country,
        weightGrams,
      }),
    );
    // The same id on every attempt: carriers that dedupe by our reference recognise a retry.
    const shipmentId = shipmentIdFor(order.orderId);
    // The call runs inside the inbox transaction on purpose: if the commit is lost, the redelivered
    // event calls again with the same key instead of leaving a booked parcel nobody knows about.
    const outcome = await carrier.createShipment({
      orderId: order.orderId,
      shipmentId,
      idempotencyKey: carrierIdempotencyKey(order.orderId, 'book'),
      recipient: order.shippingAddress,
      shipFrom: this.config.LOGISTICS_SHIP_FROM,
      weightGrams,
    });
    if (outcome.kind === 'unavailable') {
      // Thrown so the consumer retries with backoff (same key), then dead-letters.
      throw new Error(`booking order ${order.orderId} with ${carrier.name}: ${outcome.message}`);
    }
    if (outcome.kind === 'refused') {
      throw new PermanentEventError(
        'LOGISTICS.BOOKING_REFUSED',
        `${carrier.name} refused to book order ${order.orderId}: ${outcome.code} ${outcome.message}`,
      );
    }
    const now = new Date().toISOString();
    const shipment: Shipment = {
      id: shipmentId,
      orderId: order.orderId,
      storefrontId: order.storefrontId,
      carrier: carrier.name,
      trackingNumber: outcome.trackingNumber,
      carrierShipmentId: outcome.carrierShipmentId,
      labelRef: outcome.labelRef,
      status: 'label_created',
      statusOccurredAt: now,
      weightGrams,
      destinationCountry: country,
      traceparent: currentTraceparent(),
      correlationId: currentCorrelationId(),
      createdAt: now,
      updatedAt: now,
    };
    await this.shipments.insert(manager, shipment);
    await this.shipments.recordTracking(manager, {
      shipmentId,
      source: 'logistics',
      update: {
        trackingNumber: shipment.trackingNumber,
        carrierStatus: 'booked',
        status: 'label_created',
        mapped: true,
        occurredAt: now,
      },
      decision: { kind: 'applied', previous: 'label_created', status: 'label_created', announce: [] },
    });
    await this.subscribeTracking(uow, shipment, order);
    await uow.publish([shipmentCreated(shipment)]);
    this.logger.log(`order ${order.orderId} booked with ${carrier.name}: ${shipment.trackingNumber}`);
    if (outcome.warning) {
      this.logger.warn(
        `order ${order.orderId}, ${carrier.name} ${shipment.trackingNumber}: ${outcome.warning}`,
      );
    }
  }

  /**
   * Forward step of the booking: Kuaidi100 tracks the parcels of the carriers it is configured for.
   * Only a row in this transaction: the worker calls Kuaidi100 after the commit, so an outage there
   * never holds up or undoes a booking. Compensation: none needed; a cancelled parcel's
   * subscription simply reports nothing more.
   */
  private async subscribeTracking(
    uow: UnitOfWork,
    shipment: Shipment,
    order: OrderConfirmedV1,
  ): Promise<void> {
    const tracked = this.config.LOGISTICS_KUAIDI100_TRACK?.find(
      (entry) => entry.carrier === shipment.carrier,
    );
    if (!tracked) {
      return;
    }
    // SF (and some ZTO products) want the consignee's phone; its last 4 digits are enough.
    const digits = (order.shippingAddress.phone ?? '').replace(/\D/g, '');
    await this.subscriptions.add(
      uow.manager,
      {
        shipmentId: shipment.id,
        provider: 'kuaidi100',
        company: tracked.company,
        trackingNumber: shipment.trackingNumber,
        phone: digits.length >= 4 ? digits.slice(-4) : undefined,
      },
      new Date(),
    );
  }
}
