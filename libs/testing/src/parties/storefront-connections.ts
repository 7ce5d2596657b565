/**
 * The channels service's connection for a fake storefront platform: what
 * `PUT /v1/channels/connections/:id` takes to receive the fake's webhooks (its signing secret,
 * its store) and to call it back (its API base and credentials). The channels e2e tests and the
 * `npm start` simulator (tools/simulators/storefront-platforms.ts) connect the fakes this one way.
 */
import { FakeShopify } from './fake-shopify';
import { FakeWooCommerce } from './fake-woocommerce';
import { FakeYouzan } from './fake-youzan';

export type FakeStorefrontPlatform = FakeShopify | FakeWooCommerce | FakeYouzan;

export interface FakeConnectionOptions {
  /** The storefront the channel's orders are published for (`/storefronts/<storefrontId>`). */
  readonly storefrontId: string;
  readonly currency: string;
  readonly timezone: string;
}

/** The connection body (everything but its id) that points the channels service at `fake`. */
export function fakePlatformConnection(
  fake: FakeStorefrontPlatform,
  options: FakeConnectionOptions,
): Readonly<Record<string, unknown>> {
  const common = {
    storefrontId: options.storefrontId,
    defaults: { currency: options.currency, timezone: options.timezone },
  };
  if (fake instanceof FakeShopify) {
    return {
      channel: 'shopify',
      store: fake.shopDomain,
      signingSecret: fake.signingSecret,
      api: { base: fake.baseUrl, credentials: { accessToken: fake.accessToken } },
      ...common,
    };
  }
  if (fake instanceof FakeWooCommerce) {
    return {
      channel: 'woocommerce',
      store: fake.siteUrl,
      signingSecret: fake.webhookSecret,
      api: {
        base: fake.baseUrl,
        credentials: { consumerKey: fake.consumerKey, consumerSecret: fake.consumerSecret },
      },
      ...common,
    };
  }
  return {
    channel: 'youzan',
    store: String(fake.kdtId),
    signingSecret: fake.clientSecret,
    api: { base: fake.baseUrl, credentials: { clientId: fake.clientId, accessToken: fake.accessToken } },
    ...common,
  };
}
