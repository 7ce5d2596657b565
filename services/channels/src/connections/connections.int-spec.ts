import { randomBytes } from 'node:crypto';
import { DomainError } from '@waybill/platform';
import { UseCaseHarness } from '@waybill/testing';
import { ConnectionRepository } from '../persistence/connection.repository';
import { CHANNELS_MIGRATIONS } from '../persistence/migrations';
import { SecretBox, SecretKey } from '../persistence/secret-box';
import type { ConnectionSecrets, ConnectionSettings } from '../domain/connection';
import { ConnectionQueries } from '../policies/connection-queries';
import { ConnectionSecretsBox } from '../policies/connection-secrets-box';
import { PutConnection } from './put-connection.service';

const OLD_KEY: SecretKey = { id: 'k-old', key: randomBytes(32) };
const NEW_KEY: SecretKey = { id: 'k-new', key: randomBytes(32) };

function settings(id: string, overrides: Partial<ConnectionSettings> = {}): ConnectionSettings {
  return {
    id,
    channel: 'shopify',
    store: `${id}.myshopify.com`,
    storefrontId: 'shop-eu',
    apiBase: `https://${id}.myshopify.com`,
    defaults: { currency: 'EUR', timezone: 'Europe/Berlin' },
    ...overrides,
  };
}

const SECRETS: ConnectionSecrets = {
  signingSecret: 'shpss_signing-secret-value',
  credentials: { accessToken: 'shpat_access-token-value' },
};

async function harnessWith(keys: readonly SecretKey[]): Promise<UseCaseHarness> {
  return UseCaseHarness.start({
    service: 'channels',
    migrations: CHANNELS_MIGRATIONS,
    providers: [
      ConnectionRepository,
      PutConnection,
      ConnectionQueries,
      {
        provide: ConnectionSecretsBox,
        useValue: new ConnectionSecretsBox(keys.length > 0 ? new SecretBox(keys) : undefined),
      },
    ],
  });
}

describe('connections (on PostgreSQL)', () => {
  let harness: UseCaseHarness;

  beforeAll(async () => {
    harness = await harnessWith([OLD_KEY]);
  });

  afterAll(async () => {
    await harness?.stop();
  });

  const put = (connection: ConnectionSettings, secrets = SECRETS) =>
    harness.run((uow) => harness.get(PutConnection).execute(uow, { settings: connection, secrets }));

  it('stores the secrets sealed, answers without them, and opens them for the code that needs them', async () => {
    const result = await put(settings('sealed-one'));
    expect(result.created).toBe(true);
    expect(result.connection).toMatchObject({
      id: 'sealed-one',
      api: { credentialNames: ['accessToken'] },
      hasSigningSecret: true,
      secretKeyId: 'k-old',
      mappingVersion: 1,
    });
    expect(JSON.stringify(result.connection)).not.toMatch(/shpss_|shpat_/);

    const [row] = await harness.query<{ secrets: Buffer }>(
      `SELECT secrets FROM channel_connections WHERE id = 'sealed-one'`,
    );
    expect(row?.secrets.toString('latin1')).not.toMatch(/shpss_|shpat_/);
    const opened = await harness.get(ConnectionQueries).withSecrets('sealed-one');
    expect(opened.secrets).toEqual(SECRETS);
  });

  it('replaces a connection whole; the mapping version moves only when the mapping changes', async () => {
    await put(settings('versions'));
    const same = await put(settings('versions', { storefrontId: 'shop-us' }));
    expect(same).toMatchObject({
      created: false,
      connection: { storefrontId: 'shop-us', mappingVersion: 1 },
    });
    const mapped = await put(settings('versions', { mapping: { overlay: '{ "note": "x" }' } }));
    expect(mapped.connection.mappingVersion).toBe(2);
    const again = await put(settings('versions', { mapping: { overlay: '{ "note": "x" }' } }));
    expect(again.connection.mappingVersion).toBe(2);
    const dropped = await put(settings('versions'));
    expect(dropped.connection).toMatchObject({ mappingVersion: 3 });
    expect(dropped.connection.mapping).toBeUndefined();
  });

  it('refuses a store another connection already has', async () => {
    await put(settings('first-owner', { store: 'shared.myshopify.com' }));
    await expect(put(settings('second-owner', { store: 'shared.myshopify.com' }))).rejects.toMatchObject({
      code: 'CHANNELS.STORE_ALREADY_CONNECTED',
      kind: 'conflict',
    });
    // The same store on another platform is another store.
    await expect(
      put(settings('woo-shared', { channel: 'woocommerce', store: 'shared.myshopify.com' })),
    ).resolves.toMatchObject({ created: true });
  });

  it('pages by id with a cursor', async () => {
    for (const id of ['page-a', 'page-b', 'page-c']) {
      await put(settings(id));
    }
    const queries = harness.get(ConnectionQueries);
    const all = (await queries.list({ limit: 200 })).items.map((item) => item.id);
    const first = await queries.list({ limit: 2 });
    expect(first.items.map((item) => item.id)).toEqual(all.slice(0, 2));
    expect(first.nextCursor).toBe(all[1]);
    const rest = await queries.list({ cursor: first.nextCursor, limit: 200 });
    expect(rest.items.map((item) => item.id)).toEqual(all.slice(2));
    expect(rest.nextCursor).toBeUndefined();
  });

  it('answers not found for an unknown id', async () => {
    await expect(harness.get(ConnectionQueries).get('nobody')).rejects.toMatchObject({
      code: 'CHANNELS.CONNECTION_NOT_FOUND',
      kind: 'not-found',
    });
  });

  it('after a rotation opens rows under the old key and rewrites them under the new one', async () => {
    await put(settings('rotated'));
    // The same database seen by a replica whose CHANNELS_SECRETS_KEY now lists the new key first.
    const box = new ConnectionSecretsBox(new SecretBox([NEW_KEY, OLD_KEY]));
    const repository = new ConnectionRepository();
    const queries = new ConnectionQueries(harness.dataSource, repository, box);
    expect((await queries.withSecrets('rotated')).secrets).toEqual(SECRETS);
    const rewritten = await harness.run((uow) =>
      new PutConnection(repository, box).execute(uow, { settings: settings('rotated'), secrets: SECRETS }),
    );
    expect(rewritten.connection.secretKeyId).toBe('k-new');
    expect((await queries.withSecrets('rotated')).secrets).toEqual(SECRETS);
    // The old replica, with only the old key, can no longer open the rewritten row.
    await expect(harness.get(ConnectionQueries).withSecrets('rotated')).rejects.toThrow(/no key k-new/);
  });

  it('writes nothing when no secrets key is configured', async () => {
    const keyless = await harnessWith([]);
    try {
      const refusal = keyless.run((uow) =>
        keyless.get(PutConnection).execute(uow, { settings: settings('keyless'), secrets: SECRETS }),
      );
      await expect(refusal).rejects.toBeInstanceOf(DomainError);
      await expect(refusal).rejects.toMatchObject({ code: 'CHANNELS.SECRETS_KEY_MISSING' });
      expect(await keyless.query(`SELECT id FROM channel_connections`)).toEqual([]);
    } finally {
      await keyless.stop();
    }
  });
});
