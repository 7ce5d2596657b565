import { DynamicModule, Module } from '@nestjs/common';
import { eventRegistry } from '@waybill/contracts';
import { idempotencyProviders, WaybillServiceModule } from '@waybill/eventing';
import { AdvanceOrder } from './advance-order/advance-order.service';
import { CancelOrder } from './advance-order/cancel-order.service';
import { CancelStorefrontOrder } from './advance-order/cancel-storefront-order.service';
import { InventoryEventHandlers } from './events/inventory-events.handlers';
import { LogisticsEventHandlers } from './events/logistics-events.handlers';
import { PaymentEventHandlers } from './events/payment-events.handlers';
import { StorefrontEventHandlers } from './events/storefront-events.handlers';
import { OrdersController } from './http/orders.controller';
import { OrderConfig } from './order.config';
import { OrderMetrics } from './order-metrics';
import { ORDER_MIGRATIONS } from './persistence/migrations';
import { OrderRepository } from './persistence/order.repository';
import { PlaceOrderRequestHandler } from './place-order/place-order-request.service';
import { PlaceOrder } from './place-order/place-order.service';
import { OrderQueries } from './query-orders/order-queries.service';

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
      controllers: [
        OrdersController,
        InventoryEventHandlers,
        PaymentEventHandlers,
        LogisticsEventHandlers,
        StorefrontEventHandlers,
      ],
      providers: [
        OrderRepository,
        OrderQueries,
        PlaceOrder,
        PlaceOrderRequestHandler,
        AdvanceOrder,
        CancelOrder,
        CancelStorefrontOrder,
        ...idempotencyProviders({
          ttlHours: config.ORDER_IDEMPOTENCY_TTL_HOURS,
          abandonAfterSeconds: config.ORDER_IDEMPOTENCY_ABANDON_AFTER_SECONDS,
          purgeIntervalSeconds: config.ORDER_IDEMPOTENCY_PURGE_INTERVAL_SECONDS,
        }),
        OrderMetrics,
      ],
    };
  }
}
