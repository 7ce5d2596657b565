import {
  ShortLine,
  StockCommittedV1,
  StockLine,
  StockRejectedV1,
  StockReleasedV1,
  StockReleaseReason,
  StockReservedV1,
} from '@waybill/contracts';
import { OutgoingEvent } from '@waybill/eventing';
import { AllocationDecision, Quantity, toContractLines } from '../domain/stock-allocation';
import { Reservation } from '../persistence/reservation.repository';

/*
 * The events inventory publishes about an order's reservation. Subject and Kafka key are the order
 * id, so they stay in order with the order's own events.
 */

function stockLines(lines: readonly Quantity[]): StockLine[] {
  return toContractLines(
    lines.map(({ sku, quantity }) => ({ sku, quantity })),
    (line) => line.quantity,
    (line, quantity) => ({ ...line, quantity }),
  );
}

export function stockReserved(reservation: Reservation): OutgoingEvent<StockReservedV1> {
  const { expiresAt } = reservation;
  if (!expiresAt) {
    throw new Error(`reservation ${reservation.id} is ${reservation.status} and has no expiry to announce`);
  }
  return {
    type: 'waybill.inventory.stock-reserved.v1',
    subject: reservation.orderId,
    data: {
      orderId: reservation.orderId,
      reservationId: reservation.id,
      lines: stockLines(reservation.lines),
      expiresAt: expiresAt.toISOString(),
      reservedAt: reservation.createdAt.toISOString(),
    },
  };
}

export function stockRejected(
  orderId: string,
  decision: Extract<AllocationDecision, { outcome: 'reject' }>,
  rejectedAt: Date,
): OutgoingEvent<StockRejectedV1> {
  const shortLines: ShortLine[] = toContractLines(
    decision.shortLines.map(({ sku, requested, available }) => ({ sku, requested, available })),
    (line) => line.requested,
    (line, requested) => ({ ...line, requested }),
  );
  return {
    type: 'waybill.inventory.stock-rejected.v1',
    subject: orderId,
    data: { orderId, reason: decision.reason, shortLines, rejectedAt: rejectedAt.toISOString() },
  };
}

export function stockReleased(
  reservation: Reservation,
  reason: StockReleaseReason,
  releasedAt: Date,
): OutgoingEvent<StockReleasedV1> {
  return {
    type: 'waybill.inventory.stock-released.v1',
    subject: reservation.orderId,
    data: {
      orderId: reservation.orderId,
      reservationId: reservation.id,
      reason,
      lines: stockLines(reservation.lines),
      releasedAt: releasedAt.toISOString(),
    },
  };
}

export function stockCommitted(reservation: Reservation, committedAt: Date): OutgoingEvent<StockCommittedV1> {
  return {
    type: 'waybill.inventory.stock-committed.v1',
    subject: reservation.orderId,
    data: {
      orderId: reservation.orderId,
      reservationId: reservation.id,
      lines: stockLines(reservation.lines),
      committedAt: committedAt.toISOString(),
    },
  };
}
