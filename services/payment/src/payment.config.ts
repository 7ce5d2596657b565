import { IsOptional, IsString, IsUrl, Length, Matches } from 'class-validator';
import { EventDrivenServiceConfig } from '@waybill/eventing';
import { EnvBoolean, EnvEnum, EnvInt, EnvList, EnvPem, Secret, SetTogether } from '@waybill/platform';

const HTTP_URL = { require_tld: false, protocols: ['http', 'https'], require_protocol: true };

/** A provider is enabled when all of its credentials are set; part of them is a config error. */
const ALIPAY = ['PAYMENT_ALIPAY_APP_ID', 'PAYMENT_ALIPAY_PRIVATE_KEY', 'PAYMENT_ALIPAY_PUBLIC_KEY'];
const WECHATPAY = [
  'PAYMENT_WECHATPAY_MCH_ID',
  'PAYMENT_WECHATPAY_APP_ID',
  'PAYMENT_WECHATPAY_SERIAL_NO',
  'PAYMENT_WECHATPAY_PRIVATE_KEY',
  'PAYMENT_WECHATPAY_API_V3_KEY',
  'PAYMENT_WECHATPAY_PUBLIC_KEY_ID',
  'PAYMENT_WECHATPAY_PUBLIC_KEY',
];
const UNIONPAY = [
  'PAYMENT_UNIONPAY_MER_ID',
  'PAYMENT_UNIONPAY_SIGN_KEY',
  'PAYMENT_UNIONPAY_SIGN_CERT',
  'PAYMENT_UNIONPAY_ROOT_CERT',
  'PAYMENT_UNIONPAY_MIDDLE_CERT',
];

