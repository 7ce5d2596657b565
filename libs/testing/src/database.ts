import { databaseUrl, dropDatabase, ensureDatabase } from '@waybill/local-infra';
import { testInfrastructure } from './infrastructure';
import { uniqueIdentifier } from './names';

export interface TestDatabase {
  /** The database name, e.g. `evt_outbox_lz3k9a1f3c2b1`. */
  readonly name: string;
  /** Connection URL for it. */
  readonly url: string;
  /** Drops it, disconnecting whoever is still connected. */
  drop(): Promise<void>;
}

/** Creates an empty database with a unique name (`<prefix>_<suffix>`) on the test PostgreSQL. */
export async function createTestDatabase(prefix = 'test'): Promise<TestDatabase> {
  const { databaseUrl: adminUrl } = await testInfrastructure();
  const name = uniqueIdentifier(prefix);
  await ensureDatabase(adminUrl, name);
  return {
    name,
    url: databaseUrl(adminUrl, name),
    drop: () => dropDatabase(adminUrl, name),
  };
}
