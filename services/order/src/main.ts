import 'reflect-metadata';
import { runService } from '@waybill/eventing';
import { OrderConfig } from './order.config';
import { OrderModule } from './order.module';

void runService({ service: 'order', config: OrderConfig, module: (config) => OrderModule.forRoot(config) });
