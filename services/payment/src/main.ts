import 'reflect-metadata';
import { runService } from '@waybill/eventing';
import { PaymentConfig } from './payment.config';
import { PaymentModule } from './payment.module';
import { PAYMENT_MIGRATIONS } from './persistence/migrations';

void runService({
  service: 'payment',
  config: PaymentConfig,
  module: (config) => PaymentModule.forRoot(config),
  migrations: PAYMENT_MIGRATIONS,
});
