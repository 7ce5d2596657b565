import 'reflect-metadata';
import { runService } from '@waybill/eventing';
import { PaymentConfig } from './payment.config';
import { PaymentModule } from './payment.module';

void runService({
  service: 'payment',
  config: PaymentConfig,
  module: (config) => PaymentModule.forRoot(config),
});
