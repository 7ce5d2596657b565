import 'reflect-metadata';
import { runService } from '@waybill/eventing';
import { OrderConfig } from './order.config';
import { OrderModule } from './order.module';
import { ORDER_MIGRATIONS } from './persistence/migrations';

void runService({
  service: 'order',
  config: OrderConfig,
  module: (config) => OrderModule.forRoot(config),
  migrations: ORDER_MIGRATIONS,
});
