import 'reflect-metadata';
import { runService } from '@waybill/eventing';
import { InventoryConfig } from './inventory.config';
import { InventoryModule } from './inventory.module';
import { INVENTORY_MIGRATIONS } from './persistence/migrations';

void runService({
  service: 'inventory',
  config: InventoryConfig,
  module: (config) => InventoryModule.forRoot(config),
  migrations: INVENTORY_MIGRATIONS,
});
