import { createHmac, randomBytes } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { listenLocal, readBody } from './local-http-party';

/**
 * A stand-in for the Stripe API, over real HTTP, speaking its wire format: form-encoded requests
 * with a Bearer key, JSON answers, Idempotency-Key honoured as Stripe documents it (below), 402
 * card errors. It records every call and can send webhooks signed exactly as Stripe signs them.
 * Hand-written on node:http and node:crypto, never on the `stripe` package the provider uses: the
 * fake plays Stripe, so a mistake the two shared would pass every test (a dependency-cruiser rule,
 * parties-share-no-vendor-code, keeps it so).
 *
 * Test payment methods (Stripe's own test ids):
 *   pm_card_visa                            → requires_capture (authorized)
 *   pm_card_chargeDeclined                  → 402 card_error, decline_code generic_decline
 *   pm_card_chargeDeclinedInsufficientFunds → 402 card_error, decline_code insufficient_funds
 *   pm_card_authenticationRequired          → requires_action (3-D Secure)
 *   anything else                           → 400 resource_missing (param payment_method)
 *
 * Idempotency (docs.stripe.com/api/idempotent_requests, v1): the status and body of the first POST
 * with a key are saved once the endpoint has begun executing, whatever they are, and a retry with
 * the key gets them back (`Idempotent-Replayed: true`) without anything being done again. A request
 * refused before that (a bad API key, parameters that fail validation) saves nothing, so it may be
 * retried. The key is compared with the first request: another endpoint or other parameters under
 * it is a 400 `idempotency_error`. (Stripe prunes keys after 24 hours; a test never lives so long.)
 */
export interface FakeStripeCall {
  readonly method: string;
  readonly path: string;
  readonly params: Readonly<Record<string, string>>;
  readonly idempotencyKey?: string;
  readonly authorization?: string;
  readonly contentType?: string;
  /** True when the answer was a replay of an earlier request with the same Idempotency-Key. */
  readonly replayed: boolean;
}

export interface FakeIntent {
  id: string;
  object: 'payment_intent';
  amount: number;
  amount_capturable: number;
  amount_received: number;
  currency: string;
  capture_method: string;
  payment_method: string;
  status: string;
  metadata: Record<string, string>;
  last_payment_error: Record<string, unknown> | null;
  next_action: Record<string, unknown> | null;
  created: number;
}

interface Answer {
  readonly status: number;
  readonly body: unknown;
  /** Refused before the endpoint ran (authentication, validation): nothing saved under the key. */
  readonly beforeExecution?: boolean;
}

/** The first request made with an Idempotency-Key, and what it was answered. */
interface SavedReply {
  readonly method: string;
  readonly path: string;
  readonly params: Readonly<Record<string, string>>;
  readonly answer: Answer;
}

/** The calls whose answer a test can have lost (loseNextAnswer), named as the fake gateways name them. */
export type FakeStripeOperation = 'refund' | 'capture' | 'close' | 'query';

export interface WebhookDelivery {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/** Where the fake sends the webhooks Stripe would send, and how many it sent. */
export interface WebhookEndpoint {
  readonly url: string;
  readonly secret: string;
  delivered: number;
  failed: number;
}

export class FakeStripe {
  readonly calls: FakeStripeCall[] = [];
  /**
   * When set, every intent change is also announced as Stripe announces it, a moment after the API
   * answered: `payment_intent.amount_capturable_updated`, `.payment_failed`, `.succeeded`, `.canceled`.
   * Off by default so a test decides itself which webhooks arrive and when.
   */
  webhookEndpoint?: WebhookEndpoint;
  readonly intents = new Map<string, FakeIntent>();
  private readonly replies = new Map<string, SavedReply>();
  /** Amounts refunded and captured, by payment intent id, in the order Stripe carried them out. */
  private readonly refundsByIntent = new Map<string, number[]>();
  private readonly capturesByIntent = new Map<string, number[]>();
  private readonly lose = new Set<FakeStripeOperation>();
  /**
   * Answer the next N requests with 503 before they reach the API (an outage in front of it, to
   * exercise bounded retries): nothing runs, so nothing is saved under their idempotency key.
   */
  failNext = 0;

  private constructor(
    private readonly server: Server,
    readonly apiKey: string,
    readonly baseUrl: string,
  ) {}

