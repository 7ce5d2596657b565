/**
 * Plays a storefront: places orders over `POST /v1/orders` at a steady rate, each with its own
 * `Idempotency-Key` (a retry after a network error reuses it, as a storefront should). A share of the
 * orders is made to fail the way real ones do: a card the payment provider declines, or a SKU
 * that is sold out and never replenished. A gateway order's checkout page then reads the order
 * until it says what the buyer must do, and shows it (showNextAction).
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
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
  /** How long a gateway order's checkout page waits for the order to say what the buyer must do. */
  readonly nextActionWaitMs?: number;
  /**
   * The merchant's stores on Shopify, WooCommerce and Youzan (storefront-platforms.ts): one order
   * in `every` (the first, then every `every`-th) is placed there instead, and reaches Waybill as
   * the platform's webhook to channels. Counted, not rolled, so the split is exact and the first
   * platform orders go out with the first orders of the run.
   */
  readonly platforms?: {
    readonly every: number;
    send(choice: { readonly sku: string; readonly quantity: number }): Promise<boolean>;
  };
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
  /** Stops placing orders and stops the checkout pages still waiting; resolves once all have ended. */
  stop(): Promise<void>;
}

/** What the checkout page of a gateway order ended with. */
export type NextActionOutcome =
  /** Shown to the buyer, who scans it (the fake gateway plays the scan). */
  | 'qr_code'
  /** The buyer's browser opened the gateway's payment page. */
  | 'redirect'
  /** The order went on without asking the buyer (rejected for stock, declined at the gateway). */
  | 'moved-on'
  /** No next action within the wait, or the order could not be read: logged. */
  | 'gave-up'
  /** The storefront stopped first. */
  | 'stopped';

export interface ShowNextActionOptions {
  readonly orderUrl: string;
  readonly apiKey: string;
  readonly orderId: string;
  readonly waitMs: number;
  /** The storefront stopping: the page ends at its next pause. */
  readonly signal: AbortSignal;
  readonly log: Logger;
}

/** The order as a checkout page reads it from `GET /v1/orders/:id`. */
interface OrderSeen {
  readonly status?: string;
  readonly payment?: {
    readonly nextAction?: { readonly type?: string; readonly qrCode?: string; readonly url?: string };
  };
}

/** The order may still come to ask the buyer: worth reading again. */
const NOT_YET_PAYING = ['PENDING', 'RESERVED', 'AWAITING_PAYMENT'];
const FIRST_READ_MS = 250;
const LONGEST_PAUSE_MS = 2000;
const REQUEST_TIMEOUT_MS = 10_000;

/**
 * What a storefront's checkout page does once a gateway order is placed: reads the order (the
 * pause doubling between reads, so a quick answer is seen soon and a slow one costs few reads)
 * until `payment.nextAction` appears, then shows it — a QR code the buyer scans, or the gateway's
 * payment page, which the buyer's browser opens: only then does a redirect gateway know the trade.
 * Gives up after `waitMs`. On `signal` it ends at its next pause: a request already sent is let
 * finish (within its own timeout), since aborting one mid-way kept the order service's shutdown
 * waiting on that connection until it was killed.
 */
