import 'reflect-metadata';
import { runService } from '@waybill/eventing';
import { InventoryConfig } from './inventory.config';
import { InventoryModule } from './inventory.module';

void runService({
  service: 'inventory',
  config: InventoryConfig,
  module: (config) => InventoryModule.forRoot(config),
});
