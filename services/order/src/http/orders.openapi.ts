import { EXAMPLE_IDS, exampleData, StorefrontOrderSubmittedV1 } from '@waybill/contracts';
import { type ApiDocOptions, ResponseSchema as S } from '@waybill/platform';
import { IDEMPOTENCY_ERRORS, IDEMPOTENT_REPLAYED_HEADER, idempotencyKeyHeader } from '@waybill/eventing';
import { ORDER_STATUSES } from '../domain/order-status';
import type { OrderView } from '../policies/order-view';
import type { PlaceOrderBody } from './place-order.body';

/*
 * What the OpenAPI document says about the orders routes beyond what the code declares (see
 * @ApiDoc). Examples are typed against the DTO and the view with `satisfies`, so a renamed field
 * fails the compile; tests/openapi.spec.ts validates the request example against the DTO's schema.
 */

const orderId = EXAMPLE_IDS.orderId;

// The storefront's order of the contracts' example story, minus what the API key supplies.
const {
  storefrontId: _fromKey,
  submittedAt: _atReceipt,
  ...submitted
} = exampleData<StorefrontOrderSubmittedV1>('waybill.storefront.order-submitted.v1');
const placeOrderExample: PlaceOrderBody = submitted;

const orderExample = {
  id: orderId,
  storefrontId: 'shop-eu',
  storefrontOrderId: placeOrderExample.storefrontOrderId,
  status: 'CONFIRMED',
  currency: 'EUR',
  totals: { subtotal: 4900, total: 5390 },
  lines: placeOrderExample.lines,
  customer: placeOrderExample.customer,
  shippingAddress: placeOrderExample.shippingAddress,
  payment: { provider: placeOrderExample.payment.provider },
  reservationId: EXAMPLE_IDS.reservationId,
  paymentId: EXAMPLE_IDS.paymentId,
  createdAt: '2025-03-01T10:15:00.000Z',
  updatedAt: '2025-03-01T10:15:02.000Z',
  timeline: [
    {
      status: 'PENDING',
      event: { id: '0b6f1c1e-3d0a-4f59-8c6e-1a2b3c4d5e6f', type: 'waybill.order.placed.v1' },
      at: '2025-03-01T10:15:00.000Z',
    },
    {
      status: 'RESERVED',
      event: { id: '1c7a2d2f-4e1b-4a6a-9d7f-2b3c4d5e6f70', type: 'waybill.inventory.stock-reserved.v1' },
      at: '2025-03-01T10:15:01.000Z',
    },
    {
      status: 'CONFIRMED',
      event: { id: '2d8b3e3a-5f2c-4b7b-8e8a-3c4d5e6f7081', type: 'waybill.payment.authorized.v1' },
      at: '2025-03-01T10:15:02.000Z',
    },
  ],
  links: { self: `/v1/orders/${orderId}`, cancel: `/v1/orders/${orderId}/cancel` },
} satisfies OrderView;

const notFound = {
  status: 404,
  code: 'ORDER.NOT_FOUND',
  description: "No such order — or another storefront's, whose existence is not disclosed.",
} as const;

const money = S.integer({ minimum: 0 });

