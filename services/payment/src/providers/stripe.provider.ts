import type { PaymentFailureReason } from '@waybill/contracts';
import Stripe from 'stripe';
import type {
  AuthorizationOutcome,
  PaymentQueryOutcome,
  PaymentWebhookEvent,
  SettlementOutcome,
  WebhookOutcome,
} from '../domain/payment-outcomes';
import {
  ProviderTimeoutError,
  ProviderUnavailableError,
  RetryOptions,
  withBoundedRetries,
} from './bounded-retry';
import {
  AuthorizeRequest,
  PaymentProvider,
  SettleRequest,
  WebhookHeaders,
  WebhookParseResult,
} from './payment-provider';
import { parseSignedWebhook } from './webhook-signature';

export interface StripeOptions {
  /** e.g. https://api.stripe.com; tests point it at a fake Stripe. */
  readonly apiBase: string;
  readonly apiKey: string;
  /** Several secrets during a rotation; any of them verifies. */
  readonly webhookSecrets: readonly string[];
  readonly webhookToleranceSeconds: number;
  readonly timeoutMs: number;
  readonly retry: RetryOptions;
}

export const STRIPE_SIGNATURE_HEADER = 'Stripe-Signature';

/** The parts of a PaymentIntent and of an error that Waybill reads. */
interface StripePaymentIntent {
  readonly id: string;
  readonly object?: string;
  readonly status?: string;
  readonly metadata?: Record<string, string>;
  readonly last_payment_error?: StripeErrorBody | null;
}

interface StripeErrorBody {
  readonly type?: string;
  readonly code?: string;
  readonly decline_code?: string;
  readonly message?: string;
  readonly param?: string;
  readonly payment_intent?: StripePaymentIntent;
}

/**
 * What one call to Stripe came back with, once outages are taken out: the resource, or Stripe's
 * refusal (a card decline, an invalid request) with its status and error body.
 */
export type StripeReply<T> =
  | { readonly kind: 'answered'; readonly resource: T; readonly status: number }
  | { readonly kind: 'refused'; readonly status: number; readonly error: StripeErrorBody };

/**
 * Stripe PaymentIntents with manual capture: authorize = create and confirm, capture on shipment,
 * void = cancel, refund = a Refund of the intent. Spoken through the `stripe` package, pointed at
 * `apiBase` (host, port and protocol; its path is ignored, as the API's paths are absolute), with
 * our Idempotency-Key on every call.
 *
 * Retries are Waybill's bounded retries, not the package's (`maxNetworkRetries: 0`): the same
 * attempts, backoff and "timed out vs unavailable" outcome as every other outside party, set by
 * PAYMENT_PROVIDER_MAX_ATTEMPTS and _RETRY_BACKOFF_MS (the package's backoff starts at half a
 * second and cannot be configured). Each attempt is bounded by the package's `timeout`. The same
 * idempotency key goes with every attempt, so Stripe replays rather than repeats. (The package
 * itself retries a connection closed before any answer once even with retries off; with our key
 * that retry is a replay too.)
 *
 * Webhook bodies are read by hand in readWebhook, into the few fields the saga uses
 * (StripePaymentIntent above) rather than the package's Stripe.Event types: a stored body is read
 * again later, and reading only those fields keeps events of another API version readable.
 */
export class StripePaymentProvider implements PaymentProvider {
  readonly name = 'stripe';
  readonly captureMode = 'manual';
  readonly webhookHeaders = [STRIPE_SIGNATURE_HEADER.toLowerCase()];
  private readonly stripe: Stripe;

  constructor(private readonly options: StripeOptions) {
    const base = new URL(options.apiBase);
    if (base.protocol !== 'https:' && base.protocol !== 'http:') {
      throw new Error('the Stripe API base must be an http(s) URL');
    }
    const protocol = base.protocol === 'http:' ? 'http' : 'https';
    this.stripe = new Stripe(options.apiKey, {
      host: base.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: base.port === '' ? (protocol === 'http' ? 80 : 443) : Number(base.port),
      protocol,
      maxNetworkRetries: 0,
      timeout: options.timeoutMs,
      // The package's own API version (pinned per major release), so an upgrade is a deliberate step.
    });
  }

