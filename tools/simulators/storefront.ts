/**
 * Plays a storefront: places orders over `POST /v1/orders` at a steady rate, each with its own
 * `Idempotency-Key` (a retry after a network error reuses it, as a storefront should). A share of the
 * orders is made to fail the way real ones do: a card the payment provider declines, or a SKU
 * that is sold out and never replenished.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '@waybill/local-infra';
import { DEMO_PRICES, SOLD_OUT_SKU, STOCKED_SKUS } from './demo-catalogue';

/** Stripe's own test payment methods, which the simulated Stripe answers as Stripe does. */
export const APPROVED_CARD = 'pm_card_visa';
export const DECLINED_CARD = 'pm_card_chargeDeclined';

export interface StorefrontOptions {
  readonly orderUrl: string;
  readonly apiKey: string;
  /** Orders per second. */
  readonly rate: number;
  readonly log: Logger;
  /** Share of orders paid with a declined card, and of orders for the sold-out SKU. */
  readonly declinedShare?: number;
  readonly soldOutShare?: number;
  /**
   * Gateways where the buyer pays by QR code or redirect (alipay, wechatpay, unionpay): each takes
   * `gatewayShare` of the orders (in CNY), the rest pay by card at Stripe.
   */
  readonly gateways?: readonly string[];
  readonly gatewayShare?: number;
}

/** How one customer pays: the provider, and the currency of their order. */
export interface CustomerPayment {
  readonly provider: string;
  readonly currency: string;
}

const CARD_PAYMENT: CustomerPayment = { provider: 'stripe', currency: 'USD' };

/** A card at Stripe, or, for a `share` of the customers each, one of the `gateways` (in CNY). */
export function customerPayment(
  random: () => number,
  gateways: readonly string[],
  share: number,
): CustomerPayment {
  const roll = random();
  const index = Math.floor(roll / share);
  return index < gateways.length ? { provider: gateways[index], currency: 'CNY' } : CARD_PAYMENT;
}

export interface Storefront {
  /** Orders the order service accepted (201) so far. */
  readonly accepted: () => number;
  stop(): Promise<void>;
}

/** What one simulated customer buys and how they pay; `random` is uniform in [0, 1). */
export function customerOrder(
  random: () => number,
  shares: { declined: number; soldOut: number } = { declined: 0.1, soldOut: 0.05 },
): { sku: string; quantity: number; paymentMethod: string } {
  const roll = random();
  if (roll < shares.soldOut) {
    return { sku: SOLD_OUT_SKU, quantity: 1, paymentMethod: APPROVED_CARD };
  }
  return {
    sku: STOCKED_SKUS[Math.floor(random() * STOCKED_SKUS.length)],
    quantity: random() < 0.7 ? 1 : 2,
    paymentMethod: roll < shares.soldOut + shares.declined ? DECLINED_CARD : APPROVED_CARD,
  };
}

export function orderBody(
  choice: ReturnType<typeof customerOrder>,
  payment: CustomerPayment = CARD_PAYMENT,
): Record<string, unknown> {
  const card = payment.provider === CARD_PAYMENT.provider;
  return {
    storefrontOrderId: `demo-${randomUUID()}`,
    customer: { id: `cust-${randomUUID().slice(0, 8)}`, email: 'shopper@example.com' },
    lines: [{ sku: choice.sku, quantity: choice.quantity, unitPrice: DEMO_PRICES[choice.sku] ?? 1000 }],
    currency: payment.currency,
    shippingAddress: {
      name: 'Demo Shopper',
      line1: '1 Main St',
      city: 'Austin',
      region: 'TX',
      postalCode: '78701',
      country: 'US',
    },
    // A gateway buyer scans a QR code or follows a redirect: there is no card token to send.
    payment: { provider: payment.provider, token: card ? choice.paymentMethod : 'buyer-pays-at-gateway' },
  };
}

export function startStorefront(options: StorefrontOptions): Storefront {
  let accepted = 0;
  let stopped = false;
  const inFlight = new Set<Promise<void>>();
  const shares = { declined: options.declinedShare ?? 0.1, soldOut: options.soldOutShare ?? 0.05 };

  async function place(): Promise<void> {
    const idempotencyKey = randomUUID();
    const payment = customerPayment(Math.random, options.gateways ?? [], options.gatewayShare ?? 0.15);
    const body = JSON.stringify(orderBody(customerOrder(Math.random, shares), payment));
    for (let attempt = 1; attempt <= 2; attempt++) {
      try {
        const response = await fetch(options.orderUrl, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${options.apiKey}`,
            'content-type': 'application/json',
            'idempotency-key': idempotencyKey,
          },
          body,
          signal: AbortSignal.timeout(30_000),
        });
        if (response.status === 201) {
          accepted++;
        } else {
          options.log(`POST /v1/orders answered ${response.status}: ${await response.text()}`);
        }
        return;
      } catch (error) {
        options.log(`POST /v1/orders failed (attempt ${attempt}): ${(error as Error).message}`);
      }
    }
  }

  // Paced against the clock, not by chained timeouts, so a slow answer does not lower the rate.
  const started = Date.now();
  let sent = 0;
  const timer = setInterval(() => {
    const due = Math.floor(((Date.now() - started) / 1000) * options.rate);
    for (; sent < due && !stopped; sent++) {
      const request = place().finally(() => inFlight.delete(request));
      inFlight.add(request);
    }
  }, 50);
  options.log(`storefront: ${options.rate} orders/s to ${options.orderUrl}`);

  return {
    accepted: () => accepted,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await Promise.allSettled([...inFlight]);
    },
  };
}
