import { randomUUID } from 'node:crypto';
import { loadConfig } from '@waybill/platform';
import { UseCaseHarness } from '@waybill/testing';
import { AdvanceOrder } from '../src/advance-order/advance-order.service';
import { CancelOrder } from '../src/advance-order/cancel-order.service';
import { CancelStorefrontOrder } from '../src/advance-order/cancel-storefront-order.service';
import { OrderConfig } from '../src/order.config';
import { ORDER_MIGRATIONS } from '../src/persistence/migrations';
import { OrderRepository } from '../src/persistence/order.repository';
import { PlaceOrder, PlaceOrderCommand } from '../src/place-order/place-order.service';
import { OrderQueries } from '../src/query-orders/order-queries.service';

/**
 * The order service's use cases with their real repository on a database of their own (PostgreSQL
 * only), configured by `env` on top of what any order service needs.
 */
export function orderUseCases(env: Record<string, string> = {}): Promise<UseCaseHarness> {
  const config = loadConfig(OrderConfig, {
    DATABASE_URL: 'postgres://unused.invalid/order',
    KAFKA_BROKERS: 'unused.invalid:9092',
    // Nothing here is called over HTTP.
    WAYBILL_API_KEYS: '[]',
    ...env,
  });
  return UseCaseHarness.start({
    service: 'order',
    migrations: ORDER_MIGRATIONS,
    providers: [
      { provide: OrderConfig, useValue: config },
      OrderRepository,
      OrderQueries,
      PlaceOrder,
      AdvanceOrder,
      CancelOrder,
      CancelStorefrontOrder,
    ],
  });
}

/** A valid order of two lines (2 × 1,250 + 1 × 990 minor units) from storefront `shop-a`. */
export function orderCommand(overrides: Partial<PlaceOrderCommand> = {}): PlaceOrderCommand {
  return {
    storefrontId: 'shop-a',
    storefrontOrderId: `A-${randomUUID().slice(0, 8)}`,
    customer: { id: 'cust-1', email: 'ada@example.com' },
    lines: [
      { sku: 'MUG-1', quantity: 2, unitPrice: 1250 },
      { sku: 'TEE-2', quantity: 1, unitPrice: 990 },
    ],
    currency: 'EUR',
    shippingAddress: { line1: 'Ring 1', city: 'Wien', postalCode: '1010', country: 'AT' },
    payment: { provider: 'sandbox', token: 'tok_visa' },
    ...overrides,
  };
}

/** Places an order and forgets its order.placed, so a test sees only what comes after. */
export async function placedOrderId(
  harness: UseCaseHarness,
  overrides: Partial<PlaceOrderCommand> = {},
): Promise<string> {
  const outcome = await harness.run((uow) => harness.get(PlaceOrder).execute(uow, orderCommand(overrides)));
  if (outcome.kind !== 'placed') {
    throw new Error(`order not placed: ${outcome.kind}`);
  }
  await harness.enqueued();
  return outcome.orderId;
}

/** Moves a placed order to SHIPPED the way the saga's events would: reserved, authorized, shipment created. */
export async function shipOrder(harness: UseCaseHarness, orderId: string): Promise<void> {
  const advance = harness.get(AdvanceOrder);
  const inputs = [
    { type: 'stock-reserved', reservationId: randomUUID() },
    { type: 'payment-authorized', paymentId: randomUUID() },
    {
      type: 'shipment-created',
      shipmentId: randomUUID(),
      carrier: 'sandbox',
      trackingNumber: 'SBX1',
      createdAt: new Date().toISOString(),
    },
  ] as const;
  for (const input of inputs) {
    // An event moved it each time: the timeline names that event.
    const cause = { eventId: randomUUID(), eventType: `waybill.test.${input.type}.v1` };
    await harness.run((uow) => advance.execute(uow, { orderId, input, cause }));
  }
  await harness.enqueued();
}
