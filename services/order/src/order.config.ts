import { EventDrivenServiceConfig } from '@waybill/eventing';
import { EnvInt, EnvList } from '@waybill/platform';

/** The storefront id rule of the contracts (`IsSlug`): an id that can never match is a typo. */
const STOREFRONT_ID = { pattern: /^[a-z0-9][a-z0-9_-]{0,63}$/, description: 'a storefront id (a slug)' };

export class OrderConfig extends EventDrivenServiceConfig {
  override PORT = 3001;

  /** How long an Idempotency-Key answers with its first response (Stripe keeps them 24 h). */
  @EnvInt({ min: 1, max: 24 * 30 })
  ORDER_IDEMPOTENCY_TTL_HOURS = 24;

  /** An in-flight key untouched this long belongs to a crashed request; a retry may take it over. */
  @EnvInt({ min: 5, max: 3600 })
  ORDER_IDEMPOTENCY_ABANDON_AFTER_SECONDS = 60;

  /** How often expired idempotency keys are deleted. */
  @EnvInt({ min: 1, max: 86_400 })
  ORDER_IDEMPOTENCY_PURGE_INTERVAL_SECONDS = 600;

  /**
   * Storefronts whose orders were paid on their own platform (the channels service's Shopify,
   * WooCommerce and Youzan storefronts) and may therefore name the `prepaid` payment provider.
   * Empty by default: `prepaid` moves no money, so any other storefront naming it would get its
   * goods shipped unpaid.
   */
  @EnvList({ minItems: 0, item: STOREFRONT_ID })
  ORDER_PREPAID_STOREFRONTS: string[] = [];
}
