import { randomUUID } from 'node:crypto';
import type { DynamicModule } from '@nestjs/common';
import { MetricsScrape, ServiceUnderTest, startServiceForTest, uniqueTopicPrefix } from '@waybill/testing';
import { FakeStripe, signStandard, whsec } from '@waybill/testing/parties';
import type { EventDrivenServiceConfig } from '@waybill/eventing';
import { LogisticsConfig } from '../services/logistics/src/logistics.config';
import { LogisticsModule } from '../services/logistics/src/logistics.module';
import { PaymentConfig } from '../services/payment/src/payment.config';
import { PaymentModule } from '../services/payment/src/payment.module';
import {
  onlyPurchaseOrder,
  putPolicy,
  ReplenishmentUnderTest,
  startWithSupplier,
  uniqueSku,
  waitForState,
} from '../services/inventory/test/replenishment-support';
import { setStock } from '../services/inventory/test/support';

/**
 * Payment providers, carriers and suppliers enter through one webhook ingress: the same hostile
 * deliveries get the same answers (status and error body) and the same counts in
 * `waybill_webhooks_total{source,outcome}` from all three services.
 */

const LIMIT_BYTES = 2048;

/** One service's webhook route as its sender sees it: a body it acts on, and how it signs. */
interface Sender {
  readonly service: string;
  readonly baseUrl: string;
  readonly path: string;
  /** The `source` label: the provider, carrier or supplier slug. */
  readonly source: string;
  /** A fresh delivery the service acts on, with its delivery id; `padding` makes it large. */
  delivery(padding?: string): Promise<{ rawBody: string; id: string }>;
  /** The headers the sender signs a body with, as of `at`. */
  sign(rawBody: string, id: string, at: Date): Record<string, string>;
}

interface Answer {
  readonly status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly body: any;
}

