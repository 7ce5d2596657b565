import { DynamicModule, Module } from '@nestjs/common';
import { eventRegistry } from '@waybill/contracts';
import { WaybillServiceModule } from '@waybill/eventing';
import { CommitReservationService } from './commit-reservation/commit-reservation.service';
import { ConfirmReservationService } from './confirm-reservation/confirm-reservation.service';
import { LogisticsEventsController } from './events/logistics-events.controller';
import { OrderEventsController } from './events/order-events.controller';
import { ExpireReservationsService } from './expire-reservations/expire-reservations.service';
import { ReservationExpirySweeper } from './expire-reservations/reservation-expiry.sweeper';
import { StockController } from './http/stock.controller';
import { InventoryConfig } from './inventory.config';
import { INVENTORY_MIGRATIONS } from './persistence/migrations';
import { ReservationRepository } from './persistence/reservation.repository';
import { StockRepository } from './persistence/stock.repository';
import { ReleaseReservationService } from './release-reservation/release-reservation.service';
import { ReservationReleaser } from './release-reservation/reservation-releaser';
import { ReserveStockService } from './reserve-stock/reserve-stock.service';
import { StockLevelsService } from './stock-levels/stock-levels.service';

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
      controllers: [StockController, OrderEventsController, LogisticsEventsController],
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
      ],
    };
  }
}