  async authorize(request: AuthorizeRequest): Promise<AuthorizationOutcome> {
    const result = await this.send(() =>
      this.stripe.paymentIntents.create(
        {
          amount: request.amount,
          currency: request.currency.toLowerCase(),
          payment_method: request.paymentMethodRef,
          confirm: true,
          capture_method: 'manual',
          // Confirmed server-side, so no redirect-based methods (they would need a return_url).
          automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
          metadata: { order_id: request.orderId, payment_id: request.paymentId },
        },
        { idempotencyKey: request.idempotencyKey },
      ),
    );
    if (!result.ok) {
      return {
        kind: 'failed',
        reason: result.kind === 'timed-out' ? 'PAYMENT.TIMED_OUT' : 'PAYMENT.PROVIDER_ERROR',
        message: `stripe: ${result.message} after ${result.attempts} attempt(s)`,
        mayHaveSucceeded: true,
      };
    }
    const reply = result.value;
    if (reply.kind === 'answered') {
      return intentOutcome(reply.resource);
    }
    const { status, error } = reply;
    if (status === 402 || error.type === 'card_error') {
      return {
        kind: 'failed',
        reason:
          error.code === 'payment_intent_authentication_failure'
            ? 'PAYMENT.AUTHENTICATION_FAILED'
            : 'PAYMENT.DECLINED',
        declineCode: error.decline_code ?? error.code,
        message: error.message,
        providerPaymentRef: error.payment_intent?.id,
      };
    }
    const invalidMethod =
      error.param === 'payment_method' ||
      error.code === 'resource_missing' ||
      error.code === 'payment_method_invalid';
    return {
      kind: 'failed',
      reason: status === 400 && invalidMethod ? 'PAYMENT.INVALID_PAYMENT_METHOD' : 'PAYMENT.PROVIDER_ERROR',
      message: `stripe answered ${status}${error.code ? ` ${error.code}` : ''}`,
    };
  }

  async capture(request: SettleRequest): Promise<SettlementOutcome> {
    if (!request.providerPaymentRef) {
      return { kind: 'refused', code: 'no_payment_intent', message: 'nothing to capture' };
    }
    const intentId = request.providerPaymentRef;
    return this.settle(
      () =>
        this.stripe.paymentIntents.capture(
          intentId,
          { amount_to_capture: request.amount },
          { idempotencyKey: request.idempotencyKey },
        ),
      'succeeded',
    );
  }

  async void(request: SettleRequest): Promise<SettlementOutcome> {
    // Without the intent id (the create call timed out) there is nothing to address; a late
    // amount_capturable_updated webhook carries the id, and the saga voids then.
    if (!request.providerPaymentRef) {
      return { kind: 'refused', code: 'no_payment_intent', message: 'the payment intent id is not known' };
    }
    const intentId = request.providerPaymentRef;
    return this.settle(
      () =>
        this.stripe.paymentIntents.cancel(
          intentId,
          { cancellation_reason: 'abandoned' },
          { idempotencyKey: request.idempotencyKey },
        ),
      'canceled',
    );
  }

  async refund(request: SettleRequest): Promise<SettlementOutcome> {
    if (!request.providerPaymentRef) {
      return { kind: 'refused', code: 'no_payment_intent', message: 'nothing to refund' };
    }
    const result = await this.send(() =>
      this.stripe.refunds.create(
        {
          payment_intent: request.providerPaymentRef,
          amount: request.amount,
          metadata: { order_id: request.orderId, payment_id: request.paymentId },
        },
        { idempotencyKey: request.idempotencyKey },
      ),
    );
    if (!result.ok) {
      return { kind: 'unavailable', message: `stripe: ${result.message}` };
    }
    const reply = result.value;
    if (
      reply.kind === 'answered' &&
      reply.resource.status !== 'failed' &&
      reply.resource.status !== 'canceled'
    ) {
      return { kind: 'done', providerRef: reply.resource.id };
    }
    return refusal(reply);
  }

