import { loadConfig } from '@waybill/platform';
import { refusalOf } from '@waybill/testing';
import { OrderConfig } from './order.config';

const BASE = { WAYBILL_API_KEYS: '[]', NODE_ENV: 'test' };

function load(env: Record<string, string>): OrderConfig {
  return loadConfig(OrderConfig, { ...BASE, ...env });
}

describe('OrderConfig', () => {
  it('lets no storefront place prepaid orders unless some are named', () => {
    expect(load({}).ORDER_PREPAID_STOREFRONTS).toEqual([]);
    // A deployment file that sets the variable to nothing means the same as not setting it.
    expect(load({ ORDER_PREPAID_STOREFRONTS: '' }).ORDER_PREPAID_STOREFRONTS).toEqual([]);
  });

  it('reads the prepaid storefronts as a comma list', () => {
    expect(load({ ORDER_PREPAID_STOREFRONTS: 'shopify-eu, youzan_cn,' }).ORDER_PREPAID_STOREFRONTS).toEqual([
      'shopify-eu',
      'youzan_cn',
    ]);
  });

  it('refuses a prepaid storefront id that no storefront could have, naming the variable', () => {
    expect(refusalOf(() => load({ ORDER_PREPAID_STOREFRONTS: 'shopify-eu,Shop EU' }))).toMatch(
      /ORDER_PREPAID_STOREFRONTS.*item 2 .* storefront id/s,
    );
  });
});
