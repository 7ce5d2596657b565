import { Injectable, Logger } from '@nestjs/common';
import type { OrderCancelledV1 } from '@waybill/contracts';
import type { UnitOfWork } from '@waybill/eventing';
import { CarrierRegistry } from '../carriers/carrier-registry';
import { carrierIdempotencyKey } from '../domain/carrier-rule';
import { planCancellation } from '../domain/shipment';
import { ShipmentRepository } from '../persistence/shipment.repository';
import { ShipmentTracker } from '../policies/shipment-tracker';

export interface CancelShipmentCommand {
  readonly cancelled: OrderCancelledV1;
}

/**
 * The compensation of BookShipment: an order cancelled before the carrier picked its parcel up is
 * cancelled with the carrier (and the shipment becomes `cancelled`). After pickup the parcel
 * travels on; the refusal is recorded in the history for operators (a return is their call).
 */
@Injectable()
export class CancelShipment {
  private readonly logger = new Logger(CancelShipment.name);

  constructor(
    private readonly carriers: CarrierRegistry,
    private readonly shipments: ShipmentRepository,
    private readonly tracker: ShipmentTracker,
  ) {}

  async execute(uow: UnitOfWork, { cancelled }: CancelShipmentCommand): Promise<void> {
    const { manager } = uow;
    // Waits for a booking of this order still in flight, so its parcel is seen and cancelled.
    await this.shipments.lockOrder(manager, cancelled.orderId);
    const shipment = await this.shipments.lockByOrder(manager, cancelled.orderId);
    // Cancelled before it was confirmed: nothing was booked.
    if (!shipment) {
      return;
    }
    const plan = planCancellation(shipment);
    if (plan === 'already-cancelled') {
      return;
    }
    const now = new Date().toISOString();
    const note = (carrierStatus: string, message: string) => ({
      trackingNumber: shipment.trackingNumber,
      carrierStatus,
      status: shipment.status,
      mapped: true,
      occurredAt: now,
      message,
    });
    if (plan === 'too-late') {
      await this.tracker.apply(uow, {
        shipment,
        update: note('cancel_too_late', 'order cancelled after pickup'),
        source: 'logistics',
      });
      this.logger.warn(`order ${cancelled.orderId} cancelled after its parcel left (${shipment.status})`);
      return;
    }
    const carrier = this.carriers.get(shipment.carrier);
    if (!carrier) {
      throw new Error(`carrier ${shipment.carrier} of order ${cancelled.orderId} is not configured`);
    }
    const outcome = await carrier.cancelShipment({
      orderId: cancelled.orderId,
      trackingNumber: shipment.trackingNumber,
      carrierShipmentId: shipment.carrierShipmentId,
      idempotencyKey: carrierIdempotencyKey(cancelled.orderId, 'cancel'),
    });
    if (outcome.kind === 'unavailable') {
      throw new Error(`cancelling order ${cancelled.orderId} with ${carrier.name}: ${outcome.message}`);
    }
    if (outcome.kind === 'refused') {
      await this.tracker.apply(uow, {
        shipment,
        update: note('cancel_refused', `${outcome.code}: ${outcome.message}`),
        source: 'logistics',
      });
      this.logger.warn(`${carrier.name} refused to cancel order ${cancelled.orderId}: ${outcome.code}`);
      return;
    }
    await this.tracker.apply(uow, {
      shipment,
      update: {
        ...note('cancel_confirmed', `cancelled with ${carrier.name}: ${cancelled.reason}`),
        status: 'cancelled',
      },
      source: 'logistics',
    });
  }
}