const orderSchema = S.named(
  'OrderView',
  S.object(
    {
      id: S.uuid,
      storefrontId: S.string(),
      storefrontOrderId: S.string(),
      status: S.oneOfValues(ORDER_STATUSES),
      statusReason: S.string({ description: 'Why the order was rejected or cancelled, as a code.' }),
      currency: S.string({ pattern: '^[A-Z]{3}$' }),
      totals: S.object({ subtotal: money, total: money }),
      lines: S.arrayOf(S.object({ sku: S.string(), quantity: S.integer({ minimum: 1 }), unitPrice: money })),
      customer: S.object({ id: S.string(), email: S.string() }),
      shippingAddress: S.object(
        {
          name: S.string(),
          line1: S.string(),
          line2: S.string(),
          city: S.string(),
          region: S.string(),
          postalCode: S.string(),
          country: S.string(),
          phone: S.string(),
        },
        ['name', 'line2', 'region', 'phone'],
      ),
      payment: S.object(
        {
          provider: S.string(),
          nextAction: S.object(
            {
              type: S.oneOfValues(['qr_code', 'redirect']),
              qrCode: S.string({
                description: 'With qr_code: the content to show as a QR code for the buyer to scan.',
              }),
              url: S.string({
                description: "With redirect: the gateway's payment page to send the buyer to.",
              }),
              expiresAt: S.dateTime,
            },
            ['qrCode', 'url'],
          ),
        },
        ['nextAction'],
      ),
      reservationId: S.uuid,
      paymentId: S.uuid,
      shipmentId: S.uuid,
      createdAt: S.dateTime,
      updatedAt: S.dateTime,
      timeline: S.arrayOf(
        S.object(
          {
            status: S.oneOfValues(ORDER_STATUSES),
            reason: S.string(),
            event: S.object({ id: S.uuid, type: S.string() }),
            at: S.dateTime,
          },
          ['reason'],
        ),
      ),
      links: S.object({ self: S.string(), cancel: S.string() }),
    },
    ['statusReason', 'reservationId', 'paymentId', 'shipmentId'],
  ),
);

const placedExample = {
  ...orderExample,
  status: 'PENDING',
  timeline: orderExample.timeline.slice(0, 1),
} satisfies OrderView;

export const ORDERS_API = {
  place: {
    summary: 'Place an order',
    description:
      'Answers once the order and its `order.placed` event are committed; the saga (reserve, pay, ' +
      'ship) runs after. The storefront id comes from the API key. Only storefront keys may place orders.',
    requestExample: placeOrderExample,
    headers: [idempotencyKeyHeader('b5a1c7e2-order-EU-100233')],
    response: {
      description: 'The order, PENDING.',
      schema: orderSchema,
      example: placedExample,
      headers: {
        Location: 'The order: `/v1/orders/{id}`.',
        ...IDEMPOTENT_REPLAYED_HEADER,
      },
    },
    errors: [
      ...IDEMPOTENCY_ERRORS,
      { status: 403, code: 'ORDER.STOREFRONT_ONLY', description: 'The key is not a storefront key.' },
      {
        status: 409,
        code: 'ORDER.DUPLICATE_STOREFRONT_ORDER_ID',
        description: 'This storefrontOrderId was already placed (`details.orderId` names the order).',
      },
      {
        status: 422,
        code: 'ORDER.INVALID_AMOUNT',
        description: 'A business rule on the amounts fails (e.g. totalAmount below the sum of the lines).',
      },
    ],
  },
  find: {
    summary: 'Find orders by storefront order id',
    description: 'A storefront sees only its own orders; operators may add `storefrontId`.',
    response: {
      description: 'The matching orders (none, or one per storefront).',
      schema: S.object({ items: S.arrayOf(orderSchema) }),
      example: { items: [orderExample] },
    },
    errors: [
      {
        status: 403,
        code: 'ORDER.ACCESS_DENIED',
        description: 'The key is neither a storefront nor admin key.',
      },
    ],
  },
  get: {
    summary: 'Get an order and its timeline',
    description: 'Every transition is listed with the event that caused it.',
    response: { description: 'The order.', schema: orderSchema, example: orderExample },
    errors: [
      notFound,
      {
        status: 403,
        code: 'ORDER.ACCESS_DENIED',
        description: 'The key is neither a storefront nor admin key.',
      },
    ],
  },
  cancel: {
    summary: 'Cancel an order before it ships',
    description: 'CANCELLED at once; the reservation is released and the payment voided by events.',
    response: {
      description: 'The order, CANCELLED.',
      schema: orderSchema,
      example: { ...orderExample, status: 'CANCELLED' },
    },
    errors: [
      notFound,
      {
        status: 403,
        code: 'ORDER.ACCESS_DENIED',
        description: 'The key is neither a storefront nor admin key.',
      },
      {
        status: 409,
        code: 'ORDER.NOT_CANCELLABLE',
        description: 'The order has shipped, or is already final (`details.status`).',
      },
    ],
  },
} satisfies Record<string, ApiDocOptions>;
