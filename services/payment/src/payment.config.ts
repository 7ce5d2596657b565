import { EventDrivenServiceConfig } from '@waybill/eventing';

export class PaymentConfig extends EventDrivenServiceConfig {
  override PORT = 3003;
}
