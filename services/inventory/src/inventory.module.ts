import { DynamicModule, Module } from '@nestjs/common';
import { eventRegistry } from '@waybill/contracts';
import { WaybillServiceModule } from '@waybill/eventing';
import { InventoryConfig } from './inventory.config';
import { INVENTORY_MIGRATIONS } from './persistence/migrations';

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
    };
  }
}