async function post(sender: Sender, rawBody: string, headers: Record<string, string>): Promise<Answer> {
  const response = await fetch(`${sender.baseUrl}${sender.path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: rawBody,
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

const OUTCOMES = [
  'payload_too_large',
  'signature_missing',
  'timestamp_out_of_tolerance',
  'signature_mismatch',
  'verified',
  'duplicate',
] as const;

/** What one sender got for the five deliveries, and how the counter moved for its source. */
interface Observed {
  readonly oversize: Answer;
  readonly unsigned: Answer;
  readonly stale: Answer;
  readonly tampered: Answer;
  readonly first: Answer;
  readonly again: Answer;
  readonly counted: Record<(typeof OUTCOMES)[number], number>;
}

async function deliverHostileAndReplayed(sender: Sender): Promise<Observed> {
  const before = await MetricsScrape.of(sender.baseUrl);
  const now = new Date();

  const large = await sender.delivery('x'.repeat(LIMIT_BYTES * 2));
  const oversize = await post(sender, large.rawBody, sender.sign(large.rawBody, large.id, now));

  const plain = await sender.delivery();
  const unsigned = await post(sender, plain.rawBody, {});

  const old = await sender.delivery();
  const stale = await post(
    sender,
    old.rawBody,
    sender.sign(old.rawBody, old.id, new Date(now.getTime() - 3600_000)),
  );

  // Signed for one body, sent with another of the same shape.
  const signedFor = await sender.delivery();
  const swapped = await sender.delivery();
  const tampered = await post(sender, swapped.rawBody, sender.sign(signedFor.rawBody, signedFor.id, now));

  const real = await sender.delivery();
  const headers = sender.sign(real.rawBody, real.id, now);
  const first = await post(sender, real.rawBody, headers);
  const again = await post(sender, real.rawBody, headers);

  const after = await MetricsScrape.of(sender.baseUrl);
  const counted = Object.fromEntries(
    OUTCOMES.map((outcome) => {
      const labels = { source: sender.source, outcome };
      return [
        outcome,
        after.value('waybill_webhooks_total', labels) - before.value('waybill_webhooks_total', labels),
      ];
    }),
  ) as Observed['counted'];
  return { oversize, unsigned, stale, tampered, first, again, counted };
}

/** The part of an answer that must be the same whoever sent it. */
function shape(answer: Answer): { status: number; code?: string; keys: string[] } {
  return {
    status: answer.status,
    code: typeof answer.body?.code === 'string' ? answer.body.code : undefined,
    keys: Object.keys(answer.body ?? {}).sort(),
  };
}

function startPlain<C extends EventDrivenServiceConfig>(
  service: string,
  config: new () => C,
  module: (config: C) => DynamicModule,
  env: Record<string, string>,
): Promise<ServiceUnderTest<C>> {
  return startServiceForTest(
    { service, config, module },
    { topicPrefix: `${uniqueTopicPrefix(`ingress-${service}`)}.`, env },
  );
}

/** A purchase order for 20 units of a fresh SKU, sent to the supplier `acme`. */
async function sentPurchaseOrder(env: ReplenishmentUnderTest): Promise<string> {
  const sku = uniqueSku('ingress');
  await setStock(env.inventory, sku, 30);
  await putPolicy(env.inventory, sku, { reorderPoint: 5, orderUpTo: 25 });
  await setStock(env.inventory, sku, 5);
  const order = await onlyPurchaseOrder(env.inventory, sku);
  await waitForState(env.inventory, order.id, 'SENT');
  return order.poNumber as string;
}

describe('one webhook ingress for payment, logistics and inventory', () => {
  const paymentSecret = 'sandbox-provider-ingress-secret';
  const carrierSecret = whsec('sandbox carrier ingress secret');
  let payment: ServiceUnderTest<PaymentConfig> | undefined;
  let logistics: ServiceUnderTest<LogisticsConfig> | undefined;
  let inventory: ReplenishmentUnderTest | undefined;
  const observed = new Map<string, Observed>();

  beforeAll(async () => {
    payment = await startPlain('payment', PaymentConfig, (c) => PaymentModule.forRoot(c), {
      PAYMENT_SANDBOX_WEBHOOK_SECRET: paymentSecret,
      PAYMENT_WEBHOOK_MAX_BYTES: String(LIMIT_BYTES),
    });
    logistics = await startPlain('logistics', LogisticsConfig, (c) => LogisticsModule.forRoot(c), {
      LOGISTICS_SANDBOX_WEBHOOK_SECRET: carrierSecret,
      LOGISTICS_WEBHOOK_MAX_BYTES: String(LIMIT_BYTES),
    });
    inventory = await startWithSupplier({ INVENTORY_SUPPLIER_WEBHOOK_MAX_BYTES: String(LIMIT_BYTES) });

    const paymentUrl = payment.baseUrl;
    const logisticsUrl = logistics.baseUrl;
    const suppliers = inventory;
    let poNumber: string | undefined;
    let sent = 0;
    const senders: Sender[] = [
      {
        service: 'payment',
        baseUrl: paymentUrl,
        path: '/v1/webhooks/payments/sandbox',
        source: 'sandbox',
        delivery: (padding = '') => {
          const id = `evt_${randomUUID()}`;
          const data = { order_id: randomUUID(), note: padding };
          return Promise.resolve({ id, rawBody: JSON.stringify({ id, type: 'payment.authorized', data }) });
        },
        // The sandbox provider signs as Stripe does; the fake computes that scheme on its own.
        sign: (rawBody, _id, at) => ({
          'Sandbox-Signature': FakeStripe.signature(
            rawBody,
            [paymentSecret],
            Math.floor(at.getTime() / 1000),
          ),
        }),
      },
      {
        service: 'logistics',
        baseUrl: logisticsUrl,
        path: '/v1/webhooks/carriers/sandbox',
        source: 'sandbox',
        delivery: (padding = '') => {
          const data = {
            tracking_number: `SBX${randomUUID().slice(0, 12).toUpperCase()}`,
            status: 'in_transit',
            occurred_at: new Date().toISOString(),
            description: padding || undefined,
          };
          const rawBody = JSON.stringify({
            type: 'shipment.tracking_updated',
            timestamp: data.occurred_at,
            data,
          });
          return Promise.resolve({ id: `msg_${randomUUID()}`, rawBody });
        },
        sign: (rawBody, id, at) => signStandard(Buffer.from(rawBody), carrierSecret, at, id),
      },
      {
        service: 'inventory',
        baseUrl: suppliers.inventory.service.baseUrl,
        path: '/v1/webhooks/suppliers/acme',
        source: 'acme',
        // An acknowledgement of a purchase order that is really SENT, so the one delivery that is
        // verified applies; the refused ones never reach it.
        delivery: async (padding = '') => {
          poNumber ??= await sentPurchaseOrder(suppliers);
          // occurredAt tells two deliveries apart, so a body swapped under a signature differs.
          sent += 1;
          const body = {
            type: 'purchase_order.acknowledged',
            poNumber,
            occurredAt: new Date(Date.now() - sent).toISOString(),
            ...(padding && { reason: padding }),
          };
          return { id: `msg_${randomUUID()}`, rawBody: JSON.stringify(body) };
        },
        sign: (rawBody, id, at) => signStandard(Buffer.from(rawBody), suppliers.webhookSecret, at, id),
      },
    ];
    for (const sender of senders) {
      observed.set(sender.service, await deliverHostileAndReplayed(sender));
    }
  });

  afterAll(async () => {
    await payment?.stop();
    await logistics?.stop();
    await inventory?.stop();
  });

  const all = (): [string, Observed][] => [...observed.entries()];

  it('took the deliveries of all three services', () => {
    expect([...observed.keys()]).toEqual(['payment', 'logistics', 'inventory']);
  });

  it.each([
    ['oversize', 413, 'WEBHOOK.PAYLOAD_TOO_LARGE'],
    ['unsigned', 400, 'WEBHOOK.SIGNATURE_MISSING'],
    ['stale', 401, 'WEBHOOK.TIMESTAMP_OUT_OF_TOLERANCE'],
    ['tampered', 401, 'WEBHOOK.SIGNATURE_MISMATCH'],
  ] as const)(
    'refuses the %s webhook with %i %s and the same error body everywhere',
    (kind, status, code) => {
      const shapes = all().map(([service, seen]) => [service, shape(seen[kind])]);
      for (const [service, answer] of shapes) {
        expect([service, answer]).toEqual([
          service,
          { status, code, keys: ['code', 'error', 'message', 'statusCode'] },
        ]);
      }
    },
  );

  it('answers a replayed delivery 200 with duplicate: true, having taken the first', () => {
    for (const [service, seen] of all()) {
      expect([service, seen.first.status, seen.first.body.duplicate]).toEqual([service, 200, false]);
      expect([service, seen.again.status, seen.again.body.duplicate]).toEqual([service, 200, true]);
      expect([service, seen.again.body.received]).toEqual([service, true]);
    }
  });

  it('counts the same outcomes, once each, in waybill_webhooks_total everywhere', () => {
    const once = Object.fromEntries(OUTCOMES.map((outcome) => [outcome, 1]));
    for (const [service, seen] of all()) {
      expect([service, seen.counted]).toEqual([service, once]);
    }
  });
});
