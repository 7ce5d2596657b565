import { randomUUID } from 'node:crypto';
import { MetricsScrape, waitFor } from '@waybill/testing';
import { followNextAction, NextAction } from './support/next-action';
import type { PaymentGatewayDriver } from './support/payment-gateway-drivers';
import { ConformanceScenario, PAYMENT_GATEWAY_VARIANTS } from './support/payment-gateways';
import {
  orderCancelled,
  orderPlaced,
  PaymentTestEnv,
  shipmentCreated,
  startPaymentService,
  stockReserved,
  TYPES,
} from './support/payment-test-env';

/*
 * The payment conformance suite: the same scenarios for every provider, each against its fake over
 * real HTTP with real cryptography (the sandbox in the service itself), through the payment service
 * on the real Kafka and PostgreSQL. What differs is the capture mode — `manual` holds and captures
 * on shipment; `immediate` is paid when the buyer pays, so a cancellation refunds instead of
 * voiding — and where the buyer acts: at the gateway (a QR code, a redirect, announced with a
 * deadline) or in a card's 3-D Secure, resolved by the provider's signed webhook. A scenario a
 * provider has no equivalent of is named, with why, in its variant's `notApplicable`.
 */

const AMOUNT = 5390;

const forOrder = (orderId: string) => (data: Record<string, unknown>) => data.orderId === orderId;