export async function showNextAction(options: ShowNextActionOptions): Promise<NextActionOutcome> {
  const { orderId, signal, log } = options;
  const deadline = Date.now() + options.waitMs;
  const get = (url: string, headers: Record<string, string> = {}) =>
    fetch(url, { headers, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  let pause = FIRST_READ_MS;
  let last = 'never read';
  while (Date.now() + pause <= deadline) {
    try {
      await sleep(pause, undefined, { signal });
      pause = Math.min(pause * 2, LONGEST_PAUSE_MS);
      const response = await get(`${options.orderUrl}/${orderId}`, {
        authorization: `Bearer ${options.apiKey}`,
      });
      if (response.status !== 200) {
        last = `answered ${response.status}: ${await response.text()}`;
        continue;
      }
      const order = (await response.json()) as OrderSeen;
      const nextAction = order.payment?.nextAction;
      if (nextAction?.type === 'qr_code') {
        return 'qr_code';
      }
      if (nextAction?.type === 'redirect' && nextAction.url) {
        const page = await get(nextAction.url);
        const text = await page.text();
        if (page.ok) {
          return 'redirect';
        }
        last = `the gateway's payment page answered ${page.status}: ${text}`;
        break;
      }
      if (!NOT_YET_PAYING.includes(order.status ?? '')) {
        return 'moved-on';
      }
      last = `${order.status}, no next action`;
    } catch (error) {
      if (signal.aborted) {
        return 'stopped';
      }
      last = (error as Error).message;
    }
  }
  log(`order ${orderId}: no next action shown to the buyer within ${options.waitMs} ms (last: ${last})`);
  return 'gave-up';
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

const US_ADDRESS = {
  name: 'Demo Shopper',
  line1: '1 Main St',
  city: 'Austin',
  region: 'TX',
  postalCode: '78701',
  country: 'US',
};

/** SF and ZTO want the consignee's phone (Kuaidi100 its last four digits for SF). */
const CHINA_ADDRESS = {
  name: '演示买家',
  line1: '南山区科技园南区 1 栋 101',
  city: '深圳市',
  region: '广东省',
  postalCode: '518057',
  country: 'CN',
  phone: '+8613800138000',
};

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
    // A buyer paying in CNY at a Chinese gateway ships to China (SF or ZTO, tracked through Kuaidi100).
    shippingAddress: payment.currency === 'CNY' ? CHINA_ADDRESS : US_ADDRESS,
    // A gateway buyer scans a QR code or follows a redirect: there is no card token to send.
    payment: { provider: payment.provider, token: card ? choice.paymentMethod : 'buyer-pays-at-gateway' },
  };
}

export function startStorefront(options: StorefrontOptions): Storefront {
  let accepted = 0;
  let viaPlatforms = 0;
  const stopping = new AbortController();
  const outcomes: Partial<Record<NextActionOutcome, number>> = {};
  const inFlight = new Set<Promise<void>>();
  const shares = { declined: options.declinedShare ?? 0.1, soldOut: options.soldOutShare ?? 0.05 };

  async function place(index: number): Promise<void> {
    const { platforms } = options;
    if (platforms && index % platforms.every === 0) {
      // Paid on the platform: no card, no gateway; the SKU and quantity are chosen as for the rest.
      if (await platforms.send(customerOrder(Math.random, shares))) {
        viaPlatforms++;
      }
      return;
    }
    const payment = customerPayment(Math.random, options.gateways ?? [], options.gatewayShare ?? 0.15);
    const orderId = await placeOrder(orderBody(customerOrder(Math.random, shares), payment));
    if (orderId !== undefined && payment.provider !== CARD_PAYMENT.provider) {
      const outcome = await showNextAction({
        orderUrl: options.orderUrl,
        apiKey: options.apiKey,
        orderId,
        waitMs: options.nextActionWaitMs ?? 30_000,
        signal: stopping.signal,
        log: options.log,
      });
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    }
  }

  /** The order's id once accepted. */
  async function placeOrder(order: Record<string, unknown>): Promise<string | undefined> {
    const idempotencyKey = randomUUID();
    const body = JSON.stringify(order);
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
        if (response.status !== 201) {
          options.log(`POST /v1/orders answered ${response.status}: ${await response.text()}`);
          return undefined;
        }
        const { id } = (await response.json()) as { id: string };
        accepted++;
        return id;
      } catch (error) {
        options.log(`POST /v1/orders failed (attempt ${attempt}): ${(error as Error).message}`);
      }
    }
    return undefined;
  }

  // Paced against the clock, not by chained timeouts, so a slow answer does not lower the rate.
  const started = Date.now();
  let sent = 0;
  const timer = setInterval(() => {
    const due = Math.floor(((Date.now() - started) / 1000) * options.rate);
    for (; sent < due && !stopping.signal.aborted; sent++) {
      const request = place(sent).finally(() => inFlight.delete(request));
      inFlight.add(request);
    }
  }, 50);
  options.log(
    `storefront: ${options.rate} orders/s to ${options.orderUrl}` +
      (options.platforms
        ? `, one in ${options.platforms.every} of them through the storefront platforms`
        : ''),
  );

  return {
    accepted: () => accepted,
    async stop() {
      clearInterval(timer);
      stopping.abort();
      await Promise.allSettled([...inFlight]);
      options.log(
        `storefront: ${accepted} orders accepted` +
          (options.platforms ? `, ${viaPlatforms} acknowledged as platform webhooks` : '') +
          `; gateway checkouts: ${JSON.stringify(outcomes)}`,
      );
    },
  };
}