  async query(request: SettleRequest): Promise<PaymentQueryOutcome> {
    if (!request.providerPaymentRef) {
      return { kind: 'unknown', message: 'the payment intent id is not known' };
    }
    const intentId = request.providerPaymentRef;
    const result = await this.send(() => this.stripe.paymentIntents.retrieve(intentId));
    if (!result.ok) {
      return { kind: 'unknown', message: `stripe: ${result.message}` };
    }
    const reply = result.value;
    if (reply.kind === 'refused') {
      return reply.status === 404
        ? { kind: 'failed', reason: 'PAYMENT.PROVIDER_ERROR', message: 'stripe has no such payment intent' }
        : { kind: 'unknown', message: `stripe answered ${reply.status}` };
    }
    const intent = reply.resource as StripePaymentIntent;
    if (intent.status === 'canceled') {
      return { kind: 'failed', reason: 'PAYMENT.PROVIDER_ERROR', message: 'the payment intent was canceled' };
    }
    const outcome = intentOutcome(intent);
    return outcome.kind === 'requires-action' ? { kind: 'awaiting-buyer' } : outcome;
  }

  verifyWebhook(rawBody: Buffer, headers: WebhookHeaders, now?: Date): WebhookParseResult {
    const { webhookSecrets: secrets, webhookToleranceSeconds: toleranceSeconds } = this.options;
    return parseSignedWebhook(
      rawBody,
      headers,
      { headerName: STRIPE_SIGNATURE_HEADER, secrets, toleranceSeconds },
      (body) => this.readWebhook(body),
      now,
    );
  }

  readWebhook(rawBody: Buffer): PaymentWebhookEvent {
    const event = JSON.parse(rawBody.toString('utf8')) as {
      id?: unknown;
      type?: unknown;
      data?: { object?: StripePaymentIntent };
    };
    if (typeof event.id !== 'string' || event.id === '' || typeof event.type !== 'string') {
      throw new Error('a Stripe event needs a string id and type');
    }
    const intent = event.data?.object;
    const orderId = intent?.metadata?.order_id;
    const base = { providerEventId: event.id, type: event.type, orderId };
    if (!intent || typeof intent.id !== 'string' || intent.object !== 'payment_intent') {
      return base;
    }
    return { ...base, outcome: webhookOutcome(event.type, intent) };
  }

  private async settle(
    call: () => Promise<Stripe.Response<Stripe.PaymentIntent>>,
    doneStatus: Stripe.PaymentIntent.Status,
  ): Promise<SettlementOutcome> {
    const result = await this.send(call);
    if (!result.ok) {
      return { kind: 'unavailable', message: `stripe: ${result.message}` };
    }
    const reply = result.value;
    if (reply.kind === 'answered' && reply.resource.status === doneStatus) {
      return { kind: 'done', providerRef: reply.resource.id };
    }
    // Already in the wanted state (e.g. cancelled by an earlier attempt whose answer was lost).
    if (
      reply.kind === 'refused' &&
      reply.error.code === 'payment_intent_unexpected_state' &&
      reply.error.payment_intent?.status === doneStatus
    ) {
      return { kind: 'done', providerRef: reply.error.payment_intent.id };
    }
    return refusal(reply);
  }

  /** One call through the package, with outages retried by our bounded retries. */
  private send<T extends object>(call: () => Promise<Stripe.Response<T>>) {
    return withBoundedRetries(this.options.retry, async (): Promise<StripeReply<T>> => {
      try {
        const resource = await call();
        return { kind: 'answered', resource, status: resource.lastResponse.statusCode };
      } catch (error) {
        return stripeRefusal(error);
      }
    });
  }
}

