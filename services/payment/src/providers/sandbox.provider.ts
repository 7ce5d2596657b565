import type {
  AuthorizationOutcome,
  PaymentQueryOutcome,
  PaymentWebhookEvent,
  SettlementOutcome,
  WebhookOutcome,
} from '../domain/payment-outcomes';
import { ProviderTimeoutError, RetryOptions, withBoundedRetries } from './bounded-retry';
import {
  AuthorizeRequest,
  PaymentProvider,
  SettleRequest,
  WebhookHeaders,
  WebhookParseResult,
} from './payment-provider';
import { parseSignedWebhook } from './webhook-signature';

/**
 * Test payment-method tokens of the built-in `sandbox` provider (documented in services/payment/README.md):
 *
 * | token                        | authorize answers                                                      |
 * | ---------------------------- | ---------------------------------------------------------------------- |
 * | `sandbox_approve`            | authorized                                                             |
 * | `sandbox_decline`            | declined, declineCode `generic_decline`                                |
 * | `sandbox_insufficient_funds` | declined, declineCode `insufficient_funds`                             |
 * | `sandbox_requires_action`    | requires customer action; a signed webhook resolves it later           |
 * | `sandbox_timeout`            | every attempt times out → after bounded retries, failed TIMED_OUT      |
 * | anything else                | failed INVALID_PAYMENT_METHOD                                          |
 */
export const SANDBOX_TOKENS = {
  approve: 'sandbox_approve',
  decline: 'sandbox_decline',
  insufficientFunds: 'sandbox_insufficient_funds',
  requiresAction: 'sandbox_requires_action',
  timeout: 'sandbox_timeout',
} as const;

/** Webhook event types the sandbox sends to `POST /v1/webhooks/payments/sandbox`. */
export const SANDBOX_WEBHOOK_TYPES = {
  authorized: 'payment.authorized',
  failed: 'payment.failed',
  canceled: 'payment.canceled',
  captured: 'payment.captured',
} as const;

export const SANDBOX_SIGNATURE_HEADER = 'Sandbox-Signature';

export interface SandboxCall {
  readonly operation: 'authorize' | 'capture' | 'void' | 'refund' | 'query';
  readonly idempotencyKey: string;
  readonly attempt: number;
}

export interface SandboxOptions {
  readonly webhookSecrets: readonly string[];
  readonly webhookToleranceSeconds: number;
  readonly retry: RetryOptions;
  /** Sees every simulated outbound call (tests count attempts and keys). */
  readonly onCall?: (call: SandboxCall) => void;
}

/** `sbx_pi_<orderId>`: deterministic, so a replayed authorize returns the same reference. */
export function sandboxPaymentRef(orderId: string): string {
  return `sbx_pi_${orderId}`;
}

/** Deterministic, in-process, no network: the provider for development, demos and tests. */
export class SandboxPaymentProvider implements PaymentProvider {
  readonly name = 'sandbox';
  readonly captureMode = 'manual';
  readonly webhookHeaders = [SANDBOX_SIGNATURE_HEADER.toLowerCase()];

  constructor(private readonly options: SandboxOptions) {}

  async authorize(request: AuthorizeRequest): Promise<AuthorizationOutcome> {
    const ref = sandboxPaymentRef(request.orderId);
    const result = await withBoundedRetries(this.options.retry, async (attempt) => {
      this.options.onCall?.({ operation: 'authorize', idempotencyKey: request.idempotencyKey, attempt });
      if (request.paymentMethodRef === SANDBOX_TOKENS.timeout) {
        throw new ProviderTimeoutError();
      }
      return request.paymentMethodRef;
    });
    if (!result.ok) {
      return {
        kind: 'failed',
        reason: 'PAYMENT.TIMED_OUT',
        message: `sandbox: no answer after ${result.attempts} attempts`,
        mayHaveSucceeded: true,
      };
    }
    switch (result.value) {
      case SANDBOX_TOKENS.approve:
        return { kind: 'authorized', providerPaymentRef: ref };
      case SANDBOX_TOKENS.decline:
        return {
          kind: 'failed',
          reason: 'PAYMENT.DECLINED',
          declineCode: 'generic_decline',
          providerPaymentRef: ref,
        };
      case SANDBOX_TOKENS.insufficientFunds:
        return {
          kind: 'failed',
          reason: 'PAYMENT.DECLINED',
          declineCode: 'insufficient_funds',
          providerPaymentRef: ref,
        };
      case SANDBOX_TOKENS.requiresAction:
        return { kind: 'requires-action', providerPaymentRef: ref };
      default:
        return {
          kind: 'failed',
          reason: 'PAYMENT.INVALID_PAYMENT_METHOD',
          message: 'sandbox: unknown test token',
        };
    }
  }

