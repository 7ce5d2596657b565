import { type ApiDocOptions, ResponseSchema as S } from '@waybill/platform';
import { CHANNEL_KINDS, type ConnectionView } from '../domain/connection';
import type { PollerView } from '../reconcile-orders/reconcile-orders.service';
import type { PutConnectionBody } from './connection.dto';

/*
 * What the OpenAPI document says about channels' routes beyond what the code declares (see
 * @ApiDoc). Examples are typed with `satisfies`, so a renamed field fails the compile.
 */

const putExample = {
  channel: 'shopify',
  store: 'waybill-demo.myshopify.com',
  storefrontId: 'shop-eu',
  signingSecret: 'shpss_the-app-client-secret',
  api: {
    base: 'https://waybill-demo.myshopify.com',
    credentials: { accessToken: 'shpat_an-admin-api-token' },
  },
  defaults: { currency: 'EUR', timezone: 'Europe/Berlin' },
  mapping: { overlay: '{ "customer": { "id": "shopify-" & $string(customer.id) } }' },
} satisfies PutConnectionBody;

const connectionExample = {
  id: 'shopify-eu',
  channel: 'shopify',
  store: 'waybill-demo.myshopify.com',
  storefrontId: 'shop-eu',
  api: { base: 'https://waybill-demo.myshopify.com', credentialNames: ['accessToken'] },
  defaults: { currency: 'EUR', timezone: 'Europe/Berlin' },
  mapping: putExample.mapping,
  mappingVersion: 1,
  hasSigningSecret: true,
  secretKeyId: 'k2026',
  createdAt: '2025-03-01T10:15:00.000Z',
  updatedAt: '2025-03-01T10:15:00.000Z',
} satisfies ConnectionView;

const connectionSchema = S.named(
  'ChannelConnectionView',
  S.object(
    {
      id: S.string(),
      channel: S.oneOfValues(CHANNEL_KINDS),
      store: S.string({ description: 'Shop domain (Shopify), site URL (WooCommerce) or kdt_id (Youzan).' }),
      storefrontId: S.string(),
      api: S.object({
        base: S.string(),
        credentialNames: S.arrayOf(
          S.string({ description: 'The names of the credentials; never their values.' }),
        ),
      }),
      defaults: S.object({ currency: S.string({ pattern: '^[A-Z]{3}$' }), timezone: S.string() }),
      mapping: S.object({ overlay: S.string({ description: 'JSONata expression.' }) }),
      mappingVersion: S.integer({ minimum: 1 }),
      hasSigningSecret: S.boolean,
      secretKeyId: S.string({ description: 'The CHANNELS_SECRETS_KEY id the secrets are sealed with.' }),
      createdAt: S.dateTime,
      updatedAt: S.dateTime,
    },
    ['mapping'],
  ),
);

const notFound = {
  status: 404,
  code: 'CHANNELS.CONNECTION_NOT_FOUND',
  description: 'No connection has this id.',
} as const;

const pollerSchema = S.named(
  'ChannelPollerView',
  S.object({
    connectionId: S.string(),
    // Each null until the connection's first poll (lastError also after a run that went well).
    watermark: S.nullable(S.string({ format: 'date-time', description: 'Null before the first poll.' })),
    lastRunAt: S.nullable(S.dateTime),
    lastOutcome: S.nullable(S.oneOfValues(['ok', 'retry', 'failed'])),
    lastError: S.nullable(S.string()),
    ordersFound: S.integer({ minimum: 0 }),
    ordersTakenIn: S.integer({ minimum: 0 }),
    nextRunAt: S.nullable(S.dateTime),
  }),
);

const pollerExample = {
  connectionId: 'woo-eu',
  watermark: '2025-03-01T10:14:02.000Z',
  lastRunAt: '2025-03-01T10:15:00.000Z',
  lastOutcome: 'ok',
  lastError: null,
  ordersFound: 12,
  ordersTakenIn: 1,
  nextRunAt: '2025-03-01T10:20:00.000Z',
} satisfies PollerView;

