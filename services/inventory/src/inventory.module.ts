import { DynamicModule, Module } from '@nestjs/common';
import { eventRegistry } from '@waybill/contracts';
import { WaybillServiceModule, webhookIngressProviders } from '@waybill/eventing';
import { CommitReservation } from './commit-reservation/commit-reservation.service';
import { ConfirmReservation } from './confirm-reservation/confirm-reservation.service';
import { LogisticsEventHandlers } from './events/logistics-events.handlers';
import { OrderEventHandlers } from './events/order-events.handlers';
import { ReplenishmentTriggerEventHandlers } from './events/replenishment-trigger-events.handlers';
import { ExpireReservations } from './expire-reservations/expire-reservations.service';
import { ReservationExpirySweeper } from './expire-reservations/reservation-expiry.sweeper';
import { PurchaseOrdersController } from './http/purchase-orders.controller';
import { ReplenishmentController } from './http/replenishment.controller';
import { StockController } from './http/stock.controller';
import { SupplierWebhooksController } from './http/supplier-webhooks.controller';
import { InventoryConfig } from './inventory.config';
import { InventoryMetrics } from './inventory-metrics';
import { INVENTORY_MIGRATIONS } from './persistence/migrations';
import { PurchaseOrderRepository } from './persistence/purchase-order.repository';
import { ReplenishmentPolicyRepository } from './persistence/replenishment-policy.repository';
import { ReservationRepository } from './persistence/reservation.repository';
import { StockRepository } from './persistence/stock.repository';
import { ReleaseReservation } from './release-reservation/release-reservation.service';
import { ReservationReleaser } from './policies/reservation-releaser';
import { PurchaseOrderDispatcher } from './replenishment/purchase-order-dispatcher';
import { CancelPurchaseOrder, PurchaseOrderQueries } from './replenishment/purchase-orders.service';
import { ReplenishmentPlanner } from './policies/replenishment-planner';
import { ReplenishmentSweeper } from './replenishment/replenishment-sweeper';
import {
  GetReplenishmentPolicy,
  PutReplenishmentPolicy,
  RunReplenishment,
} from './replenishment/replenishment.service';
import { ReserveStock } from './reserve-stock/reserve-stock.service';
import { GetStockLevel, SetStockLevel } from './stock-levels/stock-levels.service';
import { ReceiveSupplierMessageService } from './supplier-messages/receive-supplier-message.service';
import { SupplierAdapters } from './suppliers/supplier-adapters';
import { Suppliers } from './suppliers/suppliers';

@Module({})
export class InventoryModule {
  static forRoot(config: InventoryConfig): DynamicModule {
    return {
      module: InventoryModule,
      imports: [
        WaybillServiceModule.forRoot({
          service: 'inventory',
          config,
          registry: eventRegistry,
          migrations: INVENTORY_MIGRATIONS,
        }),
      ],
      controllers: [
        StockController,
        OrderEventHandlers,
        LogisticsEventHandlers,
        ReplenishmentController,
        PurchaseOrdersController,
        SupplierWebhooksController,
        ReplenishmentTriggerEventHandlers,
      ],
      providers: [
        StockRepository,
        ReservationRepository,
        GetStockLevel,
        SetStockLevel,
        ReserveStock,
        ConfirmReservation,
        ReservationReleaser,
        ReleaseReservation,
        CommitReservation,
        ExpireReservations,
        ReservationExpirySweeper,
        // replenishment
        ReplenishmentPolicyRepository,
        PurchaseOrderRepository,
        ReplenishmentPlanner,
        GetReplenishmentPolicy,
        PutReplenishmentPolicy,
        RunReplenishment,
        ReplenishmentSweeper,
        PurchaseOrderQueries,
        CancelPurchaseOrder,
        Suppliers,
        ReceiveSupplierMessageService,
        // Every supplier message is applied in the request (see ReceiveSupplierMessageService): no worker.
        ...webhookIngressProviders({
          maxBytes: config.INVENTORY_SUPPLIER_WEBHOOK_MAX_BYTES,
          senderKind: 'supplier',
        }),
        SupplierAdapters,
        PurchaseOrderDispatcher,
        InventoryMetrics,
      ],
    };
  }
}