/**
 * Maps what the package throws onto what our bounded retries and outcomes understand, as the
 * hand-written client did: no answer in time is a ProviderTimeoutError; no usable answer (network
 * error, a 5xx, a body that is not JSON) a ProviderUnavailableError, retried; any other status is
 * Stripe's answer, returned for the caller to read. Anything that is not a Stripe error is a bug
 * and is thrown. Messages name the failure, never the key or the body.
 */
export function stripeRefusal(error: unknown): Extract<StripeReply<never>, { kind: 'refused' }> {
  if (!(error instanceof Stripe.errors.StripeError)) {
    throw error;
  }
  if (error instanceof Stripe.errors.StripeConnectionError) {
    // The package's timeout error carries ETIMEDOUT; a network error its socket error's code.
    const code = (error.detail as { code?: unknown } | undefined)?.code;
    if (code === 'ETIMEDOUT') {
      throw new ProviderTimeoutError();
    }
    throw new ProviderUnavailableError(`network error${typeof code === 'string' ? ` (${code})` : ''}`);
  }
  const status = error.statusCode;
  if (status === undefined) {
    // The package answers a body it cannot read as JSON with an error that has no status.
    throw new ProviderUnavailableError('an answer that is not JSON');
  }
  if (status >= 500) {
    throw new ProviderUnavailableError(`HTTP ${status}`);
  }
  return {
    kind: 'refused',
    status,
    error: {
      type: error.rawType,
      code: error.code,
      // A card error without one gets '' from the package; an absent code is undefined here.
      decline_code: error.decline_code || undefined,
      message: error.message,
      param: error.param,
      payment_intent: error.payment_intent,
    },
  };
}

function intentOutcome(intent: StripePaymentIntent): AuthorizationOutcome {
  switch (intent.status) {
    case 'requires_capture':
    case 'succeeded':
      return { kind: 'authorized', providerPaymentRef: intent.id };
    case 'requires_action':
    case 'processing':
      return { kind: 'requires-action', providerPaymentRef: intent.id };
    case 'requires_payment_method': {
      const error = intent.last_payment_error ?? undefined;
      return {
        kind: 'failed',
        reason: failureReason(error),
        declineCode: error?.decline_code ?? error?.code,
        message: error?.message,
        providerPaymentRef: intent.id,
      };
    }
    default:
      return {
        kind: 'failed',
        reason: 'PAYMENT.PROVIDER_ERROR',
        message: `unexpected payment intent status ${intent.status ?? '(none)'}`,
        providerPaymentRef: intent.id,
      };
  }
}

function failureReason(error: StripeErrorBody | undefined): PaymentFailureReason {
  return error?.code === 'payment_intent_authentication_failure'
    ? 'PAYMENT.AUTHENTICATION_FAILED'
    : 'PAYMENT.DECLINED';
}

function webhookOutcome(type: string, intent: StripePaymentIntent): WebhookOutcome | undefined {
  switch (type) {
    case 'payment_intent.amount_capturable_updated':
      return { kind: 'authorized', providerPaymentRef: intent.id };
    case 'payment_intent.payment_failed': {
      const error = intent.last_payment_error ?? undefined;
      return {
        kind: 'failed',
        providerPaymentRef: intent.id,
        reason: failureReason(error),
        declineCode: error?.decline_code ?? error?.code,
        message: error?.message,
      };
    }
    case 'payment_intent.canceled':
      return { kind: 'canceled', providerPaymentRef: intent.id };
    case 'payment_intent.succeeded':
      return { kind: 'captured', providerPaymentRef: intent.id };
    default:
      return undefined;
  }
}

function refusal(reply: StripeReply<unknown>): SettlementOutcome {
  const error: StripeErrorBody = reply.kind === 'refused' ? reply.error : {};
  return {
    kind: 'refused',
    code: error.code ?? `http_${reply.status}`,
    message: `stripe answered ${reply.status}${error.message ? `: ${error.message}` : ''}`,
  };
}
