import { DynamicModule, Module } from '@nestjs/common';
import { eventRegistry } from '@waybill/contracts';
import { WaybillServiceModule } from '@waybill/eventing';
import { OrderConfig } from './order.config';
import { ORDER_MIGRATIONS } from './persistence/migrations';

@Module({})
export class OrderModule {
  static forRoot(config: OrderConfig): DynamicModule {
    return {
      module: OrderModule,
      imports: [
        WaybillServiceModule.forRoot({
          service: 'order',
          config,
          registry: eventRegistry,
          migrations: ORDER_MIGRATIONS,
        }),
      ],
    };
  }
}
