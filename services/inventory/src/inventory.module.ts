import { DynamicModule, Module } from '@nestjs/common';
import { eventRegistry } from '@waybill/contracts';
import { WaybillServiceModule, webhookIngressProviders } from '@waybill/eventing';
import { CommitReservationService } from './commit-reservation/commit-reservation.service';
import { ConfirmReservationService } from './confirm-reservation/confirm-reservation.service';
import { LogisticsEventsController } from './events/logistics-events.controller';
import { OrderEventsController } from './events/order-events.controller';
import { ReplenishmentTriggersController } from './events/replenishment-triggers.controller';
import { ExpireReservationsService } from './expire-reservations/expire-reservations.service';
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
import { ReleaseReservationService } from './release-reservation/release-reservation.service';
import { ReservationReleaser } from './release-reservation/reservation-releaser';
import { DispatchSignal } from './replenishment/dispatch-signal';
import { PurchaseOrderDispatcher } from './replenishment/purchase-order-dispatcher';
import { PurchaseOrdersService } from './replenishment/purchase-orders.service';
import { ReplenishmentPlanner } from './replenishment/replenishment-planner';
import { ReplenishmentSweeper } from './replenishment/replenishment-sweeper';
import { ReplenishmentService } from './replenishment/replenishment.service';
import { ReserveStockService } from './reserve-stock/reserve-stock.service';
import { StockLevelsService } from './stock-levels/stock-levels.service';
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
        OrderEventsController,
        LogisticsEventsController,
        ReplenishmentController,
        PurchaseOrdersController,
        SupplierWebhooksController,
        ReplenishmentTriggersController,
      ],
      providers: [
        StockRepository,
        ReservationRepository,
        StockLevelsService,
        ReserveStockService,
        ConfirmReservationService,
        ReservationReleaser,
        ReleaseReservationService,
        CommitReservationService,
        ExpireReservationsService,
        ReservationExpirySweeper,
        // replenishment
        ReplenishmentPolicyRepository,
        PurchaseOrderRepository,
        DispatchSignal,
        ReplenishmentPlanner,
        ReplenishmentService,
        ReplenishmentSweeper,
        PurchaseOrdersService,
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
