import type { FakeShopify } from './parties/fake-shopify';
import type { FakeWooCommerce } from './parties/fake-woocommerce';
import type { FakeYouzan } from './parties/fake-youzan';

/** The three storefront platforms the channels service speaks, each played by its fake. */
export interface FakeStorefrontPlatforms {
  readonly shopify: FakeShopify;
  readonly woo: FakeWooCommerce;
  readonly youzan: FakeYouzan;
}

export type StorefrontPlatform = keyof FakeStorefrontPlatforms;

/** The storefront id each platform's connection submits under (`/storefronts/<id>`). */
export const FAKE_PLATFORM_STOREFRONTS: Readonly<Record<StorefrontPlatform, string>> = {
  shopify: 'shop-shopify',
  woo: 'shop-woo',
  youzan: 'shop-youzan',
};

/**
 * The SKU table each connection starts with: the platform's SKU in the fakes' default orders
 * (shopifyOrder, wooOrder, youzanTrade) and the Waybill SKU it maps to.
 */
export const FAKE_PLATFORM_SKUS: Readonly<Record<StorefrontPlatform, { channelSku: string; sku: string }>> = {
  shopify: { channelSku: 'SKU-1', sku: 'MUG-BLUE-350' },
  woo: { channelSku: 'woo-hoodie', sku: 'HOODIE-M' },
  youzan: { channelSku: 'YZ-TEA-250', sku: 'TEA-250' },
};

/** What `PUT /v1/channels/connections/:id` takes to connect the fake Shopify store. */
export function shopifyConnectionBody(shopify: FakeShopify): Record<string, unknown> {
  return {
    channel: 'shopify',
    store: shopify.shopDomain,
    storefrontId: FAKE_PLATFORM_STOREFRONTS.shopify,
    signingSecret: shopify.signingSecret,
    api: { base: shopify.baseUrl, credentials: { accessToken: shopify.accessToken } },
    defaults: { currency: 'EUR', timezone: 'Europe/Berlin' },
  };
}

/** … the fake WooCommerce site. */
export function wooConnectionBody(woo: FakeWooCommerce): Record<string, unknown> {
  return {
    channel: 'woocommerce',
    store: woo.siteUrl,
    storefrontId: FAKE_PLATFORM_STOREFRONTS.woo,
    signingSecret: woo.webhookSecret,
    api: {
      base: woo.baseUrl,
      credentials: { consumerKey: woo.consumerKey, consumerSecret: woo.consumerSecret },
    },
    defaults: { currency: 'EUR', timezone: 'Europe/Berlin' },
  };
}

/** … the fake Youzan shop. */
export function youzanConnectionBody(youzan: FakeYouzan): Record<string, unknown> {
  return {
    channel: 'youzan',
    store: String(youzan.kdtId),
    storefrontId: FAKE_PLATFORM_STOREFRONTS.youzan,
    signingSecret: youzan.clientSecret,
    api: {
      base: youzan.baseUrl,
      credentials: { clientId: youzan.clientId, accessToken: youzan.accessToken },
    },
    defaults: { currency: 'CNY', timezone: 'Asia/Shanghai' },
  };
}

/** A call to the channels service's admin API that must answer 200. */
async function putChannels(baseUrl: string, adminKey: string, path: string, body: object): Promise<void> {
  const response = await fetch(`${baseUrl}${path}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (response.status !== 200) {
    throw new Error(`PUT ${path} answered ${response.status}: ${await response.text()}`);
  }
}

/** Creates or replaces a connection, as an operator does. */
export function putChannelConnection(
  baseUrl: string,
  adminKey: string,
  connectionId: string,
  body: Record<string, unknown>,
): Promise<void> {
  return putChannels(baseUrl, adminKey, `/v1/channels/connections/${connectionId}`, body);
}

/** One row of a connection's SKU table: map a platform SKU onto a Waybill SKU, or ignore it. */
export function putChannelSkuRule(
  baseUrl: string,
  adminKey: string,
  connectionId: string,
  channelSku: string,
  rule: { readonly sku: string } | { readonly ignore: true },
): Promise<void> {
  return putChannels(
    baseUrl,
    adminKey,
    `/v1/channels/connections/${connectionId}/skus/${encodeURIComponent(channelSku)}`,
    rule,
  );
}

/**
 * Connects the three fake platforms to a running channels service through its admin API, as an
 * operator would, each with FAKE_PLATFORM_SKUS in its SKU table. The connection ids are
 * `<platform>-<suffix>`; they are returned by platform.
 */
export async function connectFakePlatforms(
  baseUrl: string,
  adminKey: string,
  platforms: FakeStorefrontPlatforms,
  suffix: string,
): Promise<Record<StorefrontPlatform, string>> {
  const bodies = {
    shopify: shopifyConnectionBody(platforms.shopify),
    woo: wooConnectionBody(platforms.woo),
    youzan: youzanConnectionBody(platforms.youzan),
  };
  const ids = { shopify: `shopify-${suffix}`, woo: `woo-${suffix}`, youzan: `youzan-${suffix}` };
  for (const platform of ['shopify', 'woo', 'youzan'] as const) {
    await putChannelConnection(baseUrl, adminKey, ids[platform], bodies[platform]);
    const { channelSku, sku } = FAKE_PLATFORM_SKUS[platform];
    await putChannelSkuRule(baseUrl, adminKey, ids[platform], channelSku, { sku });
  }
  return ids;
}
