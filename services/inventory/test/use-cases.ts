import { randomUUID } from 'node:crypto';
import { Provider } from '@nestjs/common';
import { exampleData, OrderPlacedV1 } from '@waybill/contracts';
import { loadConfig } from '@waybill/platform';
import { apiKeysEnv, testApiKey, UseCaseHarness } from '@waybill/testing';
import { CommitReservation } from '../src/commit-reservation/commit-reservation.service';
import { ConfirmReservation } from '../src/confirm-reservation/confirm-reservation.service';
import { ExpireReservations } from '../src/expire-reservations/expire-reservations.service';
import { InventoryConfig } from '../src/inventory.config';
import { INVENTORY_MIGRATIONS } from '../src/persistence/migrations';
import { PurchaseOrderRepository } from '../src/persistence/purchase-order.repository';
import { ReplenishmentPolicyRepository } from '../src/persistence/replenishment-policy.repository';
import { ReservationRepository } from '../src/persistence/reservation.repository';
import { StockRepository } from '../src/persistence/stock.repository';
import { ReleaseReservation } from '../src/release-reservation/release-reservation.service';
import { ReservationReleaser } from '../src/policies/reservation-releaser';
import { CancelPurchaseOrder, PurchaseOrderQueries } from '../src/replenishment/purchase-orders.service';
import { ReplenishmentPlanner } from '../src/policies/replenishment-planner';
import {
  GetReplenishmentPolicy,
  PutReplenishmentPolicy,
  RunReplenishment,
} from '../src/replenishment/replenishment.service';
import { ReserveStock } from '../src/reserve-stock/reserve-stock.service';
import { GetStockLevel, SetStockLevel } from '../src/stock-levels/stock-levels.service';
import { Suppliers } from '../src/suppliers/suppliers';

/** One configured supplier for the replenishment use cases; the sandbox adapter is never called here. */
export const SUPPLIER = 'acme';

/**
 * Inventory's use cases with their real repositories on a database of their own (the use-case
 * tier: PostgreSQL only). The background workers (sweepers, dispatcher, webhook ingress) are left
 * out: nothing changes rows behind a test's back.
 */
export async function inventoryUseCases(
  env: Record<string, string> = {},
  extraProviders: Provider[] = [],
): Promise<UseCaseHarness> {
  const config = loadConfig(InventoryConfig, {
    DATABASE_URL: 'postgres://unused.invalid/inventory',
    KAFKA_BROKERS: 'unused.invalid:9092',
    WAYBILL_API_KEYS: apiKeysEnv([testApiKey('admin', [])]),
    [`INVENTORY_SUPPLIER_${SUPPLIER.toUpperCase()}_ADAPTER`]: 'sandbox',
    ...env,
  });
  return UseCaseHarness.start({
    service: 'inventory',
    migrations: INVENTORY_MIGRATIONS,
    providers: [
      { provide: InventoryConfig, useValue: config },
      Suppliers,
      StockRepository,
      ReservationRepository,
      ReplenishmentPolicyRepository,
      PurchaseOrderRepository,
      ReplenishmentPlanner,
      ReservationReleaser,
      ReserveStock,
      ConfirmReservation,
      ReleaseReservation,
      CommitReservation,
      ExpireReservations,
      GetStockLevel,
      SetStockLevel,
      GetReplenishmentPolicy,
      PutReplenishmentPolicy,
      RunReplenishment,
      PurchaseOrderQueries,
      CancelPurchaseOrder,
      ...extraProviders,
    ],
  });
}

export function uniqueSku(label: string): string {
  return `${label}-${randomUUID().slice(0, 8)}`.toUpperCase();
}

export async function stockRow(
  harness: UseCaseHarness,
  sku: string,
): Promise<{ onHand: number; reserved: number; incoming: number } | undefined> {
  const [row] = await harness.query<{ on_hand: number; reserved: number; incoming: number }>(
    `SELECT on_hand, reserved, incoming FROM stock WHERE sku = $1`,
    [sku],
  );
  return row && { onHand: row.on_hand, reserved: row.reserved, incoming: row.incoming };
}

export function placedOrder(
  lines: { sku: string; quantity: number }[],
  orderId = randomUUID(),
): OrderPlacedV1 {
  return exampleData<OrderPlacedV1>('waybill.order.placed.v1', {
    orderId,
    storefrontOrderId: `EU-${orderId.slice(0, 8)}`,
    lines: lines.map((line) => ({ ...line, unitPrice: 990 })),
  });
}

export const EVENT_CAUSE = (eventType: string) => ({
  eventId: randomUUID(),
  eventType,
  correlationId: `flow-${randomUUID().slice(0, 8)}`,
});