  async capture(request: SettleRequest): Promise<SettlementOutcome> {
    return this.settle('capture', request);
  }

  async void(request: SettleRequest): Promise<SettlementOutcome> {
    return this.settle('void', request);
  }

  async refund(request: SettleRequest): Promise<SettlementOutcome> {
    return this.settle('refund', request);
  }

  /**
   * The sandbox keeps no state: a payment waiting for customer action is still waiting (its
   * signed webhook resolves it), and any other it knows of was answered at authorize already.
   */
  async query(request: SettleRequest): Promise<PaymentQueryOutcome> {
    this.options.onCall?.({ operation: 'query', idempotencyKey: request.idempotencyKey, attempt: 1 });
    return request.providerPaymentRef === sandboxPaymentRef(request.orderId)
      ? { kind: 'awaiting-buyer' }
      : { kind: 'failed', reason: 'PAYMENT.PROVIDER_ERROR', message: 'sandbox: no such payment' };
  }

  verifyWebhook(rawBody: Buffer, headers: WebhookHeaders, now?: Date): WebhookParseResult {
    const { webhookSecrets: secrets, webhookToleranceSeconds: toleranceSeconds } = this.options;
    return parseSignedWebhook(
      rawBody,
      headers,
      { headerName: SANDBOX_SIGNATURE_HEADER, secrets, toleranceSeconds },
      (body) => this.readWebhook(body),
      now,
    );
  }

  /**
   * Body: `{"id":"evt_…","type":"payment.authorized","data":{"order_id":"…","payment_ref":"sbx_pi_…"}}`;
   * `payment.failed` may carry `data.decline_code` (then DECLINED, else AUTHENTICATION_FAILED).
   */
  readWebhook(rawBody: Buffer): PaymentWebhookEvent {
    const body = JSON.parse(rawBody.toString('utf8')) as {
      id?: unknown;
      type?: unknown;
      data?: { order_id?: unknown; payment_ref?: unknown; decline_code?: unknown };
    };
    if (typeof body.id !== 'string' || body.id === '' || typeof body.type !== 'string') {
      throw new Error('a sandbox webhook needs a string id and type');
    }
    const orderId = typeof body.data?.order_id === 'string' ? body.data.order_id : undefined;
    const ref =
      typeof body.data?.payment_ref === 'string'
        ? body.data.payment_ref
        : orderId
          ? sandboxPaymentRef(orderId)
          : undefined;
    const declineCode = typeof body.data?.decline_code === 'string' ? body.data.decline_code : undefined;
    let outcome: WebhookOutcome | undefined;
    if (ref !== undefined) {
      switch (body.type) {
        case SANDBOX_WEBHOOK_TYPES.authorized:
          outcome = { kind: 'authorized', providerPaymentRef: ref };
          break;
        case SANDBOX_WEBHOOK_TYPES.failed:
          outcome = declineCode
            ? { kind: 'failed', providerPaymentRef: ref, reason: 'PAYMENT.DECLINED', declineCode }
            : { kind: 'failed', providerPaymentRef: ref, reason: 'PAYMENT.AUTHENTICATION_FAILED' };
          break;
        case SANDBOX_WEBHOOK_TYPES.canceled:
          outcome = { kind: 'canceled', providerPaymentRef: ref };
          break;
        case SANDBOX_WEBHOOK_TYPES.captured:
          outcome = { kind: 'captured', providerPaymentRef: ref };
          break;
      }
    }
    return { providerEventId: body.id, type: body.type, orderId, outcome };
  }

  private async settle(
    operation: Exclude<SandboxCall['operation'], 'query' | 'authorize'>,
    request: SettleRequest,
  ): Promise<SettlementOutcome> {
    this.options.onCall?.({ operation, idempotencyKey: request.idempotencyKey, attempt: 1 });
    return { kind: 'done', providerRef: `sbx_${operation}_${request.idempotencyKey}` };
  }
}
