import { type ApiDocOptions, ResponseSchema as S } from '@waybill/platform';
import { CHANNEL_KINDS, type ConnectionView } from '../connections/connection';
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
