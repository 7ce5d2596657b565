import { EventDrivenServiceConfig } from '@waybill/eventing';

export class InventoryConfig extends EventDrivenServiceConfig {
  override PORT = 3002;
}
