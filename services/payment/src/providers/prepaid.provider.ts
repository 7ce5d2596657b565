import type {
  AuthorizationOutcome,
  PaymentQueryOutcome,
  SettlementOutcome,
} from '../domain/payment-outcomes';
import type {
  AuthorizeRequest,
  PaymentProvider,
  SettleRequest,
  WebhookParseResult,
} from './payment-provider';

/**
 * `<channel>:<externalOrderId>`, e.g. `shopify:5512345678901234567`: the channel is a slug as in
 * the contracts, the platform's order id is any non-blank text. Anything else was not minted by the
 * channels service.
 */
const PREPAID_TOKEN = /^[a-z0-9][a-z0-9_-]{0,63}:\S+$/;

export function isPrepaidToken(token: string): boolean {
  return PREPAID_TOKEN.test(token);
}

/**
 * Orders the buyer already paid on a storefront platform (Shopify, WooCommerce, Youzan), mapped by
 * the channels service: the platform holds the money, so Waybill only records it. Authorize
 * answers authorized at once and, as an `immediate` provider, the saga announces the capture with
 * it; the payment's reference is the token itself, so finance can find the platform's order.
 *
 * Nothing is called and nothing can be: a void or refund is answered done because the merchant
 * gives the money back on the platform (services/payment/README.md), and there are no webhooks.
 * That only storefronts paid on their platform name this provider is the order service's check
 * (ORDER_PREPAID_STOREFRONTS), not this adapter's: it cannot see the storefront.
 */
export class PrepaidPaymentProvider implements PaymentProvider {
  readonly name = 'prepaid';
  readonly captureMode = 'immediate';
  readonly webhookHeaders: readonly string[] = [];

  async authorize(request: AuthorizeRequest): Promise<AuthorizationOutcome> {
    if (!isPrepaidToken(request.paymentMethodRef)) {
      return {
        kind: 'failed',
        reason: 'PAYMENT.INVALID_PAYMENT_METHOD',
        message: 'prepaid: the token must be <channel>:<platform order id>',
      };
    }
    return { kind: 'authorized', providerPaymentRef: request.paymentMethodRef };
  }

  /** Never called for an immediate provider; answered done so a stray call cannot wedge a saga. */
  async capture(): Promise<SettlementOutcome> {
    return { kind: 'done' };
  }

  async void(): Promise<SettlementOutcome> {
    return { kind: 'done' };
  }

  /** Recorded only: the merchant refunds the buyer on the platform, where the money is. */
  async refund(): Promise<SettlementOutcome> {
    return { kind: 'done' };
  }

  /** A prepaid payment is taken the moment it is authorized; one without a reference never was. */
  async query(request: SettleRequest): Promise<PaymentQueryOutcome> {
    const ref = request.providerPaymentRef;
    return ref !== undefined && isPrepaidToken(ref)
      ? { kind: 'authorized', providerPaymentRef: ref }
      : { kind: 'failed', reason: 'PAYMENT.PROVIDER_ERROR', message: 'prepaid: no such payment' };
  }

  /** No platform sends payment webhooks for these: whatever arrives is refused unread. */
  verifyWebhook(): WebhookParseResult {
    return { ok: false, rejection: 'NOT_CONFIGURED', message: 'prepaid payments take no webhooks' };
  }

  readWebhook(): never {
    throw new Error('prepaid payments take no webhooks, so none is ever stored to be read');
  }
}