export const CONNECTIONS_API = {
  put: {
    summary: 'Create or replace a channel connection',
    description:
      'The whole connection, secrets included; `store` is checked against `channel`. The signing ' +
      'secret and the API credentials are sealed at rest (AES-256-GCM) and never answered. The ' +
      'mapping version goes up when `mapping` changes.',
    requestExample: putExample,
    response: {
      description: 'The connection as stored, without secrets.',
      schema: connectionSchema,
      example: connectionExample,
    },
    errors: [
      {
        status: 409,
        code: 'CHANNELS.STORE_ALREADY_CONNECTED',
        description: 'Another connection has this store: its orders would come in twice.',
      },
      {
        status: 503,
        code: 'CHANNELS.SECRETS_KEY_MISSING',
        description:
          'CHANNELS_SECRETS_KEY is not set, so the secrets could not be sealed; nothing was written.',
      },
    ],
  },
  get: {
    summary: 'Get a channel connection',
    description: 'Without its secrets: only that it has them and under which key they are sealed.',
    response: { description: 'The connection.', schema: connectionSchema, example: connectionExample },
    errors: [notFound],
  },
  poller: {
    summary: 'Show a connection’s reconciliation poller',
    description:
      'The poller asks the platform every CHANNELS_POLL_INTERVAL_MS for orders modified since its watermark and ' +
      'takes in what no webhook brought (WooCommerce never retries a webhook). `ordersTakenIn` counts those in ' +
      'the last run; the rest were duplicates.',
    response: { description: 'Its state.', schema: pollerSchema, example: pollerExample },
    errors: [notFound],
  },
  pollNow: {
    summary: 'Poll a connection now',
    description: 'Makes the connection’s poll due at once; the answer is its state before that run.',
    response: {
      description: 'Accepted: the poll runs in the background.',
      schema: pollerSchema,
      example: pollerExample,
    },
    errors: [notFound],
  },
  list: {
    summary: 'List channel connections',
    description: 'By id. Pass `nextCursor` as `cursor` for the next page.',
    response: {
      description: 'One page.',
      schema: S.object(
        {
          items: S.arrayOf(connectionSchema),
          nextCursor: S.string({ description: 'Pass as `cursor` for the next page; absent on the last.' }),
        },
        ['nextCursor'],
      ),
      example: { items: [connectionExample] },
    },
  },
} satisfies Record<string, ApiDocOptions>;

export const CHANNEL_WEBHOOKS_API = {
  receive: {
    summary: 'Receive a storefront platform webhook',
    description:
      'Shopify (`orders/create`, `orders/paid`, `orders/cancelled`, `refunds/create`), WooCommerce (`order.created`, ' +
      '`order.updated`; the unsigned creation ping is answered and ignored) and Youzan (`TRADE_ORDER_STATE`, ' +
      '`TRADE_ORDER_REFUND`) deliveries for the connection `:connectionId`, verified with its signing secret ' +
      'on the raw body, stored and taken in within one transaction. A paid order is mapped and submitted as ' +
      '`waybill.storefront.order-submitted.v1`, or held with its reasons (`GET /v1/channels/held-orders`); ' +
      'a cancellation of a submitted order is published as `waybill.storefront.order-cancellation-requested.v1`; ' +
      'a refund is recorded. A repeated delivery, or the same order again, changes nothing. Other topics ' +
      'are answered and ignored.',
    webhook: {
      signature:
        'Shopify X-Shopify-Hmac-Sha256 and WooCommerce X-WC-Webhook-Signature: base64 HMAC-SHA256 of the raw ' +
        'body; Youzan `sign` = md5(client_id + msg + client_secret) in the body',
    },
    requestExample: { id: 450789469, email: 'ada@example.com', currency: 'EUR', line_items: [] },
    response: {
      description:
        'Taken (stored and applied, a duplicate, or ignored). Youzan is answered exactly `{"code":0,"msg":"success"}`.',
      schema: S.object({ received: { const: true } }),
      example: { received: true },
    },
    errors: [
      notFound,
      {
        status: 401,
        code: 'WEBHOOK.SIGNATURE_MISMATCH',
        description:
          'The signature does not match with the connection’s secret, or names another store; also ' +
          '`.SIGNATURE_MISSING`, `.SIGNATURE_MALFORMED`, `.TIMESTAMP_OUT_OF_TOLERANCE` (a Shopify delivery ' +
          'triggered more than 6 h ago) and `.NOT_CONFIGURED`. Nothing is stored.',
      },
      {
        status: 413,
        code: 'WEBHOOK.PAYLOAD_TOO_LARGE',
        description: 'The body is larger than CHANNELS_WEBHOOK_MAX_BYTES.',
      },
    ],
  },
} satisfies Record<string, ApiDocOptions>;

const holdReasonSchema = S.object({
  stage: S.oneOfValues(['payload', 'sku', 'totals', 'overlay', 'contract']),
  part: S.string({ description: 'The field, line or part concerned, e.g. `line_items[1] (sku TIP)`.' }),
  message: S.string(),
});

const channelOrderSchema = S.named(
  'ChannelOrderView',
  S.object(
    {
      id: S.string({ format: 'uuid' }),
      connectionId: S.string(),
      channel: S.oneOfValues(CHANNEL_KINDS),
      store: S.string(),
      externalOrderId: S.string({ description: 'The platform order id; null for a body with none.' }),
      status: S.oneOfValues(['awaiting_payment', 'held', 'submitted', 'cancelled']),
      receivedVia: S.oneOfValues(['webhook', 'poll', 'release']),
      mappingVersion: S.string(),
      reasons: S.arrayOf(holdReasonSchema),
      waybillOrderId: S.string({ format: 'uuid', description: 'Once the order service placed it.' }),
      createdAt: S.string({ format: 'date-time' }),
      updatedAt: S.string({ format: 'date-time' }),
    },
    ['waybillOrderId'],
  ),
);

