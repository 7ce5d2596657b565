import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DomainError } from '@waybill/platform';
import {
  Shipment,
  ShipmentRepository,
  TrackingRecord,
  UnmappedStatusCount,
} from '../persistence/shipment.repository';
import { mayRead, ShipmentReader } from './shipment-reader';

/** What the unmapped-status report answers, for the HTTP edge (which never imports persistence/). */
export type { UnmappedStatusCount };

export interface ShipmentView extends Shipment {
  /** Every update received, oldest first; `applied: false` ones were recorded, not applied. */
  readonly history: readonly TrackingRecord[];
}

@Injectable()
export class ShipmentQueries {
  constructor(
    private readonly dataSource: DataSource,
    private readonly shipments: ShipmentRepository,
  ) {}

  /** Another storefront's shipment is a 404, as if it did not exist. */
  async get(reader: ShipmentReader, id: string): Promise<ShipmentView> {
    const shipment = await this.shipments.find(this.dataSource.manager, id);
    if (!shipment || !mayRead(reader, shipment)) {
      throw new DomainError('LOGISTICS.SHIPMENT_NOT_FOUND', `shipment ${id} does not exist`, {
        kind: 'not-found',
        details: { shipmentId: id },
      });
    }
    return this.withHistory(shipment);
  }

  async byOrder(reader: ShipmentReader, orderId: string): Promise<{ items: ShipmentView[] }> {
    const shipments = await this.shipments.findByOrder(this.dataSource.manager, orderId);
    const visible = shipments.filter((shipment) => mayRead(reader, shipment));
    return { items: await Promise.all(visible.map((shipment) => this.withHistory(shipment))) };
  }

  async unmappedStatuses(): Promise<{ items: UnmappedStatusCount[] }> {
    return { items: await this.shipments.unmappedStatuses(this.dataSource.manager) };
  }

  private async withHistory(shipment: Shipment): Promise<ShipmentView> {
    return { ...shipment, history: await this.shipments.history(this.dataSource.manager, shipment.id) };
  }
}
