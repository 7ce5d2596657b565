import { EXAMPLE_IDS } from '@waybill/contracts';
import { IDEMPOTENCY_ERRORS, IDEMPOTENT_REPLAYED_HEADER, idempotencyKeyHeader } from '@waybill/eventing';
import { type ApiDocOptions, ResponseSchema as S } from '@waybill/platform';
import { PAYMENT_STATUSES } from '../domain/payment-status';
import type { PaymentView } from '../get-payment/get-payment.service';
import type { WebhookAck } from '../payment-webhooks/receive-webhook.service';
import type { RefundPaymentDto } from './refund-payment.dto';

/*
 * What the OpenAPI document says about payment's routes beyond what the code declares (see
 * @ApiDoc). Examples are typed with `satisfies`; tests/openapi.spec.ts validates request examples
 * against the DTOs' schemas.
 */

const paymentExample = {
  orderId: EXAMPLE_IDS.orderId,
  paymentId: EXAMPLE_IDS.paymentId,
  status: 'CAPTURED',
  provider: 'stripe',
  providerPaymentRef: 'pi_3OqZ2kLkdIwHu7ix0Jd1Y2pQ',
  amount: 5390,
  currency: 'EUR',
  capturedAmount: 5390,
  refundedAmount: 0,
  failure: null,
  authorizedAt: '2025-03-01T10:15:02.000Z',
  capturedAt: '2025-03-02T08:00:00.000Z',
  voidedAt: null,
  failedAt: null,
  refunds: [],
} satisfies PaymentView;

const money = S.integer({ minimum: 0 });
const refundProperties = {
  refundId: S.uuid,
  amount: S.integer({ minimum: 1 }),
  reason: S.nullable(S.string()),
  refundedAt: S.dateTime,
};

const paymentSchema = S.named(
  'PaymentView',
  S.object({
    orderId: S.uuid,
    paymentId: S.uuid,
    status: S.oneOfValues(PAYMENT_STATUSES),
    provider: S.nullable(S.string()),
    providerPaymentRef: S.nullable(S.string()),
    amount: S.nullable(money),
    currency: S.nullable(S.string({ pattern: '^[A-Z]{3}$' })),
    capturedAmount: money,
    refundedAmount: money,
    failure: S.nullable(
      S.object({ reason: S.string(), declineCode: S.nullable(S.string()), message: S.nullable(S.string()) }),
    ),
    authorizedAt: S.nullable(S.dateTime),
    capturedAt: S.nullable(S.dateTime),
    voidedAt: S.nullable(S.dateTime),
    failedAt: S.nullable(S.dateTime),
    refunds: S.arrayOf(S.object(refundProperties)),
  }),
);

export const PAYMENTS_API = {
  get: {
    summary: 'Get the payment of an order',
    response: {
      description: 'The payment, its failure if any, and its refunds.',
      schema: paymentSchema,
      example: paymentExample,
    },
    errors: [{ status: 404, code: 'PAYMENT.NOT_FOUND', description: 'The order has no payment.' }],
  },
  refund: {
    summary: 'Refund a captured payment',
    description: 'All that was captured and not yet refunded, or `amount` (minor units) of it.',
    requestExample: { amount: 1250, reason: 'PAYMENT.CUSTOMER_REQUEST' } satisfies RefundPaymentDto,
    headers: [idempotencyKeyHeader('refund-2025-03-03-RMA-4471')],
    response: {
      description: 'The refund the provider accepted.',
      schema: S.object({ ...refundProperties, orderId: S.uuid }),
      headers: IDEMPOTENT_REPLAYED_HEADER,
      example: {
        refundId: EXAMPLE_IDS.refundId,
        orderId: EXAMPLE_IDS.orderId,
        amount: 1250,
        reason: 'PAYMENT.CUSTOMER_REQUEST',
        refundedAt: '2025-03-03T09:30:00.000Z',
      },
    },
    errors: [
      ...IDEMPOTENCY_ERRORS,
      { status: 404, code: 'PAYMENT.NOT_FOUND', description: 'The order has no payment.' },
      { status: 409, code: 'PAYMENT.NOT_CAPTURED', description: 'Only a captured payment can be refunded.' },
      {
        status: 422,
        code: 'PAYMENT.REFUND_EXCEEDS_CAPTURED',
        description: 'More than is left to refund, or the provider refused (`PAYMENT.REFUND_REFUSED`).',
      },
      {
        status: 503,
        code: 'PAYMENT.PROVIDER_UNAVAILABLE',
        description: 'The provider did not answer; retry.',
      },
    ],
  },
} satisfies Record<string, ApiDocOptions>;

export const PAYMENT_WEBHOOKS_API = {
  receive: {
    summary: 'Receive a payment provider webhook',
    description:
      'Verified on the raw body (300 s tolerance), stored, answered; applied in the background. ' +
      '`:provider` is `stripe` or `sandbox`.',
    webhook: { signature: '`Stripe-Signature` (stripe) or `Sandbox-Signature` (sandbox)' },
    headers: [
      {
        name: 'Stripe-Signature',
        description:
          'stripe: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">` (several v1 while rotating).',
        example: 't=1740824100,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd',
      },
      { name: 'Sandbox-Signature', description: 'sandbox: the same format as Stripe-Signature.' },
    ],
    requestExample: {
      id: 'evt_1OqZ3kLkdIwHu7ix',
      type: 'payment_intent.succeeded',
      data: {
        object: {
          id: 'pi_3OqZ2kLkdIwHu7ix0Jd1Y2pQ',
          metadata: { order_id: EXAMPLE_IDS.orderId, payment_id: EXAMPLE_IDS.paymentId },
        },
      },
    },
    response: {
      description: 'Stored (or a duplicate event id, or a type the saga ignores).',
      schema: S.object({ received: { const: true }, duplicate: S.boolean, ignored: S.boolean }),
      example: { received: true, duplicate: false, ignored: false } satisfies WebhookAck,
    },
    errors: [
      { status: 404, code: 'PAYMENT.UNKNOWN_PROVIDER', description: 'No such provider is configured.' },
    ],
  },
  replay: {
    summary: 'Apply a stored provider webhook again',
    description: 'For an operator, as for carriers. Needs an admin key or `webhooks:replay`.',
    response: {
      description: 'Queued to be applied again.',
      schema: S.object({ replayed: { const: true }, id: S.string() }),
      example: { replayed: true, id: '4711' },
    },
    errors: [
      {
        status: 404,
        code: 'PAYMENT.WEBHOOK_NOT_FOUND',
        description: 'No stored webhook of this provider has this id.',
      },
    ],
  },
} satisfies Record<string, ApiDocOptions>;
