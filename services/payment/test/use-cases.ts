import { createHmac, randomUUID } from 'node:crypto';
import { Provider } from '@nestjs/common';
import {
  exampleData,
  OrderCancelledV1,
  OrderPlacedV1,
  ShipmentCreatedV1,
  StockReservedV1,
} from '@waybill/contracts';
import { idempotencyProviders, StoredWebhook } from '@waybill/eventing';
import { loadConfig, WebhookOutcomes } from '@waybill/platform';
import { UseCaseHarness } from '@waybill/testing';
import { FakeStripe } from '@waybill/testing/parties';
import { AdvancePayment } from '../src/advance-payment/advance-payment.service';
import { GetPayment } from '../src/get-payment/get-payment.service';
import { PaymentConfig } from '../src/payment.config';
import { paymentWebhookIngress } from '../src/payment.module';
import { PaymentWebhookHandler } from '../src/events/payment-webhook.handler';
import { ReceiveWebhookService } from '../src/payment-webhooks/receive-webhook.service';
import { PAYMENT_MIGRATIONS } from '../src/persistence/migrations';
import { PaymentRepository } from '../src/persistence/payment.repository';
import { PaymentProviders } from '../src/providers/payment-providers';
import { SANDBOX_SIGNATURE_HEADER } from '../src/providers/sandbox.provider';
import { Refunds } from '../src/policies/refunds';
import { PaymentDecisions } from '../src/policies/payment-decisions';
import { CheckAwaitedPayments } from '../src/check-awaited-payments/check-awaited-payments.service';
import { RefundPayment, RefundPaymentRequestHandler } from '../src/refund-payment/refund-payment.service';

export const SANDBOX_WEBHOOK_SECRET = 'whsec_use_case_sandbox';

export interface PaymentUseCaseOptions {
  /** More configuration, e.g. a fake Stripe's `PAYMENT_STRIPE_API_BASE` and key. */
  readonly env?: Record<string, string>;
  /**
   * The webhook ingress with its background inbox worker (it applies stored webhooks behind the
   * test's back, so only the receive spec asks for it).
   */
  readonly webhookIngress?: boolean;
}

/**
 * Payment's use cases with their real repository on a database of their own (PostgreSQL only).
 * The partners are the adapters the configuration names: the in-process sandbox, and Stripe when
 * `env` points it at a fake Stripe over HTTP.
 */
export function paymentUseCases(options: PaymentUseCaseOptions = {}): Promise<UseCaseHarness> {
  const config = loadConfig(PaymentConfig, {
    DATABASE_URL: 'postgres://unused.invalid/payment',
    KAFKA_BROKERS: 'unused.invalid:9092',
    // Nothing here is called over HTTP.
    WAYBILL_API_KEYS: '[]',
    PAYMENT_SANDBOX_WEBHOOK_SECRET: SANDBOX_WEBHOOK_SECRET,
    // sandbox_timeout retries with no wait; what is tested is the outcome, not the backoff.
    PAYMENT_PROVIDER_RETRY_BACKOFF_MS: '0',
    // The worker is woken by each stored webhook; its sweep would only repeat that.
    PAYMENT_WEBHOOK_POLL_INTERVAL_MS: '600000',
    ...options.env,
  });
  const ingress: Provider[] = options.webhookIngress
    ? [ReceiveWebhookService, WebhookOutcomes, ...paymentWebhookIngress(config)]
    : [PaymentWebhookHandler];
  return UseCaseHarness.start({
    service: 'payment',
    migrations: PAYMENT_MIGRATIONS,
    providers: [
      { provide: PaymentConfig, useValue: config },
      PaymentProviders,
      PaymentRepository,
      AdvancePayment,
      Refunds,
      PaymentDecisions,
      CheckAwaitedPayments,
      RefundPayment,
      RefundPaymentRequestHandler,
      GetPayment,
      ...idempotencyProviders({ ttlHours: 24, abandonAfterSeconds: 60, purgeIntervalSeconds: 86_400 }),
      ...ingress,
    ],
  });
}

/**
 * The use cases with Stripe as well, played by a fake Stripe over HTTP: for what the sandbox never
 * answers (a 503 outage, a refused capture). Two attempts per call, so `failNext = 2` is an outage.
 */
export async function paymentUseCasesWithStripe(): Promise<{ harness: UseCaseHarness; stripe: FakeStripe }> {
  const stripe = await FakeStripe.start();
  const harness = await paymentUseCases({
    env: {
      PAYMENT_STRIPE_API_BASE: stripe.baseUrl,
      PAYMENT_STRIPE_API_KEY: stripe.apiKey,
      PAYMENT_PROVIDER_MAX_ATTEMPTS: '2',
    },
  }).catch(async (error: unknown) => {
    await stripe.stop();
    throw error;
  });
  return { harness, stripe };
}

