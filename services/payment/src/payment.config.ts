import { IsOptional, IsString, IsUrl } from 'class-validator';
import { EventDrivenServiceConfig } from '@waybill/eventing';
import { EnvBoolean, EnvInt, EnvList, Secret } from '@waybill/platform';

export class PaymentConfig extends EventDrivenServiceConfig {
  override PORT = 3003;

  /** How long a refund's Idempotency-Key answers with its first response (Stripe keeps them 24 h). */
  @EnvInt({ min: 1, max: 24 * 30 })
  PAYMENT_IDEMPOTENCY_TTL_HOURS = 24;

  /** An in-flight key untouched this long belongs to a crashed request; a retry may take it over. */
  @EnvInt({ min: 5, max: 3600 })
  PAYMENT_IDEMPOTENCY_ABANDON_AFTER_SECONDS = 60;

  /** How often expired idempotency keys are deleted. */
  @EnvInt({ min: 1, max: 86_400 })
  PAYMENT_IDEMPOTENCY_PURGE_INTERVAL_SECONDS = 600;

  /**
   * The built-in `sandbox` provider approves `sandbox_approve` for free: on by default outside
   * production, off in production unless set to true on purpose.
   */
  @IsOptional()
  @EnvBoolean()
  PAYMENT_SANDBOX_ENABLED?: boolean;

  /** Comma list: during a rotation both the old and the new secret verify. */
  @Secret()
  @IsOptional()
  @EnvList()
  PAYMENT_SANDBOX_WEBHOOK_SECRET?: string[];

  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  PAYMENT_STRIPE_API_BASE = 'https://api.stripe.com';

  /** Stripe is enabled when this is set. */
  @Secret()
  @IsOptional()
  @IsString()
  PAYMENT_STRIPE_API_KEY?: string;

  /** `whsec_…`; a comma list during a rotation: any of them verifies. */
  @Secret()
  @IsOptional()
  @EnvList()
  PAYMENT_STRIPE_WEBHOOK_SECRET?: string[];

  /** How far a webhook signature's timestamp may be from now, either way. */
  @EnvInt({ min: 1, max: 3600 })
  PAYMENT_WEBHOOK_TOLERANCE_SECONDS = 300;

  /** Per attempt of an outbound provider call. */
  @EnvInt({ min: 100, max: 120_000 })
  PAYMENT_PROVIDER_TIMEOUT_MS = 10_000;

  /** Attempts of one provider call (same idempotency key) on network errors, timeouts and 5xx. */
  @EnvInt({ min: 1, max: 10 })
  PAYMENT_PROVIDER_MAX_ATTEMPTS = 3;

  @EnvInt({ min: 0, max: 60_000 })
  PAYMENT_PROVIDER_RETRY_BACKOFF_MS = 200;

  /**
   * Provider webhooks larger than this are refused with 413 `WEBHOOK.PAYLOAD_TOO_LARGE` (counted),
   * as carriers' and suppliers' are; the default is the HTTP body limit's, so nothing accepted
   * before is refused now.
   */
  @EnvInt({ min: 1024, max: 16 * 1024 * 1024 })
  PAYMENT_WEBHOOK_MAX_BYTES = 1024 * 1024;

  /** The webhook worker also sweeps for unprocessed receipts this often (it is kicked on receipt). */
  @EnvInt({ min: 50, max: 600_000 })
  PAYMENT_WEBHOOK_POLL_INTERVAL_MS = 5000;

  get sandboxEnabled(): boolean {
    return this.PAYMENT_SANDBOX_ENABLED ?? this.NODE_ENV !== 'production';
  }
}
