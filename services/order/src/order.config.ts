import { EventDrivenServiceConfig } from '@waybill/eventing';
import { EnvInt } from '@waybill/platform';

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
}
