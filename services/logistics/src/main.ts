import 'reflect-metadata';
import { runService } from '@waybill/eventing';
import { LogisticsConfig } from './logistics.config';
import { LogisticsModule } from './logistics.module';
import { LOGISTICS_MIGRATIONS } from './persistence/migrations';

void runService({
  service: 'logistics',
  config: LogisticsConfig,
  module: (config) => LogisticsModule.forRoot(config),
  migrations: LOGISTICS_MIGRATIONS,
});
