import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { decideTracking } from '../domain/shipment';
import type { TrackingUpdate } from '../domain/tracking-update';
import { LogisticsMetrics } from '../logistics-metrics';
import { Shipment, ShipmentRepository } from '../persistence/shipment.repository';
import { Publish, statusEvents } from './shipment-events';

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
    manager: EntityManager,
    shipment: Shipment,
    update: TrackingUpdate,
    source: string,
    publish: Publish,
    webhookId?: string,
  ): Promise<boolean> {
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
    await publish(statusEvents(shipment, update, decision));
    return true;
  }
}
