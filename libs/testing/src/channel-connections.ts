import type { FakeShopify } from './parties/fake-shopify';
import type { FakeWooCommerce } from './parties/fake-woocommerce';
import type { FakeYouzan } from './parties/fake-youzan';
import { fakePlatformConnection } from './parties/storefront-connections';

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

/** Each fake's connection, as fakePlatformConnection builds it, under its FAKE_PLATFORM_STOREFRONTS id. */
export function fakeConnectionBody(
  platforms: Partial<FakeStorefrontPlatforms>,
  platform: StorefrontPlatform,
) {
  const fake = platforms[platform];
  if (!fake) {
    throw new Error(`no fake ${platform} to connect`);
  }
  const { currency, timezone } = FAKE_PLATFORM_DEFAULTS[platform];
  return fakePlatformConnection(fake, {
    storefrontId: FAKE_PLATFORM_STOREFRONTS[platform],
    currency,
    timezone,
  });
}

const FAKE_PLATFORM_DEFAULTS: Readonly<Record<StorefrontPlatform, { currency: string; timezone: string }>> = {
  shopify: { currency: 'EUR', timezone: 'Europe/Berlin' },
  woo: { currency: 'EUR', timezone: 'Europe/Berlin' },
  youzan: { currency: 'CNY', timezone: 'Asia/Shanghai' },
};

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
  const ids = { shopify: `shopify-${suffix}`, woo: `woo-${suffix}`, youzan: `youzan-${suffix}` };
  for (const platform of ['shopify', 'woo', 'youzan'] as const) {
    await putChannelConnection(baseUrl, adminKey, ids[platform], fakeConnectionBody(platforms, platform));
    const { channelSku, sku } = FAKE_PLATFORM_SKUS[platform];
    await putChannelSkuRule(baseUrl, adminKey, ids[platform], channelSku, { sku });
  }
  return ids;
}