  static async start(apiKey = `sk_test_${randomBytes(12).toString('hex')}`): Promise<FakeStripe> {
    const holder: { stripe?: FakeStripe } = {};
    const { server, baseUrl } = await listenLocal(async (request, response) => {
      // Requests arrive only after listen() resolved, by when the holder is filled.
      await holder.stripe?.handle(request, response);
    });
    holder.stripe = new FakeStripe(server, apiKey, baseUrl);
    return holder.stripe;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  callsTo(method: string, path: RegExp | string): FakeStripeCall[] {
    return this.calls.filter(
      (call) =>
        call.method === method && (typeof path === 'string' ? call.path === path : path.test(call.path)),
    );
  }

  intentForOrder(orderId: string): FakeIntent | undefined {
    return [...this.intents.values()].find((intent) => intent.metadata.order_id === orderId);
  }

  /** Refunds Stripe carried out for the intent, in minor units. */
  refundsOf(intentId: string): readonly number[] {
    return this.refundsByIntent.get(intentId) ?? [];
  }

  /** Captures Stripe carried out for the intent, in minor units. */
  capturesOf(intentId: string): readonly number[] {
    return this.capturesByIntent.get(intentId) ?? [];
  }

  /**
   * Stripe carries out the next call of this kind (its answer saved under the call's idempotency
   * key, as for any call) but the connection drops before the answer reaches the caller.
   */
  loseNextAnswer(operation: FakeStripeOperation): void {
    this.lose.add(operation);
  }

  /** Finishes 3-D Secure for an intent, as the customer would in the browser. */
  completeAuthentication(intentId: string, succeed: boolean): FakeIntent {
    const intent = this.intents.get(intentId);
    if (!intent) {
      throw new Error(`fake Stripe has no payment intent ${intentId}`);
    }
    intent.next_action = null;
    if (succeed) {
      intent.status = 'requires_capture';
      intent.amount_capturable = intent.amount;
    } else {
      intent.status = 'requires_payment_method';
      intent.last_payment_error = {
        type: 'invalid_request_error',
        code: 'payment_intent_authentication_failure',
        message: 'The provided PaymentMethod has failed authentication.',
      };
    }
    return intent;
  }

  /** A Stripe `event` object around a snapshot of the intent. */
  static event(type: string, intent: FakeIntent, id = `evt_${randomBytes(12).toString('hex')}`): string {
    return JSON.stringify({
      id,
      object: 'event',
      api_version: '2024-06-20',
      created: Math.floor(Date.now() / 1000),
      livemode: false,
      type,
      data: { object: { ...intent } },
    });
  }

  /** `Stripe-Signature: t=<t>,v1=<hex>[,v1=…]` for `payload`, one v1 per secret. */
  static signature(
    payload: string,
    secrets: readonly string[],
    timestamp = Math.floor(Date.now() / 1000),
  ): string {
    const macs = secrets.map(
      (secret) => `v1=${createHmac('sha256', secret).update(`${timestamp}.${payload}`).digest('hex')}`,
    );
    return [`t=${timestamp}`, ...macs].join(',');
  }

  /** Sends webhooks for every intent change to `url`, signed with `secret` (the `whsec_…` of the endpoint). */
  sendWebhooksTo(url: string, secret: string): WebhookEndpoint {
    this.webhookEndpoint = { url, secret, delivered: 0, failed: 0 };
    return this.webhookEndpoint;
  }

  private announce(type: string, intent: FakeIntent): void {
    const endpoint = this.webhookEndpoint;
    if (!endpoint) {
      return;
    }
    const payload = FakeStripe.event(type, intent);
    // Stripe delivers after the API call returned, never inside it.
    setImmediate(() => {
      FakeStripe.deliver(endpoint.url, payload, FakeStripe.signature(payload, [endpoint.secret])).then(
        (delivery) => (delivery.status < 300 ? endpoint.delivered++ : endpoint.failed++),
        () => endpoint.failed++,
      );
    });
  }

  /** POSTs a webhook the way Stripe delivers it. */
  static async deliver(
    url: string,
    payload: string,
    signature: string | undefined,
  ): Promise<WebhookDelivery> {
    const headers: Record<string, string> = { 'Content-Type': 'application/json; charset=utf-8' };
    if (signature !== undefined) {
      headers['Stripe-Signature'] = signature;
    }
    const response = await fetch(url, { method: 'POST', headers, body: payload });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const raw = await readBody(request);
    const params = Object.fromEntries(new URLSearchParams(raw));
    const method = request.method ?? '';
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    // Keys matter on POST only: Stripe's GET and DELETE are idempotent by themselves.
    const idempotencyKey = method === 'POST' ? header(request, 'idempotency-key') : undefined;
    const saved = idempotencyKey === undefined ? undefined : this.replies.get(idempotencyKey);
    const sameRequest =
      saved !== undefined &&
      saved.method === method &&
      saved.path === path &&
      sameParams(saved.params, params);
    this.calls.push({
      method,
      path,
      params,
      idempotencyKey: header(request, 'idempotency-key'),
      authorization: header(request, 'authorization'),
      contentType: header(request, 'content-type'),
      replayed: sameRequest,
    });
    if (this.failNext > 0) {
      this.failNext -= 1;
      return send(response, { status: 503, body: { error: { type: 'api_error', message: 'try again' } } });
    }
    if (saved) {
      return sameRequest
        ? send(response, saved.answer, true)
        : send(
            response,
            stripeError(
              400,
              'idempotency_error',
              undefined,
              `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idempotencyKey}' if you meant to execute a different request.`,
            ),
          );
    }
    const answer = this.answer(request, path, params);
    if (idempotencyKey !== undefined && !answer.beforeExecution) {
      this.replies.set(idempotencyKey, { method, path, params, answer });
    }
    const operation = operationOf(method, path);
    if (operation !== undefined && this.lose.delete(operation)) {
      // Carried out (and saved under its key), but the answer never reaches the caller.
      request.socket.destroy();
      return;
    }
    send(response, answer);
  }

  private answer(request: IncomingMessage, path: string, params: Record<string, string>): Answer {
    if (header(request, 'authorization') !== `Bearer ${this.apiKey}`) {
      return beforeExecution(
        stripeError(401, 'invalid_request_error', undefined, 'Invalid API Key provided'),
      );
    }
    if (
      request.method === 'POST' &&
      !header(request, 'content-type')?.startsWith('application/x-www-form-urlencoded')
    ) {
      return beforeExecution(
        stripeError(400, 'invalid_request_error', undefined, 'Invalid request: send form-encoded parameters'),
      );
    }
    if (request.method === 'POST' && path === '/v1/payment_intents') {
      return this.createIntent(params);
    }
    const retrieve = /^\/v1\/payment_intents\/([^/]+)$/.exec(path);
    if (request.method === 'GET' && retrieve) {
      const intent = this.intents.get(retrieve[1]);
      return intent
        ? { status: 200, body: intent }
        : stripeError(404, 'invalid_request_error', 'resource_missing', 'No such payment_intent');
    }
    const action = /^\/v1\/payment_intents\/([^/]+)\/(capture|cancel)$/.exec(path);
    if (request.method === 'POST' && action) {
      const intent = this.intents.get(action[1]);
      if (!intent) {
        return stripeError(404, 'invalid_request_error', 'resource_missing', 'No such payment_intent');
      }
      return action[2] === 'capture' ? this.capture(intent, params) : this.cancel(intent);
    }
    if (request.method === 'POST' && path === '/v1/refunds') {
      return this.refund(params);
    }
    return stripeError(
      404,
      'invalid_request_error',
      undefined,
      `Unrecognized request URL (${request.method}: ${path})`,
    );
  }

  private createIntent(params: Record<string, string>): Answer {
    const amount = Number(params.amount);
    if (!Number.isInteger(amount) || amount < 1 || !/^[a-z]{3}$/.test(params.currency ?? '')) {
      return beforeExecution(
        stripeError(400, 'invalid_request_error', 'parameter_invalid', 'Invalid amount or currency'),
      );
    }
    const metadata: Record<string, string> = {};
    for (const [key, value] of Object.entries(params)) {
      const match = /^metadata\[(.+)\]$/.exec(key);
      if (match) {
        metadata[match[1]] = value;
      }
    }
    const intent: FakeIntent = {
      id: `pi_${randomBytes(12).toString('hex')}`,
      object: 'payment_intent',
      amount,
      amount_capturable: 0,
      amount_received: 0,
      currency: params.currency,
      capture_method: params.capture_method ?? 'automatic',
      payment_method: params.payment_method,
      status: 'requires_confirmation',
      metadata,
      last_payment_error: null,
      next_action: null,
      created: Math.floor(Date.now() / 1000),
    };
    const decline = (declineCode: string): Answer => {
      intent.status = 'requires_payment_method';
      intent.last_payment_error = {
        type: 'card_error',
        code: 'card_declined',
        decline_code: declineCode,
        message: 'Your card was declined.',
      };
      this.intents.set(intent.id, intent);
      this.announce('payment_intent.payment_failed', intent);
      return {
        status: 402,
        body: { error: { ...intent.last_payment_error, payment_intent: { ...intent } } },
      };
    };
    switch (params.payment_method) {
      case 'pm_card_visa':
        intent.status = params.capture_method === 'manual' ? 'requires_capture' : 'succeeded';
        intent.amount_capturable = amount;
        break;
      case 'pm_card_chargeDeclined':
        return decline('generic_decline');
      case 'pm_card_chargeDeclinedInsufficientFunds':
        return decline('insufficient_funds');
      case 'pm_card_authenticationRequired':
        intent.status = 'requires_action';
        intent.next_action = { type: 'use_stripe_sdk' };
        break;
      default:
        return stripeError(
          400,
          'invalid_request_error',
          'resource_missing',
          'No such PaymentMethod',
          'payment_method',
        );
    }
    this.intents.set(intent.id, intent);
    if (intent.status === 'requires_capture') {
      this.announce('payment_intent.amount_capturable_updated', intent);
    }
    if (intent.status === 'succeeded') {
      this.announce('payment_intent.succeeded', intent);
    }
    return { status: 200, body: { ...intent } };
  }

  private capture(intent: FakeIntent, params: Record<string, string>): Answer {
    if (intent.status !== 'requires_capture') {
      return unexpectedState(intent, 'capture');
    }
    const amount = params.amount_to_capture ? Number(params.amount_to_capture) : intent.amount;
    intent.status = 'succeeded';
    intent.amount_received = amount;
    intent.amount_capturable = 0;
    this.capturesByIntent.set(intent.id, [...this.capturesOf(intent.id), amount]);
    this.announce('payment_intent.succeeded', intent);
    return { status: 200, body: { ...intent } };
  }

  private cancel(intent: FakeIntent): Answer {
    if (
      ![
        'requires_payment_method',
        'requires_capture',
        'requires_confirmation',
        'requires_action',
        'processing',
      ].includes(intent.status)
    ) {
      return unexpectedState(intent, 'cancel');
    }
    intent.status = 'canceled';
    intent.amount_capturable = 0;
    this.announce('payment_intent.canceled', intent);
    return { status: 200, body: { ...intent } };
  }

  private refund(params: Record<string, string>): Answer {
    const intent = this.intents.get(params.payment_intent ?? '');
    if (!intent) {
      return stripeError(
        400,
        'invalid_request_error',
        'resource_missing',
        'No such payment_intent',
        'payment_intent',
      );
    }
    if (intent.status !== 'succeeded') {
      return stripeError(
        400,
        'invalid_request_error',
        'charge_not_refundable',
        'This PaymentIntent has not been captured',
      );
    }
    const already = this.refundsOf(intent.id).reduce((sum, refunded) => sum + refunded, 0);
    const amount = params.amount ? Number(params.amount) : intent.amount_received - already;
    if (amount < 1 || already + amount > intent.amount_received) {
      return stripeError(
        400,
        'invalid_request_error',
        'amount_too_large',
        'Refund amount is greater than unrefunded amount',
      );
    }
    this.refundsByIntent.set(intent.id, [...this.refundsOf(intent.id), amount]);
    return {
      status: 200,
      body: {
        id: `re_${randomBytes(12).toString('hex')}`,
        object: 'refund',
        amount,
        payment_intent: intent.id,
        status: 'succeeded',
      },
    };
  }
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function beforeExecution(answer: Answer): Answer {
  return { ...answer, beforeExecution: true };
}

function sameParams(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => b[key] === a[key]);
}

function operationOf(method: string, path: string): FakeStripeOperation | undefined {
  if (method === 'POST' && path === '/v1/refunds') {
    return 'refund';
  }
  if (method === 'GET' && /^\/v1\/payment_intents\/[^/]+$/.test(path)) {
    return 'query';
  }
  const action = method === 'POST' ? /^\/v1\/payment_intents\/[^/]+\/(capture|cancel)$/.exec(path) : null;
  if (action) {
    return action[1] === 'capture' ? 'capture' : 'close';
  }
  return undefined;
}

function send(response: ServerResponse, answer: Answer, replayed = false): void {
  response.writeHead(answer.status, {
    'Content-Type': 'application/json',
    'Request-Id': `req_${randomBytes(8).toString('hex')}`,
    ...(replayed && { 'Idempotent-Replayed': 'true' }),
  });
  response.end(JSON.stringify(answer.body));
}

function stripeError(
  status: number,
  type: string,
  code: string | undefined,
  message: string,
  param?: string,
): Answer {
  return { status, body: { error: { type, ...(code && { code }), message, ...(param && { param }) } } };
}

function unexpectedState(intent: FakeIntent, action: string): Answer {
  return {
    status: 400,
    body: {
      error: {
        type: 'invalid_request_error',
        code: 'payment_intent_unexpected_state',
        message: `This PaymentIntent could not be ${action} because it has a status of ${intent.status}.`,
        payment_intent: { ...intent },
      },
    },
  };
}
