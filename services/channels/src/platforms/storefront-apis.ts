import { Injectable } from '@nestjs/common';
import type { Channel } from '../domain/canonical-order';
import { ShopifyStorefrontApi } from './shopify.api';
import type { StorefrontApi } from './storefront-api';
import { WooCommerceStorefrontApi } from './woocommerce.api';
import { YouzanStorefrontApi } from './youzan.api';

/** The Admin API adapter of each platform; each connection brings its own base URL and credentials. */
@Injectable()
export class StorefrontApis {
  private readonly byChannel: ReadonlyMap<Channel, StorefrontApi> = new Map<Channel, StorefrontApi>(
    [new ShopifyStorefrontApi(), new WooCommerceStorefrontApi(), new YouzanStorefrontApi()].map((api) => [
      api.channel,
      api,
    ]),
  );

  of(channel: Channel): StorefrontApi {
    const api = this.byChannel.get(channel);
    if (!api) {
      throw new Error(`no Admin API adapter for ${channel}`);
    }
    return api;
  }
}
