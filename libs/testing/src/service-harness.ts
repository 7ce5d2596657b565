import { createHash, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { loadConfig } from '@waybill/platform';
import { createServiceApp, EventDrivenServiceConfig, ServiceEntry } from '@waybill/eventing';
import { createTestDatabase, TestDatabase } from './database';
import { testInfrastructure } from './infrastructure';

/** An API key a test presents, and the principal and scopes it is configured with. */
export interface TestApiKey {
  readonly key: string;
  readonly principal: string;
  readonly scopes: readonly string[];
}

/** `WAYBILL_API_KEYS` for the given keys: only their digests, as an operator would configure it. */
export function apiKeysEnv(keys: readonly TestApiKey[]): string {
  return JSON.stringify(
    keys.map(({ key, principal, scopes }) => ({
      sha256: createHash('sha256').update(key, 'utf8').digest('hex'),
      principal,
      scopes,
    })),
  );
}

/** A fresh random key for a principal, e.g. `testApiKey('storefront/acme', ['orders:write'])`. */
export function testApiKey(principal: string, scopes: readonly string[]): TestApiKey {
  return { key: `test_${randomUUID().replace(/-/g, '')}`, principal, scopes };
}

export interface ServiceUnderTest<C extends EventDrivenServiceConfig> {
  readonly app: NestExpressApplication;
  readonly config: C;
  /** e.g. `http://127.0.0.1:41234` (an ephemeral port). */
  readonly baseUrl: string;
  readonly database: TestDatabase;
  /** Shutdown as on SIGTERM (consumers leave, relay stops, pool closes), then the database is dropped. */
  stop(options?: { keepDatabase?: boolean }): Promise<void>;
}

export interface StartServiceOptions {
  /** Prepended to every topic and consumer group; all services of one test share it. */
  readonly topicPrefix: string;
  /** Extra environment for the service's config (API keys, provider URLs, TTLs…). */
  readonly env?: Readonly<Record<string, string>>;
  /** Reuse a database (e.g. to restart a service over its own state); default a fresh one. */
  readonly database?: TestDatabase;
  /** Nest log levels to print; default errors only, so test output stays readable. */
  readonly logLevel?: 'error' | 'warn' | 'log' | 'debug';
}

/**
 * Starts a service in this process exactly as main.ts does (same module, config validation,
 * HTTP wiring and Kafka transport) against the real Kafka and a fresh database of its own, on an
 * ephemeral port. The config comes from `options.env` alone, never from the test's environment.
 */
export async function startServiceForTest<C extends EventDrivenServiceConfig>(
  entry: ServiceEntry<C>,
  options: StartServiceOptions,
): Promise<ServiceUnderTest<C>> {
  const infra = await testInfrastructure();
  const database = options.database ?? (await createTestDatabase(`e2e_${entry.service}`));
  const config = loadConfig(entry.config, {
    NODE_ENV: 'test',
    LOG_LEVEL: options.logLevel ?? 'error',
    PORT: '1',
    KAFKA_BROKERS: infra.kafkaBrokers.join(','),
    // The service's own <SERVICE>_DATABASE_URL is read from process.env; these are config-only.
    DATABASE_URL: database.url,
    DATABASE_NAME: database.name,
    KAFKA_TOPIC_PREFIX: options.topicPrefix.endsWith('.') ? options.topicPrefix : `${options.topicPrefix}.`,
    OUTBOX_POLL_INTERVAL_MS: '200',
    WAYBILL_API_KEYS: '[]',
    ...options.env,
  });
  const app = await createServiceApp(entry, config, { bufferLogs: false });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return {
    app,
    config,
    baseUrl: `http://127.0.0.1:${port}`,
    database,
    async stop(stopOptions = {}) {
      await app.close();
      if (!stopOptions.keepDatabase && !options.database) {
        await database.drop();
      }
    },
  };
}
