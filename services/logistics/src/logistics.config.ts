import { EventDrivenServiceConfig } from '@waybill/eventing';

export class LogisticsConfig extends EventDrivenServiceConfig {
  override PORT = 3004;
}
