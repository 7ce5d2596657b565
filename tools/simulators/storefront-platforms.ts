/**
 * Plays one store on each storefront platform the channels service connects — a Shopify shop
 * (EUR, buyers in Berlin), a WooCommerce site (USD, buyers in Austin) and a Youzan (有赞) shop
 * (CNY, buyers in Hangzhou) — with the very fakes the channels e2e tests run against. It connects
 * each store through the channels API with the admin key, maps the platform's SKUs onto the demo
 * catalogue's, and then sends the orders the storefront simulator hands it as the platform's own
 * webhook (Shopify `orders/create`, WooCommerce `order.created`, a Youzan trade push), already
 * paid on the platform. Channels publishes them as storefront orders (`prepaid`), logistics ships
 * them — EasyPost for Shopify and WooCommerce, SF or ZTO for Youzan (china-carriers.ts) — and
 * channels reports the tracking back: a fulfilment at Shopify, a shipment tracking at WooCommerce,
 * a logistics confirmation at Youzan. What each platform recorded is handed to `onTrackingReported`.
 *
 * A share of the platform orders (`unmappedShare`) carries a SKU the SKU table does not know: the
 * channel holds those for an operator, as it would a new product nobody mapped yet.
 */
import {
  fakePlatformConnection,
  FakeShopify,
  FakeWooCommerce,
  FakeYouzan,
  shopifyOrder,
  wooOrder,
  youzanTrade,
} from '@waybill/testing/parties';
import { DEMO_PRICES } from './demo-catalogue';
import type { PartyOptions, PartySimulator } from './party';

export type PlatformChannel = 'shopify' | 'woocommerce' | 'youzan';

export interface PlatformStore {
  readonly connectionId: string;
  readonly storefrontId: string;
  readonly channel: PlatformChannel;
  readonly currency: string;
  readonly timezone: string;
}

/** The three demo stores, one per platform: connection id and storefront id are the same slug. */
export const PLATFORM_STORES: readonly PlatformStore[] = [
  {
    connectionId: 'shopify-demo',
    storefrontId: 'shopify-demo',
    channel: 'shopify',
    currency: 'EUR',
    timezone: 'Europe/Berlin',
  },
  {
    connectionId: 'woo-demo',
    storefrontId: 'woo-demo',
    channel: 'woocommerce',
    currency: 'USD',
    timezone: 'America/Chicago',
  },
  {
    connectionId: 'youzan-demo',
    storefrontId: 'youzan-demo',
    channel: 'youzan',
    currency: 'CNY',
    timezone: 'Asia/Shanghai',
  },
];

/** The storefronts whose orders arrive paid (the order service's ORDER_PREPAID_STOREFRONTS). */
export const PREPAID_STOREFRONTS: readonly string[] = PLATFORM_STORES.map((store) => store.storefrontId);

/**
 * One of the storefront's orders in this many is placed on a platform instead: the first, the
 * sixth, … — a fifth of `--rate`, the stores taking turns (Shopify, WooCommerce, Youzan), so each
 * gets one in fifteen.
 */
export const PLATFORM_ORDER_EVERY = 5;
export const DEFAULT_UNMAPPED_SHARE = 0.05;

/** How each platform's merchant names the demo SKUs: `DEMO-MUG` is `SHOP-MUG`, `woo-mug`, `YZ-MUG`. */
export function platformSku(channel: PlatformChannel, sku: string): string {
  const name = sku.replace(/^DEMO-/, '');
  switch (channel) {
    case 'shopify':
      return `SHOP-${name}`;
    case 'woocommerce':
      return `woo-${name.toLowerCase()}`;
    case 'youzan':
      return `YZ-${name}`;
  }
}

/** A product listed on every platform that nobody put in the SKU tables: its orders are held. */
export const UNMAPPED_SKU = 'DEMO-LIMITED-EDITION';

/** The store the `index`-th platform order (from 0) goes to: they take turns. */
export function platformStoreOf(index: number): PlatformStore {
  return PLATFORM_STORES[index % PLATFORM_STORES.length];
}

/** Minor units as the platforms write amounts: a decimal string (all three demo currencies have 2 decimals). */
export const decimalPrice = (minor: number): string => (minor / 100).toFixed(2);

/** One parcel as the platform recorded it when channels reported the tracking. */
export interface TrackingAtPlatform {
  readonly connectionId: string;
  readonly storefrontId: string;
  readonly channel: PlatformChannel;
  /** The platform's order id: Shopify's legacy id, WooCommerce's id, Youzan's tid. */
  readonly platformOrderId: string;
  readonly trackingNumber: string;
}

export interface StorefrontPlatformsOptions extends PartyOptions {
  readonly adminKey: string;
  readonly unmappedShare?: number;
  /** Called once per parcel a platform recorded (checked every `recordEveryMs`). */
  readonly onTrackingReported?: (tracking: TrackingAtPlatform) => void;
  readonly recordEveryMs?: number;
}

/** What a platform order is: a SKU of the demo catalogue (or UNMAPPED_SKU) and a quantity. */
export interface PlatformOrderChoice {
  readonly sku: string;
  readonly quantity: number;
}

export interface StorefrontPlatforms extends PartySimulator {
  /** Sends one order as the next store's webhook; true when channels acknowledged it. */
  send(choice: PlatformOrderChoice, random?: () => number): Promise<boolean>;
}

const WOO_BUYER = {
  first_name: 'Demo',
  last_name: 'Shopper',
  address_1: '1 Main St',
  city: 'Austin',
  state: 'TX',
  postcode: '78701',
  country: 'US',
  phone: '+15125550100',
};

/** Resends while unanswered, as Shopify and Youzan do (WooCommerce never does: the poller recovers). */
const RESENDS = 2;