const heldExample = {
  id: '0f8f7c52-3c1e-4a8e-9f55-2b1d7f7a9e10',
  connectionId: 'shopify-eu',
  channel: 'shopify',
  store: 'waybill-demo.myshopify.com',
  externalOrderId: '5512345678901234567',
  status: 'held',
  receivedVia: 'webhook',
  mappingVersion: 'shopify-order@1',
  reasons: [
    {
      stage: 'sku',
      part: 'line_items[1] (sku MUG-GIFT)',
      message: 'line_items[1] (sku MUG-GIFT): SKU "MUG-GIFT" is not in the connection\'s SKU table',
    },
  ],
  createdAt: '2025-03-01T10:15:00.000Z',
  updatedAt: '2025-03-01T10:15:00.000Z',
};

const skuMappingSchema = S.object({
  channelSku: S.string(),
  rule: S.object(
    {
      kind: S.oneOfValues(['sku', 'kit', 'ignore']),
      sku: S.string(),
      multiplier: S.integer({ minimum: 1 }),
      lines: S.arrayOf(S.object({ sku: S.string(), quantity: S.integer({ minimum: 1 }) })),
    },
    ['sku', 'multiplier', 'lines'],
  ),
  updatedAt: S.string({ format: 'date-time' }),
});

const orderNotFound = {
  status: 404,
  code: 'CHANNELS.ORDER_NOT_FOUND',
  description: 'No channel order has this id.',
} as const;

export const CHANNEL_ORDERS_API = {
  putSku: {
    summary: 'Map a platform SKU',
    description:
      'Sets how the connection maps the platform SKU `:channelSku` (path-encoded, as the platform sends it): ' +
      '`{sku, multiplier?}` (one Waybill SKU, `multiplier` units per platform unit), `{lines: [{sku, quantity}]}` ' +
      '(a kit; its price is split by quantity) or `{ignore: true}` (marker lines such as tips). Orders already ' +
      'held are not released by this: release them.',
    requestExample: { sku: 'MUG-BLUE-350', multiplier: 2 },
    response: {
      description: 'The rule as stored.',
      schema: skuMappingSchema,
      example: {
        channelSku: 'MUG-2PACK',
        rule: { kind: 'sku', sku: 'MUG-BLUE-350', multiplier: 2 },
        updatedAt: '2025-03-01T10:15:00.000Z',
      },
    },
    errors: [notFound],
  },
  listSkus: {
    summary: 'List a connection’s SKU table',
    description: 'By platform SKU. Pass `nextCursor` as `cursor` for the next page.',
    response: {
      description: 'One page.',
      schema: S.object({ items: S.arrayOf(skuMappingSchema), nextCursor: S.string() }, ['nextCursor']),
      example: { items: [] },
    },
    errors: [notFound],
  },
  listHeld: {
    summary: 'List held channel orders',
    description:
      'Orders that could not be mapped (an empty or unmapped SKU, totals that do not add up, a field the ' +
      'contract refuses), oldest id first, optionally for one `connectionId`. `waybill_channel_orders_held` ' +
      'counts them per connection.',
    response: {
      description: 'One page.',
      schema: S.object({ items: S.arrayOf(channelOrderSchema), nextCursor: S.string() }, ['nextCursor']),
      example: { items: [heldExample] },
    },
  },
  getHeld: {
    summary: 'Get a channel order',
    description: 'Any channel order by id, with its hold reasons if it is held.',
    response: { description: 'The order.', schema: channelOrderSchema, example: heldExample },
    errors: [orderNotFound],
  },
  release: {
    summary: 'Release a held channel order',
    description:
      'Maps the stored payload again with the SKU table and mapping as they are now. If it maps, it is submitted ' +
      '(`waybill.storefront.order-submitted.v1`) and answered; if not, nothing changes and the 409 names every ' +
      'reason left.',
    response: {
      description: 'The order, now submitted.',
      schema: channelOrderSchema,
      example: { ...heldExample, status: 'submitted', receivedVia: 'release', reasons: [] },
    },
    errors: [
      orderNotFound,
      {
        status: 409,
        code: 'CHANNELS.ORDER_STILL_HELD',
        description: 'It still does not map; `details.reasons` says why. Also `.ORDER_NOT_HELD`.',
      },
    ],
  },
} satisfies Record<string, ApiDocOptions>;
