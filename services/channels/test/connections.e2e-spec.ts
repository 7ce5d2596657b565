import { Client } from 'pg';
import { ServiceUnderTest, testApiKey, uniqueTopicPrefix } from '@waybill/testing';
import { ChannelsConfig } from '../src/channels.config';
import { Answer, callChannels, startChannelsForTest } from './support/channels-under-test';

const admin = testApiKey('admin', []);
const scoped = testApiKey('storefront/ops-tool', ['channels:admin']);
const shop = testApiKey('storefront/shop-eu', ['orders:write']);

const SIGNING_SECRET = 'whsec-signing-secret-that-must-stay-inside';
const TOKEN = 'shpat_token-that-must-stay-inside';

function shopifyBody(store: string): Record<string, unknown> {
  return {
    channel: 'shopify',
    store,
    storefrontId: 'shop-eu',
    signingSecret: SIGNING_SECRET,
    api: { base: `https://${store}`, credentials: { accessToken: TOKEN } },
    defaults: { currency: 'EUR', timezone: 'Europe/Berlin' },
  };
}

describe('the channels connections API (HTTP, PostgreSQL)', () => {
  let service: ServiceUnderTest<ChannelsConfig>;

  const call = (method: string, path: string, key: string | undefined, body?: unknown): Promise<Answer> =>
    callChannels(service.baseUrl, method, path, key, body);

  beforeAll(async () => {
    service = await startChannelsForTest(uniqueTopicPrefix('chan'), [admin, scoped, shop]);
  });

  afterAll(async () => {
    await service?.stop();
  });

  it('creates, reads and lists a connection, and never answers or stores a secret in clear', async () => {
    const put = await call(
      'PUT',
      '/v1/channels/connections/shopify-eu',
      admin.key,
      shopifyBody('eu-shop.myshopify.com'),
    );
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({
      id: 'shopify-eu',
      channel: 'shopify',
      store: 'eu-shop.myshopify.com',
      api: { base: 'https://eu-shop.myshopify.com', credentialNames: ['accessToken'] },
      defaults: { currency: 'EUR', timezone: 'Europe/Berlin' },
      hasSigningSecret: true,
      secretKeyId: 'k-e2e',
      mappingVersion: 1,
    });

    const got = await call('GET', '/v1/channels/connections/shopify-eu', admin.key);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(put.body);
    const listed = await call('GET', '/v1/channels/connections', scoped.key);
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((item: { id: string }) => item.id)).toContain('shopify-eu');
    for (const answer of [put, got, listed]) {
      expect(answer.text).not.toContain(SIGNING_SECRET);
      expect(answer.text).not.toContain(TOKEN);
    }

    const client = new Client({ connectionString: service.database.url });
    await client.connect();
    try {
      const { rows } = await client.query<Record<string, unknown>>(`SELECT * FROM channel_connections`);
      expect(rows.length).toBeGreaterThan(0);
      expect(JSON.stringify(rows)).not.toContain(SIGNING_SECRET);
      expect(rows.map((row) => (row.secrets as Buffer).toString('latin1')).join('')).not.toContain(TOKEN);
    } finally {
      await client.end();
    }
  });

  it('pages the list with a cursor', async () => {
    for (const id of ['page-1', 'page-2', 'page-3']) {
      expect(
        (await call('PUT', `/v1/channels/connections/${id}`, admin.key, shopifyBody(`${id}.myshopify.com`)))
          .status,
      ).toBe(200);
    }
    const first = await call('GET', '/v1/channels/connections?limit=2', admin.key);
    expect(first.body.items).toHaveLength(2);
    expect(typeof first.body.nextCursor).toBe('string');
    const next = await call(
      'GET',
      `/v1/channels/connections?limit=200&cursor=${String(first.body.nextCursor)}`,
      admin.key,
    );
    const ids = [...first.body.items, ...next.body.items].map((item: { id: string }) => item.id);
    expect(ids).toEqual(expect.arrayContaining(['page-1', 'page-2', 'page-3']));
    expect(new Set(ids).size).toBe(ids.length);
    expect(next.body.nextCursor).toBeUndefined();
  });

  it('answers 400 naming the field, 404 for an unknown id and 409 for a store taken', async () => {
    const badStore = await call('PUT', '/v1/channels/connections/bad-store', admin.key, {
      ...shopifyBody('eu-shop.myshopify.com'),
      store: 'https://not-a-shop-domain.example',
    });
    expect(badStore.status).toBe(400);
    expect(badStore.body.details.fields.map((field: { field: string }) => field.field)).toEqual(['store']);
    const badZone = await call('PUT', '/v1/channels/connections/bad-zone', admin.key, {
      ...shopifyBody('zone.myshopify.com'),
      defaults: { currency: 'EUR', timezone: 'Europe/Nowhere' },
    });
    expect(badZone.status).toBe(400);
    expect(badZone.body.message).toContain('defaults.timezone');
    expect(
      (await call('PUT', '/v1/channels/connections/Not_A_Slug', admin.key, shopifyBody('x.myshopify.com')))
        .status,
    ).toBe(400);

    const missing = await call('GET', '/v1/channels/connections/nobody', admin.key);
    expect([missing.status, missing.body.code]).toEqual([404, 'CHANNELS.CONNECTION_NOT_FOUND']);

    const taken = await call(
      'PUT',
      '/v1/channels/connections/eu-again',
      admin.key,
      shopifyBody('eu-shop.myshopify.com'),
    );
    expect([taken.status, taken.body.code]).toEqual([409, 'CHANNELS.STORE_ALREADY_CONNECTED']);
  });

  it('lets only the admin key, or a key with channels:admin, near connections', async () => {
    expect((await call('GET', '/v1/channels/connections', undefined)).status).toBe(401);
    expect((await call('GET', '/v1/channels/connections', shop.key)).status).toBe(403);
    expect(
      (await call('PUT', '/v1/channels/connections/shop-made', shop.key, shopifyBody('made.myshopify.com')))
        .status,
    ).toBe(403);
    expect((await call('GET', '/v1/channels/connections/shop-made', admin.key)).status).toBe(404);
  });
});
