import { EventDrivenServiceConfig } from '@waybill/eventing';

export class OrderConfig extends EventDrivenServiceConfig {
  override PORT = 3001;
}
