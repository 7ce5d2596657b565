import { EXAMPLE_IDS, SHIPMENT_STATUSES } from '@waybill/contracts';
import { type ApiDocOptions, ResponseSchema as S } from '@waybill/platform';
import type { UnmappedStatusCount } from '../query-shipments/shipment-queries.service';
import type { ShipmentView } from '../query-shipments/shipment-queries.service';
import type { CarrierWebhookAck } from '../receive-webhook/receive-carrier-webhook.service';

/*
 * What the OpenAPI document says about logistics' routes beyond what the code declares (see
 * @ApiDoc). Examples are typed with `satisfies`, so a renamed field fails the compile.
 */

const shipmentExample = {
  id: EXAMPLE_IDS.shipmentId,
  orderId: EXAMPLE_IDS.orderId,
  storefrontId: 'shop-eu',
  carrier: 'sandbox',
  trackingNumber: 'SBX00340434161094042557',
  status: 'in_transit',
  statusOccurredAt: '2025-03-02T14:05:00.000Z',
  weightGrams: 1500,
  destinationCountry: 'DE',
  createdAt: '2025-03-01T10:15:05.000Z',
  updatedAt: '2025-03-02T14:05:01.000Z',
  history: [
    {
      source: 'sandbox',
      carrierStatus: 'in_transit',
      status: 'in_transit',
      mapped: true,
      applied: true,
      occurredAt: '2025-03-02T14:05:00.000Z',
      location: 'Berlin, DE',
      recordedAt: '2025-03-02T14:05:01.000Z',
    },
  ],
} satisfies ShipmentView;

const status = S.oneOfValues(SHIPMENT_STATUSES);

const shipmentSchema = S.named(
  'ShipmentView',
  S.object(
    {
      id: S.uuid,
      orderId: S.uuid,
      storefrontId: S.string(),
      carrier: S.string(),
      trackingNumber: S.string(),
      carrierShipmentId: S.string(),
      labelRef: S.string(),
      status,
      statusOccurredAt: S.dateTime,
      weightGrams: S.integer({ minimum: 0 }),
      destinationCountry: S.string({ pattern: '^[A-Z]{2}$' }),
      traceparent: S.string({ description: 'W3C trace context of the order.confirmed that booked it.' }),
      correlationId: S.string(),
      createdAt: S.dateTime,
      updatedAt: S.dateTime,
      history: S.arrayOf(
        S.object(
          {
            source: S.string(),
            carrierStatus: S.string(),
            status,
            mapped: S.boolean,
            applied: S.boolean,
            notAppliedReason: S.string(),
            occurredAt: S.dateTime,
            location: S.string(),
            message: S.string(),
            recordedAt: S.dateTime,
          },
          ['notAppliedReason', 'location', 'message'],
        ),
      ),
    },
    ['carrierShipmentId', 'labelRef', 'traceparent', 'correlationId'],
  ),
);

const webhookId = S.string({ description: "The stored webhook's id, for a replay." });

const notFound = {
  status: 404,
  code: 'LOGISTICS.SHIPMENT_NOT_FOUND',
  description: "No such shipment — or another storefront's, whose existence is not disclosed.",
} as const;

export const SHIPMENTS_API = {
  get: {
    summary: 'Get a shipment and its tracking history',
    description: 'Every update received, oldest first; `applied: false` ones were recorded, not applied.',
    response: { description: 'The shipment.', schema: shipmentSchema, example: shipmentExample },
    errors: [notFound],
  },
  byOrder: {
    summary: 'Find the shipments of an order',
    response: {
      description: "The order's shipments (a storefront sees only its own).",
      schema: S.object({ items: S.arrayOf(shipmentSchema) }),
      example: { items: [shipmentExample] },
    },
  },
  unmapped: {
    summary: 'Carrier statuses no mapping knows',
    description:
      'Codes carriers sent that map to `unknown`, with how often each was seen: extend the status table.',
    response: {
      description: 'One entry per carrier and code.',
      schema: S.object({
        items: S.arrayOf(
          S.object({
            carrier: S.string(),
            carrierStatus: S.string(),
            occurrences: S.integer({ minimum: 1 }),
            firstSeenAt: S.dateTime,
            lastSeenAt: S.dateTime,
          }),
        ),
      }),
      example: {
        items: [
          {
            carrier: 'aftership',
            carrierStatus: 'HeldAtCustoms',
            occurrences: 3,
            firstSeenAt: '2025-03-02T09:00:00.000Z',
            lastSeenAt: '2025-03-02T16:40:00.000Z',
          } satisfies UnmappedStatusCount,
        ],
      },
    },
  },
} satisfies Record<string, ApiDocOptions>;

