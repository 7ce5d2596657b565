import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { ShipmentStatus } from '@waybill/contracts';
import type { TrackingDecision } from '../domain/shipment';
import type { TrackingUpdate } from '../domain/tracking-update';

export interface Shipment {
  readonly id: string;
  readonly orderId: string;
  /** Whose order it is: a storefront reads only its own shipments. */
  readonly storefrontId: string;
  readonly carrier: string;
  readonly trackingNumber: string;
  readonly carrierShipmentId?: string;
  readonly labelRef?: string;
  readonly status: ShipmentStatus;
  readonly statusOccurredAt: string;
  readonly weightGrams: number;
  readonly destinationCountry: string;
  /**
   * The trace and correlation of the order.confirmed that booked it: carrier webhooks arrive
   * later, outside any trace, and continue this one, so the whole order stays one trace.
   */
  readonly traceparent?: string;
  readonly correlationId?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface TrackingRecord {
  readonly source: string;
  readonly carrierStatus: string;
  readonly status: ShipmentStatus;
  readonly mapped: boolean;
  readonly applied: boolean;
  readonly notAppliedReason?: string;
  readonly occurredAt: string;
  readonly location?: string;
  readonly message?: string;
  readonly recordedAt: string;
}

export interface UnmappedStatusCount {
  readonly carrier: string;
  readonly carrierStatus: string;
  readonly occurrences: number;
  readonly firstSeenAt: string;
  readonly lastSeenAt: string;
}

type Row = Record<string, unknown>;

const SHIPMENT_COLUMNS = `id, order_id, storefront_id, carrier, tracking_number, carrier_shipment_id, label_ref, status,
  status_occurred_at, weight_grams, destination_country, traceparent, correlation_id, created_at, updated_at`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function iso(value: unknown): string {
  return (value as Date).toISOString();
}

function optional(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function toShipment(row: Row): Shipment {
  return {
    id: row.id as string,
    orderId: row.order_id as string,
    storefrontId: row.storefront_id as string,
    carrier: row.carrier as string,
    trackingNumber: row.tracking_number as string,
    carrierShipmentId: optional(row.carrier_shipment_id),
    labelRef: optional(row.label_ref),
    status: row.status as ShipmentStatus,
    statusOccurredAt: iso(row.status_occurred_at),
    weightGrams: row.weight_grams as number,
    destinationCountry: row.destination_country as string,
    traceparent: optional(row.traceparent),
    correlationId: optional(row.correlation_id),
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

/** Shipments and their tracking history in SQL. A read that precedes a change locks the row. */
@Injectable()
export class ShipmentRepository {
  async insert(manager: EntityManager, shipment: Omit<Shipment, 'createdAt' | 'updatedAt'>): Promise<void> {
    await manager.query(
      `INSERT INTO shipments (id, order_id, storefront_id, carrier, tracking_number, carrier_shipment_id, label_ref,
         status, status_occurred_at, weight_grams, destination_country, traceparent, correlation_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
      [
        shipment.id,
        shipment.orderId,
        shipment.storefrontId,
        shipment.carrier,
        shipment.trackingNumber,
        shipment.carrierShipmentId ?? null,
        shipment.labelRef ?? null,
        shipment.status,
        shipment.statusOccurredAt,
        shipment.weightGrams,
        shipment.destinationCountry,
        shipment.traceparent ?? null,
        shipment.correlationId ?? null,
      ],
    );
  }

  /**
   * Serialises everything logistics does for one order until this transaction ends, including
   * while no shipment row exists yet (a booking in flight): two deliveries of order.confirmed in
   * a consumer rebalance, or a cancellation racing a booking, wait for each other instead of both
   * calling the carrier.
   */
  async lockOrder(manager: EntityManager, orderId: string): Promise<void> {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
      `logistics:order:${orderId}`,
    ]);
  }

  async lockByOrder(manager: EntityManager, orderId: string): Promise<Shipment | undefined> {
    const rows = await manager.query<Row[]>(
      `SELECT ${SHIPMENT_COLUMNS} FROM shipments WHERE order_id = $1 FOR UPDATE`,
      [orderId],
    );
    return rows[0] ? toShipment(rows[0]) : undefined;
  }

  /**
   * The shipment a carrier's tracking update is about, locked. A carrier speaks for its own
   * parcels (`carrier` given); an aggregator for any carrier's (`carrier` undefined).
   */
  async lockByTrackingNumber(
    manager: EntityManager,
    trackingNumber: string,
    carrier: string | undefined,
  ): Promise<Shipment | undefined> {
    const rows = await manager.query<Row[]>(
      `SELECT ${SHIPMENT_COLUMNS} FROM shipments
       WHERE tracking_number = $1 AND ($2::text IS NULL OR carrier = $2)
       ORDER BY created_at DESC LIMIT 1 FOR UPDATE`,
      [trackingNumber, carrier ?? null],
    );
    return rows[0] ? toShipment(rows[0]) : undefined;
  }

  /** The carrier's shipment with this id, locked; undefined for an id that is not one of ours (not a UUID). */
  async lockByIdForCarrier(
    manager: EntityManager,
    id: string,
    carrier: string,
  ): Promise<Shipment | undefined> {
    if (!UUID.test(id)) {
      return undefined;
    }
    const rows = await manager.query<Row[]>(
      `SELECT ${SHIPMENT_COLUMNS} FROM shipments WHERE id = $1 AND carrier = $2 FOR UPDATE`,
      [id, carrier],
    );
    return rows[0] ? toShipment(rows[0]) : undefined;
  }

  async setStatus(
    manager: EntityManager,
    id: string,
    status: ShipmentStatus,
    occurredAt: string,
  ): Promise<void> {
    await manager.query(
      `UPDATE shipments SET status = $2, status_occurred_at = $3, updated_at = now() WHERE id = $1`,
      [id, status, occurredAt],
    );
  }

  /**
   * Appends an update to the history. False when this very event (same source, code, status and
   * time) is already there: a duplicate, which must not be applied again.
   */
  async recordTracking(
    manager: EntityManager,
    entry: {
      readonly shipmentId: string;
      readonly source: string;
      readonly update: TrackingUpdate;
      readonly decision: TrackingDecision;
      readonly webhookId?: string;
    },
  ): Promise<boolean> {
    const { update, decision } = entry;
    const rows = await manager.query<Row[]>(
      `INSERT INTO shipment_tracking_events (shipment_id, source, carrier_status, status, mapped, applied,
         not_applied_reason, occurred_at, location, message, webhook_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT (shipment_id, source, carrier_status, status, occurred_at) DO NOTHING
       RETURNING id`,
      [
        entry.shipmentId,
        entry.source,
        update.carrierStatus,
        update.status,
        update.mapped,
        decision.kind === 'applied',
        decision.kind === 'recorded' ? decision.reason : null,
        update.occurredAt,
        update.location ?? null,
        update.message ?? null,
        entry.webhookId ?? null,
      ],
    );
    return rows.length === 1;
  }

  /** One more sighting of a carrier code no table maps: operators see which mappings to add. */
  async countUnmapped(manager: EntityManager, carrier: string, carrierStatus: string): Promise<void> {
    await manager.query(
      `INSERT INTO unmapped_carrier_statuses (carrier, carrier_status, occurrences) VALUES ($1, $2, 1)
       ON CONFLICT (carrier, carrier_status)
       DO UPDATE SET occurrences = unmapped_carrier_statuses.occurrences + 1, last_seen_at = now()`,
      [carrier, carrierStatus],
    );
  }

  async find(manager: EntityManager, id: string): Promise<Shipment | undefined> {
    const rows = await manager.query<Row[]>(`SELECT ${SHIPMENT_COLUMNS} FROM shipments WHERE id = $1`, [id]);
    return rows[0] ? toShipment(rows[0]) : undefined;
  }

  async findByOrder(manager: EntityManager, orderId: string): Promise<Shipment[]> {
    const rows = await manager.query<Row[]>(
      `SELECT ${SHIPMENT_COLUMNS} FROM shipments WHERE order_id = $1 ORDER BY created_at`,
      [orderId],
    );
    return rows.map(toShipment);
  }

  /** Oldest first, by the carrier's clock, then by arrival. */
  async history(manager: EntityManager, shipmentId: string): Promise<TrackingRecord[]> {
    const rows = await manager.query<Row[]>(
      `SELECT source, carrier_status, status, mapped, applied, not_applied_reason, occurred_at, location, message,
              recorded_at
       FROM shipment_tracking_events WHERE shipment_id = $1 ORDER BY occurred_at, id`,
      [shipmentId],
    );
    return rows.map((row) => ({
      source: row.source as string,
      carrierStatus: row.carrier_status as string,
      status: row.status as ShipmentStatus,
      mapped: row.mapped as boolean,
      applied: row.applied as boolean,
      notAppliedReason: optional(row.not_applied_reason),
      occurredAt: iso(row.occurred_at),
      location: optional(row.location),
      message: optional(row.message),
      recordedAt: iso(row.recorded_at),
    }));
  }

  async unmappedStatuses(manager: EntityManager): Promise<UnmappedStatusCount[]> {
    const rows = await manager.query<Row[]>(
      `SELECT carrier, carrier_status, occurrences, first_seen_at, last_seen_at
       FROM unmapped_carrier_statuses ORDER BY occurrences DESC, carrier, carrier_status`,
    );
    return rows.map((row) => ({
      carrier: row.carrier as string,
      carrierStatus: row.carrier_status as string,
      occurrences: Number(row.occurrences),
      firstSeenAt: iso(row.first_seen_at),
      lastSeenAt: iso(row.last_seen_at),
    }));
  }
}
