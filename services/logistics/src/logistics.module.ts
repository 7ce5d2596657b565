import { DynamicModule, Module } from '@nestjs/common';
import { eventRegistry } from '@waybill/contracts';
import { WaybillServiceModule } from '@waybill/eventing';
import { LogisticsConfig } from './logistics.config';
import { LOGISTICS_MIGRATIONS } from './persistence/migrations';

@Module({})
export class LogisticsModule {
  static forRoot(config: LogisticsConfig): DynamicModule {
    return {
      module: LogisticsModule,
      imports: [
        WaybillServiceModule.forRoot({
          service: 'logistics',
          config,
          registry: eventRegistry,
          migrations: LOGISTICS_MIGRATIONS,
        }),
      ],
    };
  }
}