describe.each(PAYMENT_GATEWAY_VARIANTS)('payment conformance: $name', (variant) => {
  let gateway: PaymentGatewayDriver;
  let env: PaymentTestEnv;
  const immediate = variant.captureMode === 'immediate';
  const atGateway = variant.buyerActs === 'gateway';
  /** Tests only the scenarios the provider has an equivalent of (see notApplicable). */
  const applies = (scenario: ConformanceScenario) => variant.notApplicable?.[scenario] === undefined;

  beforeAll(async () => {
    gateway = await variant.start();
    env = await startPaymentService({
      ...gateway.env(),
      PAYMENT_PROVIDER_MAX_ATTEMPTS: '3',
      // Sweeps often, and asks the gateway about a payment after a second without a notify.
      PAYMENT_ACTION_SWEEP_INTERVAL_MS: '200',
      PAYMENT_ACTION_QUERY_INTERVAL_SECONDS: '1',
    }).catch(async (error: unknown) => {
      await gateway.stop();
      throw error;
    });
    gateway.attach(env.service);
  });

  afterAll(async () => {
    await env?.stop();
    await gateway?.stop();
  });

  /** order.placed and stock-reserved, the order paying with `paymentMethod`. */
  async function place(orderId: string, paymentMethod: string): Promise<void> {
    await env.probe.publish(
      TYPES.placed,
      orderPlaced(orderId, gateway.provider, paymentMethod, AMOUNT, 'CNY'),
    );
    await env.probe.publish(TYPES.reserved, stockReserved(orderId));
  }

  /**
   * The payment waits for the buyer: at a gateway it opened a trade and announced what the buyer
   * must do (`action`, its next action followed); for a card, 3-D Secure was asked for.
   */
  async function awaitingBuyer(): Promise<{ orderId: string; action?: Record<string, unknown> }> {
    const orderId = randomUUID();
    await place(orderId, gateway.nextPaymentMethod('buyer-acts'));
    if (!atGateway) {
      await waitFor(async () => (await paymentOf(orderId)).status === 'REQUIRES_ACTION', {
        timeoutMs: 15_000,
        description: 'the payment to wait for 3-D Secure',
      });
      return { orderId };
    }
    const action = await env.probe.waitForEvent(TYPES.actionRequired, forOrder(orderId));
    await followNextAction(action.data.nextAction as NextAction);
    return { orderId, action: action.data };
  }

  /** Authorized: at once where a payment method asks nothing of the buyer, else once the buyer paid. */
  async function paid(): Promise<string> {
    let orderId: string;
    if (applies('approved-at-once')) {
      orderId = randomUUID();
      await place(orderId, gateway.nextPaymentMethod('approved'));
    } else {
      ({ orderId } = await awaitingBuyer());
      await gateway.buyerPays(orderId);
    }
    await env.probe.waitForEvent(TYPES.authorized, forOrder(orderId));
    if (immediate) {
      await env.probe.waitForEvent(TYPES.captured, forOrder(orderId));
    }
    return orderId;
  }

  /** Paid and, for a hold, captured on shipment: money the merchant has. */
  async function collected(): Promise<string> {
    const orderId = await paid();
    if (!immediate) {
      await env.probe.publish(TYPES.shipped, shipmentCreated(orderId));
      await env.probe.waitForEvent(TYPES.captured, forOrder(orderId));
    }
    return orderId;
  }

  const paymentOf = async (orderId: string) => (await env.get(`/v1/payments/${orderId}`, env.reader)).body;
  const count = (type: string, orderId: string) => env.outboxCount(type, orderId);

  /** The deadline passes: the test moves the payment's deadline, not the clock. */
  async function passDeadline(orderId: string): Promise<void> {
    await env.query(
      `UPDATE payments SET action_expires_at = now() - interval '1 second' WHERE order_id = $1`,
      [orderId],
    );
  }

  it('asks the buyer to act, then authorizes when the buyer pays and the signed notify comes', async () => {
    const { orderId, action } = await awaitingBuyer();
    if (atGateway) {
      expect(action).toMatchObject({ provider: gateway.provider, amount: AMOUNT, currency: 'CNY' });
      const nextAction = action?.nextAction as { type: string; qrCode?: string; url?: string };
      expect(['qr_code', 'redirect']).toContain(nextAction.type);
      expect(nextAction.qrCode ?? nextAction.url).toBeTruthy();
      expect(Date.parse(action?.expiresAt as string)).toBeGreaterThan(Date.now());
    } else {
      // 3-D Secure runs in the storefront: nothing for Waybill to announce, no deadline to keep.
      expect(await count(TYPES.actionRequired, orderId)).toBe(0);
      expect((await paymentOf(orderId)).nextAction).toBeUndefined();
    }
    expect((await paymentOf(orderId)).status).toBe('REQUIRES_ACTION');

    await gateway.buyerPays(orderId);
    const authorized = await env.probe.waitForEvent(TYPES.authorized, forOrder(orderId));
    expect(authorized.data).toMatchObject({ provider: gateway.provider, amount: AMOUNT });
    if (immediate) {
      // Paid when the buyer paid: captured at once, nothing to capture on shipment.
      await env.probe.waitForEvent(TYPES.captured, forOrder(orderId));
      expect((await paymentOf(orderId)).status).toBe('CAPTURED');
    } else {
      expect((await paymentOf(orderId)).status).toBe('AUTHORIZED');
    }
  });

  if (applies('approved-at-once')) {
    it('a payment method that asks nothing of the buyer is authorized at once', async () => {
      const orderId = randomUUID();
      await place(orderId, gateway.nextPaymentMethod('approved'));
      const authorized = await env.probe.waitForEvent(TYPES.authorized, forOrder(orderId));
      expect(authorized.data).toMatchObject({ provider: gateway.provider, amount: AMOUNT });
      expect((await paymentOf(orderId)).status).toBe(immediate ? 'CAPTURED' : 'AUTHORIZED');
      expect(await count(TYPES.actionRequired, orderId)).toBe(0);
    });
  }

  it('a payment the gateway refuses fails DECLINED', async () => {
    const orderId = randomUUID();
    await place(orderId, gateway.nextPaymentMethod('declined'));
    // A QR gateway refuses to open the trade; a redirect gateway turns the buyer down on its page.
    const first = await waitFor(
      async () =>
        env.probe.events(TYPES.failed, forOrder(orderId))[0] ??
        env.probe.events(TYPES.actionRequired, forOrder(orderId))[0],
      { timeoutMs: 15_000, description: 'payment.failed or payment.action-required' },
    );
    if (first.type === TYPES.actionRequired) {
      await followNextAction(first.data.nextAction as NextAction);
    }
    const failed = await env.probe.waitForEvent(TYPES.failed, forOrder(orderId));
    expect(failed.data).toMatchObject({ reason: 'PAYMENT.DECLINED' });
    expect(await count(TYPES.authorized, orderId)).toBe(0);
  });

  if (applies('buyer-never-pays')) {
    it('a buyer who never pays: past the deadline the trade is closed and the payment fails EXPIRED', async () => {
      expect(variant.closedStatus).toBeDefined();
      const { orderId } = await awaitingBuyer();
      await passDeadline(orderId);
      const failed = await env.probe.waitForEvent(TYPES.failed, forOrder(orderId));
      expect(failed.data).toMatchObject({ reason: 'PAYMENT.EXPIRED' });
      expect((await paymentOf(orderId)).status).toBe('FAILED');
      expect(gateway.tradeStatus(orderId)).toBe(variant.closedStatus);
      expect(await count(TYPES.authorized, orderId)).toBe(0);
    });
  }

  if (applies('lost-notify')) {
    it('a lost notify: the gateway is asked, and the payment authorizes anyway', async () => {
      const { orderId } = await awaitingBuyer();
      await gateway.buyerPays(orderId, 'lose');
      await env.probe.waitForEvent(TYPES.authorized, forOrder(orderId));
      expect(await count(TYPES.authorized, orderId)).toBe(1);
    });
  }

  it('a repeated notify is applied once', async () => {
    const { orderId } = await awaitingBuyer();
    await gateway.buyerPays(orderId, 'repeat');
    await env.probe.waitForEvent(TYPES.authorized, forOrder(orderId));
    await waitFor(
      async () =>
        (
          await env.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM webhook_inbox WHERE source = $1 AND processed_at IS NOT NULL`,
            [gateway.provider],
          )
        )[0].n > 0,
      { timeoutMs: 10_000, description: 'the notify to be applied' },
    );
    expect(await count(TYPES.authorized, orderId)).toBe(1);
    expect(await count(TYPES.captured, orderId)).toBe(immediate ? 1 : 0);
  });

  it.each(['tampered', 'stale', 'wrong-key'] as const)(
    'a %s notify is refused in the gateway’s own words, counted, and changes nothing',
    async (spoil) => {
      const { orderId } = await awaitingBuyer();
      const before = await MetricsScrape.of(env.service.baseUrl);
      const answer = await gateway.sendSpoiledNotify(orderId, spoil);
      expect(answer.status === 200 && answer.body === variant.acceptedBody).toBe(false);
      expect(answer.body).toMatch(variant.refusedBody);
      const after = await MetricsScrape.of(env.service.baseUrl);
      const refused = (scrape: MetricsScrape) =>
        ['signature_mismatch', 'timestamp_out_of_tolerance', 'payload_malformed']
          .map((outcome) => scrape.value('waybill_webhooks_total', { source: gateway.provider, outcome }))
          .reduce((a, b) => a + b, 0);
      expect(refused(after) - refused(before)).toBe(1);
      expect((await paymentOf(orderId)).status).toBe('REQUIRES_ACTION');
      expect(await count(TYPES.authorized, orderId)).toBe(0);
    },
  );

  if (immediate) {
    it('a cancellation after the buyer paid refunds the whole amount, once', async () => {
      const orderId = await paid();
      await env.probe.publish(TYPES.cancelled, orderCancelled(orderId));
      const refunded = await env.probe.waitForEvent(TYPES.refunded, forOrder(orderId));
      expect(refunded.data).toMatchObject({ amount: AMOUNT });
      expect(gateway.refunds(orderId)).toEqual([AMOUNT]);
      expect(await count(TYPES.voided, orderId)).toBe(0);
    });
  } else {
    it('a hold is captured on shipment', async () => {
      const orderId = await collected();
      expect(gateway.captures(orderId)).toEqual([AMOUNT]);
      expect((await paymentOf(orderId)).status).toBe('CAPTURED');
    });

    it('a hold is released when the order is cancelled', async () => {
      expect(variant.releasedStatus).toBeDefined();
      const orderId = await paid();
      await env.probe.publish(TYPES.cancelled, orderCancelled(orderId));
      const voided = await env.probe.waitForEvent(TYPES.voided, forOrder(orderId));
      expect(voided.data).toMatchObject({ reason: 'PAYMENT.ORDER_CANCELLED', amount: AMOUNT });
      expect((await paymentOf(orderId)).status).toBe('VOIDED');
      expect(gateway.tradeStatus(orderId)).toBe(variant.releasedStatus);
      expect(gateway.captures(orderId)).toEqual([]);
      expect(gateway.refunds(orderId)).toEqual([]);
    });
  }

  if (applies('lost-refund-answer')) {
    it('a refund whose answer is lost is retried under the same request number: one refund', async () => {
      const orderId = await collected();
      gateway.loseNextAnswer('refund');
      const answer = await env.post(`/v1/payments/${orderId}/refund`, { amount: AMOUNT }, env.refunder, {
        'Idempotency-Key': randomUUID(),
      });
      expect(answer.status).toBe(201);
      expect(gateway.refunds(orderId)).toEqual([AMOUNT]);
      expect((await paymentOf(orderId)).status).toBe('REFUNDED');
    });
  }

  it('refunds in parts, each once', async () => {
    const orderId = await collected();
    for (const amount of [1000, AMOUNT - 1000]) {
      const answer = await env.post(`/v1/payments/${orderId}/refund`, { amount }, env.refunder, {
        'Idempotency-Key': randomUUID(),
      });
      expect(answer.status).toBe(201);
    }
    expect(gateway.refunds(orderId)).toEqual([1000, AMOUNT - 1000]);
    expect((await paymentOf(orderId)).status).toBe('REFUNDED');
  });

  if (applies('paid-after-close')) {
    it('a payment that reaches the gateway after the trade was closed is given back', async () => {
      const { orderId } = await awaitingBuyer();
      await passDeadline(orderId);
      await env.probe.waitForEvent(TYPES.failed, forOrder(orderId));
      await gateway.buyerPaysAfterClose(orderId);
      if (immediate) {
        const refunded = await env.probe.waitForEvent(TYPES.refunded, forOrder(orderId));
        expect(refunded.data).toMatchObject({ amount: AMOUNT, reason: 'PAYMENT.LATE_PAYMENT' });
        expect(gateway.refunds(orderId)).toEqual([AMOUNT]);
      } else {
        await waitFor(async () => gateway.tradeStatus(orderId) === variant.releasedStatus, {
          timeoutMs: 15_000,
          description: 'the late hold to be released',
        });
        expect(gateway.captures(orderId)).toEqual([]);
      }
      expect((await paymentOf(orderId)).status).toBe('FAILED');
      expect(await count(TYPES.authorized, orderId)).toBe(0);
    });
  }
});
