import { DynamicModule, Module } from '@nestjs/common';
import { eventRegistry } from '@waybill/contracts';
import { WaybillServiceModule } from '@waybill/eventing';
import { PaymentConfig } from './payment.config';
import { PAYMENT_MIGRATIONS } from './persistence/migrations';

@Module({})
export class PaymentModule {
  static forRoot(config: PaymentConfig): DynamicModule {
    return {
      module: PaymentModule,
      imports: [
        WaybillServiceModule.forRoot({
          service: 'payment',
          config,
          registry: eventRegistry,
          migrations: PAYMENT_MIGRATIONS,
        }),
      ],
    };
  }
}
