import type { PaymentFailureReason } from '@waybill/contracts';
import { requestJson } from '@waybill/platform';
import type {
  AuthorizationOutcome,
  PaymentWebhookEvent,
  SettlementOutcome,
  WebhookOutcome,
} from '../domain/payment-outcomes';
import { RetryOptions, withBoundedRetries } from './bounded-retry';
import { FormValue, toForm } from './form-encoding';
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

interface StripeResponse {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/**
 * Stripe PaymentIntents with manual capture: authorize = create and confirm, capture on shipment,
 * void = cancel, refund = a Refund of the intent. Form-encoded requests with a Bearer key and an
 * Idempotency-Key; network errors, timeouts and 5xx are retried a bounded number of times.
 */
export class StripePaymentProvider implements PaymentProvider {
  readonly name = 'stripe';
  readonly webhookHeaders = [STRIPE_SIGNATURE_HEADER.toLowerCase()];

  constructor(private readonly options: StripeOptions) {}

  async authorize(request: AuthorizeRequest): Promise<AuthorizationOutcome> {
    const result = await this.post('/v1/payment_intents', request.idempotencyKey, {
      amount: request.amount,
      currency: request.currency.toLowerCase(),
      payment_method: request.paymentMethodRef,
      confirm: true,
      capture_method: 'manual',
      // Confirmed server-side, so no redirect-based methods (they would need a return_url).
      automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
      metadata: { order_id: request.orderId, payment_id: request.paymentId },
    });
    if (!result.ok) {
      return {
        kind: 'failed',
        reason: result.kind === 'timed-out' ? 'PAYMENT.TIMED_OUT' : 'PAYMENT.PROVIDER_ERROR',
        message: `stripe: ${result.message} after ${result.attempts} attempt(s)`,
        mayHaveSucceeded: true,
      };
    }
    const { status, body } = result.value;
    if (status >= 200 && status < 300) {
      return intentOutcome(body as unknown as StripePaymentIntent);
    }
    const error = (body.error ?? {}) as StripeErrorBody;
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
    return this.settle(
      `/v1/payment_intents/${encodeURIComponent(request.providerPaymentRef)}/capture`,
      request.idempotencyKey,
      { amount_to_capture: request.amount },
      'succeeded',
    );
  }

  async void(request: SettleRequest): Promise<SettlementOutcome> {
    // Without the intent id (the create call timed out) there is nothing to address; a late
    // amount_capturable_updated webhook carries the id, and the saga voids then.
    if (!request.providerPaymentRef) {
      return { kind: 'refused', code: 'no_payment_intent', message: 'the payment intent id is not known' };
    }
    return this.settle(
      `/v1/payment_intents/${encodeURIComponent(request.providerPaymentRef)}/cancel`,
      request.idempotencyKey,
      { cancellation_reason: 'abandoned' },
      'canceled',
    );
  }

  async refund(request: SettleRequest): Promise<SettlementOutcome> {
    if (!request.providerPaymentRef) {
      return { kind: 'refused', code: 'no_payment_intent', message: 'nothing to refund' };
    }
    const result = await this.post('/v1/refunds', request.idempotencyKey, {
      payment_intent: request.providerPaymentRef,
      amount: request.amount,
      metadata: { order_id: request.orderId, payment_id: request.paymentId },
    });
    if (!result.ok) {
      return { kind: 'unavailable', message: `stripe: ${result.message}` };
    }
    const { status, body } = result.value;
    if (status >= 200 && status < 300 && body.status !== 'failed' && body.status !== 'canceled') {
      return { kind: 'done', providerRef: typeof body.id === 'string' ? body.id : undefined };
    }
    return refusal(status, body);
  }

  parseWebhook(rawBody: Buffer, headers: WebhookHeaders, now?: Date): WebhookParseResult {
    const { webhookSecrets: secrets, webhookToleranceSeconds: toleranceSeconds } = this.options;
    return parseSignedWebhook(
      rawBody,
      headers,
      { headerName: STRIPE_SIGNATURE_HEADER, secrets, toleranceSeconds },
      (body) => this.interpretWebhook(body),
      now,
    );
  }

  interpretWebhook(rawBody: Buffer): PaymentWebhookEvent {
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
    path: string,
    idempotencyKey: string,
    params: Record<string, FormValue>,
    doneStatus: string,
  ): Promise<SettlementOutcome> {
    const result = await this.post(path, idempotencyKey, params);
    if (!result.ok) {
      return { kind: 'unavailable', message: `stripe: ${result.message}` };
    }
    const { status, body } = result.value;
    if (status >= 200 && status < 300 && body.status === doneStatus) {
      return { kind: 'done', providerRef: typeof body.id === 'string' ? body.id : undefined };
    }
    // Already in the wanted state (e.g. cancelled by an earlier attempt whose answer was lost).
    const error = (body.error ?? {}) as StripeErrorBody;
    if (error.code === 'payment_intent_unexpected_state' && error.payment_intent?.status === doneStatus) {
      return { kind: 'done', providerRef: error.payment_intent.id };
    }
    return refusal(status, body);
  }

  private post(path: string, idempotencyKey: string, params: Record<string, FormValue>) {
    const url = new URL(path, this.options.apiBase).toString();
    const body = toForm(params);
    return withBoundedRetries(this.options.retry, (): Promise<StripeResponse> =>
      requestJson({
        url,
        method: 'POST',
        headers: { Authorization: `Bearer ${this.options.apiKey}`, 'Idempotency-Key': idempotencyKey },
        encoded: { contentType: 'application/x-www-form-urlencoded', body },
        timeoutMs: this.options.timeoutMs,
      }),
    );
  }
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

function refusal(status: number, body: Record<string, unknown>): SettlementOutcome {
  const error = (body.error ?? {}) as StripeErrorBody;
  return {
    kind: 'refused',
    code: error.code ?? `http_${status}`,
    message: `stripe answered ${status}${error.message ? `: ${error.message}` : ''}`,
  };
}