export const CARRIER_WEBHOOKS_API = {
  receive: {
    summary: 'Receive a carrier tracking webhook',
    description:
      'Verified on the raw body, stored and answered 200; applied in the background. `:carrier` is ' +
      '`sandbox` or `direct` (Standard Webhooks), `easypost` or `aftership`; or `zto`, whose track ' +
      'pushes come as form fields or JSON (`data`, `data_digest`, `msg_type`, `company_id`) and are ' +
      'answered in its own words: `{"status":true,"message":"success","result":"success","statusCode":"200"}`, ' +
      'or `{"status":false,…}` with a 4xx when refused, so ZTO sends it again.',
    webhook: {
      signature:
        '`webhook-id`/`webhook-timestamp`/`webhook-signature` (sandbox, direct), `X-Hmac-Signature` (easypost), `aftership-hmac-sha256` (aftership), the `data_digest` field = Base64(MD5(data + app secret)) (zto)',
    },
    headers: [
      { name: 'webhook-id', description: 'sandbox, direct (Standard Webhooks): the message id.' },
      { name: 'webhook-timestamp', description: 'sandbox, direct: Unix seconds; 300 s tolerance.' },
      {
        name: 'webhook-signature',
        description: 'sandbox, direct: `v1,<base64 HMAC-SHA256 of id.timestamp.body>`, space-separated.',
      },
      { name: 'X-Hmac-Signature', description: 'easypost: `hmac-sha256-hex=<hex HMAC-SHA256 of the body>`.' },
      { name: 'aftership-hmac-sha256', description: 'aftership: base64 HMAC-SHA256 of the body.' },
    ],
    requestExample: {
      type: 'shipment.tracking_updated',
      timestamp: '2025-03-02T14:05:01Z',
      data: {
        tracking_number: 'SBX00340434161094042557',
        status: 'in_transit',
        occurred_at: '2025-03-02T14:05:00Z',
        location: 'Berlin, DE',
      },
    },
    response: {
      description: 'Stored (or a duplicate event id).',
      schema: S.object({ received: { const: true }, id: webhookId, duplicate: S.boolean }),
      example: {
        received: true,
        id: '4711',
        duplicate: false,
      } satisfies CarrierWebhookAck,
    },
    errors: [
      { status: 404, code: 'LOGISTICS.UNKNOWN_CARRIER', description: 'No such carrier is configured.' },
      {
        status: 404,
        code: 'LOGISTICS.WEBHOOK_PATH_UNKNOWN',
        description: 'The carrier pushes to its token path (`sf`), not here.',
      },
    ],
  },
  receiveWithToken: {
    summary: 'Receive an unsigned carrier push at its secret path',
    description:
      'For carriers whose pushes carry no signature: `sf` (SF Express route pushes, ' +
      '`{"Body":{"WaybillRoute":[…]}}`). `:token` is LOGISTICS_SF_PUSH_TOKEN, compared in constant ' +
      'time; with LOGISTICS_SF_PUSH_ALLOWED_CIDRS set, other senders are refused too. Stored and ' +
      "answered with the carrier's own acknowledgement, applied in the background.",
    webhook: { signature: 'the secret path token (SF signs nothing)' },
    requestExample: {
      Body: {
        WaybillRoute: [
          {
            id: '158918741444476',
            mailno: 'SF7444400043266',
            orderid: '3f9a8c2e-5b7d-4e1f-9a6c-2d8b7e4f1a90',
            acceptTime: '2026-03-02 16:56:54',
            acceptAddress: '深圳市',
            remark: '顺丰速运 已收取快件',
            opCode: '50',
          },
        ],
      },
    },
    response: {
      description: "SF's acknowledgement, exactly.",
      schema: S.object({ return_code: S.string(), return_msg: S.string() }),
      example: { return_code: '0000', return_msg: '成功' },
    },
    errors: [
      { status: 404, code: 'LOGISTICS.UNKNOWN_CARRIER', description: 'No such carrier is configured.' },
      {
        status: 404,
        code: 'LOGISTICS.WEBHOOK_PATH_UNKNOWN',
        description: 'This carrier signs its webhooks and is received without a token.',
      },
    ],
  },
  replay: {
    summary: 'Apply a stored carrier webhook again',
    description:
      'For an operator, e.g. after a status mapping was added. Needs an admin key or `webhooks:replay`.',
    response: {
      description: 'Queued to be applied again.',
      schema: S.object({ replayed: { const: true }, id: webhookId }),
      example: { replayed: true, id: '4711' },
    },
    errors: [
      {
        status: 404,
        code: 'LOGISTICS.WEBHOOK_NOT_FOUND',
        description: 'No stored webhook of this carrier has this id.',
      },
    ],
  },
} satisfies Record<string, ApiDocOptions>;