/** order.placed of 5,390 EUR minor units paid with `paymentMethodRef` at `provider`. */
export function orderPlaced(
  orderId: string,
  paymentMethodRef: string,
  provider = 'sandbox',
  totalAmount = 5390,
  currency = 'EUR',
): OrderPlacedV1 {
  return exampleData<OrderPlacedV1>('waybill.order.placed.v1', {
    orderId,
    storefrontOrderId: `SO-${orderId.slice(0, 8)}`,
    totalAmount,
    currency,
    payment: { provider, paymentMethodRef },
  });
}

export function stockReserved(orderId: string): StockReservedV1 {
  return exampleData<StockReservedV1>('waybill.inventory.stock-reserved.v1', {
    orderId,
    reservationId: randomUUID(),
  });
}

export function orderCancelled(orderId: string): OrderCancelledV1 {
  return exampleData<OrderCancelledV1>('waybill.order.cancelled.v1', {
    orderId,
    reason: 'ORDER.CUSTOMER_REQUEST',
    reservationId: undefined,
  });
}

export function shipmentCreated(orderId: string): ShipmentCreatedV1 {
  return exampleData<ShipmentCreatedV1>('waybill.shipment.created.v1', {
    orderId,
    shipmentId: randomUUID(),
  });
}

export interface PaymentRow {
  status: string;
  provider: string | null;
  provider_payment_ref: string | null;
  amount: string | null;
  captured_amount: string;
  refunded_amount: string;
  refund_count: number;
  failure_reason: string | null;
  decline_code: string | null;
  void_reason: string | null;
}

/** The order's payment row, or undefined when none was written. */
export async function paymentRow(harness: UseCaseHarness, orderId: string): Promise<PaymentRow | undefined> {
  const [row] = await harness.query<PaymentRow>(
    `SELECT status, provider, provider_payment_ref, amount, captured_amount, refunded_amount, refund_count,
            failure_reason, decline_code, void_reason
       FROM payments WHERE order_id = $1`,
    [orderId],
  );
  return row;
}

/**
 * Plays order.placed and stock-reserved for a new order (authorizing it, or whatever the token
 * says), then forgets what was enqueued, so a test sees only what comes after.
 */
export async function placedAndReserved(
  harness: UseCaseHarness,
  paymentMethodRef = 'sandbox_approve',
  provider = 'sandbox',
): Promise<string> {
  const orderId = randomUUID();
  const advance = harness.get(AdvancePayment);
  await harness.run((uow) =>
    advance.execute(uow, { type: 'order-placed', order: orderPlaced(orderId, paymentMethodRef, provider) }),
  );
  await harness.run((uow) => advance.execute(uow, { type: 'stock-reserved', stock: stockReserved(orderId) }));
  await harness.enqueued();
  return orderId;
}

/** An order whose payment was authorized and then captured on its shipment. */
export async function capturedOrder(harness: UseCaseHarness, provider = 'sandbox'): Promise<string> {
  const orderId = await placedAndReserved(
    harness,
    provider === 'stripe' ? 'pm_card_visa' : 'sandbox_approve',
    provider,
  );
  await harness.run((uow) =>
    harness
      .get(AdvancePayment)
      .execute(uow, { type: 'shipment-created', shipment: shipmentCreated(orderId) }),
  );
  const row = await paymentRow(harness, orderId);
  if (row?.status !== 'CAPTURED') {
    throw new Error(`payment of order ${orderId} not captured: ${row?.status ?? 'no row'}`);
  }
  await harness.enqueued();
  return orderId;
}

/** A sandbox webhook body and its `Sandbox-Signature` header, signed now with the configured secret. */
export function signedSandboxWebhook(
  type: string,
  data: Record<string, unknown>,
  id = `evt_${randomUUID()}`,
): { id: string; rawBody: Buffer; headers: Record<string, string> } {
  const rawBody = Buffer.from(JSON.stringify({ id, type, data }));
  const t = Math.floor(Date.now() / 1000);
  const mac = createHmac('sha256', SANDBOX_WEBHOOK_SECRET).update(`${t}.`).update(rawBody).digest('hex');
  return { id, rawBody, headers: { [SANDBOX_SIGNATURE_HEADER.toLowerCase()]: `t=${t},v1=${mac}` } };
}

/** A verified sandbox webhook as the inbox worker hands it to the handler. */
export function storedSandboxWebhook(
  type: string,
  data: Record<string, unknown>,
  source = 'sandbox',
): StoredWebhook {
  const { id, rawBody, headers } = signedSandboxWebhook(type, data);
  return {
    id: '1',
    source,
    externalId: id,
    eventType: type,
    rawBody,
    headers,
    attempts: 0,
    receivedAt: new Date(),
  };
}
