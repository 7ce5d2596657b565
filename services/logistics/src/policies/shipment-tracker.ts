import { Injectable, Logger } from '@nestjs/common';
import type { UnitOfWork } from '@waybill/eventing';
import { decideTracking } from '../domain/shipment';
import type { TrackingUpdate } from '../domain/tracking-update';
import { LogisticsMetrics } from '../logistics-metrics';
import { Shipment, ShipmentRepository } from '../persistence/shipment.repository';
import { statusEvents } from './shipment-events';

export interface TrackingUpdateCommand {
  /** Locked by the caller. */
  readonly shipment: Shipment;
  readonly update: TrackingUpdate;
  /** Who reported it: the carrier's name, or `logistics` for our own notes. */
  readonly source: string;
  /** The stored webhook it came in, if any. */
  readonly webhookId?: string;
}

/**
 * Applies one tracking update to a locked shipment: into the history once (a duplicate stops
 * here), through the state machine, and out as events in the same transaction.
 */
@Injectable()
export class ShipmentTracker {
  private readonly logger = new Logger(ShipmentTracker.name);

  constructor(
    private readonly shipments: ShipmentRepository,
    private readonly metrics: LogisticsMetrics,
  ) {}

  /** Returns whether the status changed. */
  async apply(
    uow: UnitOfWork,
    { shipment, update, source, webhookId }: TrackingUpdateCommand,
  ): Promise<boolean> {
    const { manager } = uow;
    const decision = decideTracking(shipment, update);
    const recorded = await this.shipments.recordTracking(manager, {
      shipmentId: shipment.id,
      source,
      update,
      decision,
      webhookId,
    });
    if (!recorded) {
      return false;
    }
    if (!update.mapped) {
      this.logger.warn(`${source} status ${update.carrierStatus} is in no mapping table; kept as unknown`);
      await this.shipments.countUnmapped(manager, source, update.carrierStatus);
      this.metrics.unmappedStatus(source);
    }
    if (decision.kind !== 'applied') {
      return false;
    }
    await this.shipments.setStatus(manager, shipment.id, decision.status, update.occurredAt);
    await uow.publish(statusEvents(shipment, update, decision));
    return true;
  }
}
