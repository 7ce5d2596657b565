import type {
  ShipmentCreatedV1,
  ShipmentDeliveredV1,
  ShipmentExceptionV1,
  ShipmentStatusChangedV1,
} from '@waybill/contracts';
import type { OutgoingEvent } from '@waybill/eventing';
import type { TrackingDecision } from '../domain/shipment';
import type { TrackingUpdate } from '../domain/tracking-update';
import type { Shipment } from '../persistence/shipment.repository';

/** Every shipment event is keyed by the order id, so it stays in order with the order's own events. */
function about(shipment: Shipment) {
  return {
    orderId: shipment.orderId,
    shipmentId: shipment.id,
    carrier: shipment.carrier,
    trackingNumber: shipment.trackingNumber,
  };
}

export function shipmentCreated(shipment: Shipment): OutgoingEvent<ShipmentCreatedV1> {
  return {
    type: 'waybill.shipment.created.v1',
    subject: shipment.orderId,
    data: {
      ...about(shipment),
      // A reference longer than the contract allows is left out rather than cut into a wrong one.
      ...(shipment.labelRef && shipment.labelRef.length <= 512 && { labelRef: shipment.labelRef }),
      createdAt: shipment.createdAt,
    },
  };
}

/** `shipment.status-changed`, plus `delivered` or `exception` where the decision says so. */
export function statusEvents(
  shipment: Shipment,
  update: TrackingUpdate,
  decision: Extract<TrackingDecision, { kind: 'applied' }>,
): OutgoingEvent[] {
  const carrierStatus = update.carrierStatus.slice(0, 200);
  const changed: OutgoingEvent<ShipmentStatusChangedV1> = {
    type: 'waybill.shipment.status-changed.v1',
    subject: shipment.orderId,
    data: {
      ...about(shipment),
      status: decision.status,
      previousStatus: decision.previous,
      carrierStatus,
      ...(update.location && { location: update.location.slice(0, 200) }),
      occurredAt: update.occurredAt,
    },
  };
  const events: OutgoingEvent[] = [changed];
  if (decision.announce.includes('delivered')) {
    const delivered: OutgoingEvent<ShipmentDeliveredV1> = {
      type: 'waybill.shipment.delivered.v1',
      subject: shipment.orderId,
      data: { ...about(shipment), deliveredAt: update.occurredAt },
    };
    events.push(delivered);
  }
  if (decision.announce.includes('exception')) {
    const exception: OutgoingEvent<ShipmentExceptionV1> = {
      type: 'waybill.shipment.exception.v1',
      subject: shipment.orderId,
      data: {
        ...about(shipment),
        carrierStatus,
        ...(update.message && { message: update.message.slice(0, 500) }),
        occurredAt: update.occurredAt,
      },
    };
    events.push(exception);
  }
  return events;
}