/** `preauth`: a hold captured on shipment (fund authorisation / txnType 02→03); `direct`: paid at once. */
export const GATEWAY_MODES = ['preauth', 'direct'] as const;
export type GatewayMode = (typeof GATEWAY_MODES)[number];

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

  /**
   * The built-in `prepaid` provider records an order paid on its storefront's platform (Shopify,
   * WooCommerce, Youzan through the channels service) as captured without calling anyone. Off
   * everywhere unless set on purpose, production or not: unlike the sandbox it is not a test aid,
   * and it pairs with the order service's ORDER_PREPAID_STOREFRONTS, so a deployment turns on both
   * or neither.
   */
  @EnvBoolean()
  PAYMENT_PREPAID_ENABLED = false;

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

  /**
   * Where gateways reach this service: notify URLs (Alipay `notify_url`, WeChat `notify_url`,
   * UnionPay `backUrl`) are this plus `/v1/webhooks/payments/<provider>`.
   */
  @IsUrl(HTTP_URL)
  PAYMENT_PUBLIC_BASE_URL = 'http://localhost:3003';

  @SetTogether(ALIPAY)
  @Matches(/^\d{16}$/, { message: 'must be the 16-digit Alipay app id' })
  PAYMENT_ALIPAY_APP_ID?: string;

  /** The app's RSA2 private key (PKCS#8 or PKCS#1 PEM, or file:<path>). */
  @Secret()
  @SetTogether(ALIPAY)
  @EnvPem()
  PAYMENT_ALIPAY_PRIVATE_KEY?: string;

  /** Alipay's public key, which verifies its answers and notifies. */
  @SetTogether(ALIPAY)
  @EnvPem()
  PAYMENT_ALIPAY_PUBLIC_KEY?: string;

  @IsUrl(HTTP_URL)
  PAYMENT_ALIPAY_GATEWAY = 'https://openapi.alipay.com/gateway.do';

  @EnvEnum(GATEWAY_MODES)
  PAYMENT_ALIPAY_MODE: GatewayMode = 'direct';

  @EnvInt({ min: 1, max: 1440 })
  PAYMENT_ALIPAY_PAY_TIMEOUT_MINUTES = 15;

  @SetTogether(WECHATPAY)
  @Matches(/^\d{8,12}$/, { message: 'must be the WeChat Pay merchant number (mchid)' })
  PAYMENT_WECHATPAY_MCH_ID?: string;

  @SetTogether(WECHATPAY)
  @Matches(/^wx[0-9a-zA-Z]{16}$/, { message: 'must be a WeChat appid (wx followed by 16 characters)' })
  PAYMENT_WECHATPAY_APP_ID?: string;

  /** The serial number of the merchant API certificate, in hex. */
  @SetTogether(WECHATPAY)
  @Matches(/^[0-9A-Fa-f]{8,64}$/, { message: 'must be the merchant certificate serial number in hex' })
  PAYMENT_WECHATPAY_SERIAL_NO?: string;

  /** The merchant API private key (apiclient_key.pem, or file:<path>). */
  @Secret()
  @SetTogether(WECHATPAY)
  @EnvPem()
  PAYMENT_WECHATPAY_PRIVATE_KEY?: string;

  /** The 32-character APIv3 key that decrypts notifications. */
  @Secret()
  @SetTogether(WECHATPAY)
  @Length(32, 32, { message: 'must be exactly 32 characters' })
  PAYMENT_WECHATPAY_API_V3_KEY?: string;

  /** The id of WeChat Pay's public key (`PUB_KEY_ID_…`), sent back in `Wechatpay-Serial`. */
  @SetTogether(WECHATPAY)
  @Matches(/^PUB_KEY_ID_[0-9A-Za-z]+$/, { message: 'must be a WeChat Pay public key id (PUB_KEY_ID_…)' })
  PAYMENT_WECHATPAY_PUBLIC_KEY_ID?: string;

  /** WeChat Pay's public key (wxp_pub.pem), which verifies its answers and notifications. */
  @SetTogether(WECHATPAY)
  @EnvPem()
  PAYMENT_WECHATPAY_PUBLIC_KEY?: string;

  @IsUrl(HTTP_URL)
  PAYMENT_WECHATPAY_API_BASE = 'https://api.mch.weixin.qq.com';

  @EnvInt({ min: 1, max: 1440 })
  PAYMENT_WECHATPAY_PAY_TIMEOUT_MINUTES = 15;

  @SetTogether(UNIONPAY)
  @Matches(/^\d{15}$/, { message: 'must be the 15-digit UnionPay merchant id (merId)' })
  PAYMENT_UNIONPAY_MER_ID?: string;

  /** The merchant signing key (PEM from the .pfx, or file:<path>). */
  @Secret()
  @SetTogether(UNIONPAY)
  @EnvPem()
  PAYMENT_UNIONPAY_SIGN_KEY?: string;

  /** The merchant signing certificate: its serial is the `certId` of every request. */
  @SetTogether(UNIONPAY)
  @EnvPem()
  PAYMENT_UNIONPAY_SIGN_CERT?: string;

  /** UnionPay's root and middle CA: `signPubKeyCert` in answers and notifies must chain to them. */
  @SetTogether(UNIONPAY)
  @EnvPem()
  PAYMENT_UNIONPAY_ROOT_CERT?: string;

  @SetTogether(UNIONPAY)
  @EnvPem()
  PAYMENT_UNIONPAY_MIDDLE_CERT?: string;

  @IsUrl(HTTP_URL)
  PAYMENT_UNIONPAY_API_BASE = 'https://gateway.95516.com';

  @EnvEnum(GATEWAY_MODES)
  PAYMENT_UNIONPAY_MODE: GatewayMode = 'direct';

  @EnvInt({ min: 1, max: 1440 })
  PAYMENT_UNIONPAY_PAY_TIMEOUT_MINUTES = 15;

  /**
   * How often payments waiting on the buyer (a QR code, a redirect) are looked at: those past
   * their provider's pay timeout are closed and expire, and the rest are asked about every
   * PAYMENT_ACTION_QUERY_INTERVAL_SECONDS in case a notify was lost.
   */
  @EnvInt({ min: 100, max: 600_000 })
  PAYMENT_ACTION_SWEEP_INTERVAL_MS = 10_000;

  @EnvInt({ min: 1, max: 86_400 })
  PAYMENT_ACTION_QUERY_INTERVAL_SECONDS = 60;

  @EnvInt({ min: 1, max: 1000 })
  PAYMENT_ACTION_SWEEP_BATCH_SIZE = 50;

  get sandboxEnabled(): boolean {
    return this.PAYMENT_SANDBOX_ENABLED ?? this.NODE_ENV !== 'production';
  }
}