export async function startStorefrontPlatforms(
  options: StorefrontPlatformsOptions,
): Promise<StorefrontPlatforms> {
  const [shopify, woo, youzan] = await Promise.all([
    FakeShopify.start({ shopDomain: 'waybill-demo.myshopify.com' }),
    FakeWooCommerce.start(),
    FakeYouzan.start({ kdtName: 'Waybill 演示店' }),
  ]);
  const fakes = { shopify, woocommerce: woo, youzan };
  const storeOf = Object.fromEntries(PLATFORM_STORES.map((store) => [store.channel, store])) as Record<
    PlatformChannel,
    PlatformStore
  >;
  const hook = (store: PlatformStore): string =>
    `${options.serviceUrl}/v1/webhooks/channels/${store.connectionId}`;
  const unmappedShare = options.unmappedShare ?? DEFAULT_UNMAPPED_SHARE;
  const counts = Object.fromEntries(
    PLATFORM_STORES.map((store) => [store.channel, { sent: 0, acknowledged: 0 }]),
  ) as Record<PlatformChannel, { sent: number; acknowledged: number }>;
  let stopped = false;
  let platformOrders = 0;

  const put = async (path: string, body: unknown): Promise<void> => {
    const response = await fetch(`${options.serviceUrl}${path}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${options.adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await response.text();
    if (!response.ok) {
      throw new Error(`PUT ${path} answered ${response.status}: ${text}`);
    }
  };
  for (const store of PLATFORM_STORES) {
    const fake = fakes[store.channel];
    await put(`/v1/channels/connections/${store.connectionId}`, fakePlatformConnection(fake, store));
    for (const sku of Object.keys(DEMO_PRICES)) {
      const channelSku = encodeURIComponent(platformSku(store.channel, sku));
      await put(`/v1/channels/connections/${store.connectionId}/skus/${channelSku}`, { sku });
    }
  }

  async function deliver(store: PlatformStore, choice: PlatformOrderChoice): Promise<boolean> {
    const line = {
      sku: platformSku(store.channel, choice.sku),
      quantity: choice.quantity,
      price: decimalPrice(DEMO_PRICES[choice.sku] ?? 1000),
    };
    switch (store.channel) {
      case 'shopify': {
        const order = shopifyOrder({ currency: store.currency, lines: [line] });
        const attempts = await shopify.deliver('orders/create', order, {
          to: hook(store),
          retryUntilAcknowledged: RESENDS,
        });
        return attempts.at(-1)?.acknowledged === true;
      }
      case 'woocommerce': {
        const order = wooOrder({ currency: store.currency, lines: [line], shipping: WOO_BUYER });
        const [delivery] = await woo.deliver('order.created', order, { to: hook(store) });
        return delivery?.delivered === true;
      }
      case 'youzan': {
        const pushes = await youzan.push(youzanTrade({ lines: [line] }), {
          to: hook(store),
          retryUntilAcknowledged: RESENDS,
        });
        return pushes.at(-1)?.acknowledged === true;
      }
    }
  }

  // The fakes record what channels told them; each new parcel is handed on once.
  const seen = new Set<string>();
  const recordNew = (): void => {
    const found: Omit<TrackingAtPlatform, 'connectionId' | 'storefrontId'>[] = [
      ...[...shopify.fulfillments.values()].flat().flatMap((fulfilment) =>
        fulfilment.tracking.flatMap((tracking) =>
          tracking.number
            ? [
                {
                  channel: 'shopify' as const,
                  platformOrderId: fulfilment.orderId.replace('gid://shopify/Order/', ''),
                  trackingNumber: tracking.number,
                },
              ]
            : [],
        ),
      ),
      ...[...woo.trackings.entries()].flatMap(([orderId, trackings]) =>
        trackings.map((tracking) => ({
          channel: 'woocommerce' as const,
          platformOrderId: String(orderId),
          trackingNumber: tracking.tracking_number,
        })),
      ),
      ...youzan.confirmations.map((confirmation) => ({
        channel: 'youzan' as const,
        platformOrderId: confirmation.tid,
        trackingNumber: confirmation.outSid,
      })),
    ];
    for (const tracking of found) {
      const key = `${tracking.channel}:${tracking.platformOrderId}:${tracking.trackingNumber}`;
      if (!seen.has(key)) {
        seen.add(key);
        const store = storeOf[tracking.channel];
        options.onTrackingReported?.({
          connectionId: store.connectionId,
          storefrontId: store.storefrontId,
          ...tracking,
        });
      }
    }
  };
  const recorder = setInterval(recordNew, options.recordEveryMs ?? 1000);

  options.log(
    `storefront platforms: ${PLATFORM_STORES.map((store) => `${store.connectionId} (${store.channel}, ${store.currency})`).join(', ')} connected; Shopify at ${shopify.baseUrl}, WooCommerce at ${woo.baseUrl}, Youzan at ${youzan.baseUrl}`,
  );
  return {
    env: {},
    async send(choice, random = Math.random) {
      if (stopped) {
        return false;
      }
      const store = platformStoreOf(platformOrders++);
      const sent = random() < unmappedShare ? { ...choice, sku: UNMAPPED_SKU } : choice;
      counts[store.channel].sent++;
      const acknowledged = await deliver(store, sent);
      if (acknowledged) {
        counts[store.channel].acknowledged++;
      } else {
        options.log(`${store.connectionId}: ${sent.sku} × ${sent.quantity} was not acknowledged`);
      }
      return acknowledged;
    },
    async stop() {
      stopped = true;
      clearInterval(recorder);
      recordNew();
      options.log(
        `storefront platforms: ${JSON.stringify(counts)} webhooks; tracking reported for ${seen.size} parcels`,
      );
      await Promise.allSettled([shopify.stop(), woo.stop(), youzan.stop()]);
    },
  };
}
