import { IsOptional, IsString, Matches } from 'class-validator';
import {
  BaseServiceConfig,
  EnvBoolean,
  EnvInt,
  EnvList,
  EnvValue,
  InvalidEnvValue,
  Secret,
} from '@waybill/platform';

const HOST_PORT = { pattern: /^[\w.-]+:\d{1,5}$/, description: 'host:port' };

function parsePostgresUrl(raw: string): string | InvalidEnvValue {
  try {
    const url = new URL(raw.trim());
    if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
      return new InvalidEnvValue('must be a postgres:// URL');
    }
    return url.toString();
  } catch {
    return new InvalidEnvValue('must be a postgres:// URL'); // never echo it: it may hold a password
  }
}

/**
 * What every service that owns a database and talks over Kafka reads, on top of the HTTP basics.
 * `DATABASE_URL` names the server: each service uses its own database on it, `DATABASE_NAME`
 * (default `waybill_<service>`), unless `<SERVICE>_DATABASE_URL` names the service's database outright.
 */
export abstract class EventDrivenServiceConfig extends BaseServiceConfig {
  @EnvList({ item: HOST_PORT })
  KAFKA_BROKERS: string[] = ['localhost:9092'];

  @Secret()
  @IsOptional()
  @EnvValue(parsePostgresUrl)
  DATABASE_URL?: string;

  /** The database on the `DATABASE_URL` server; default `waybill_<service>`. */
  @IsOptional()
  @IsString()
  @Matches(/^[a-z_][a-z0-9_]{0,62}$/, { message: 'DATABASE_NAME must be a lower-case PostgreSQL identifier' })
  DATABASE_NAME?: string;

  /** Namespaces topics and consumer groups, e.g. for a shared staging cluster. Empty in production. */
  @IsOptional()
  @IsString()
  @Matches(/^[\w.-]*$/)
  KAFKA_TOPIC_PREFIX = '';

  @EnvInt({ min: 1, max: 64 })
  KAFKA_PARTITIONS = 3;

  @EnvInt({ min: 10, max: 60_000 })
  OUTBOX_POLL_INTERVAL_MS = 1000;

  @EnvInt({ min: 1, max: 10_000 })
  OUTBOX_BATCH_SIZE = 1000;

  @EnvInt({ min: 1, max: 24 * 365 })
  OUTBOX_RETENTION_HOURS = 168;

  @EnvBoolean()
  OUTBOX_RELAY_ENABLED = true;

  @EnvInt({ min: 1, max: 100 })
  CONSUMER_MAX_ATTEMPTS = 5;

  /**
   * A consumer not heard from for this long leaves its group (its partitions go to the other
   * replicas). Within the broker's `group.min/max.session.timeout.ms` (6 s to 30 min by default).
   */
  @EnvInt({ min: 6_000, max: 1_800_000 })
  CONSUMER_SESSION_TIMEOUT_MS = 30_000;

  @EnvInt({ min: 1, max: 200 })
  DB_POOL_SIZE = 10;

  /**
   * Parameterised statements run as named prepared statements on each connection (parsed and
   * planned once instead of every time). Turn off behind a pooler that cannot keep them: PgBouncer
   * in transaction mode before 1.21, or with `max_prepared_statements = 0`.
   */
  @EnvBoolean()
  DB_PREPARED_STATEMENTS = true;

  /**
   * Under load, up to this many messages of one partition share a database transaction (one
   * BEGIN/COMMIT and inbox statement for all). 1 turns it off; a handler that locks rows many
   * messages share is marked `OWN_TRANSACTION` and never joins a run.
   */
  @EnvInt({ min: 1, max: 500 })
  CONSUMER_MESSAGES_PER_TRANSACTION = 50;

  /** `/health/ready` fails once the oldest unpublished outbox row is older than this. */
  @EnvInt({ min: 1, max: 24 * 3600 })
  HEALTH_OUTBOX_MAX_AGE_SECONDS = 60;

  /** How long each readiness check (database, Kafka, outbox) may take before it counts as down. */
  @EnvInt({ min: 100, max: 30_000 })
  HEALTH_CHECK_TIMEOUT_MS = 2000;
}

/** `postgres://…/postgres` + `order` → `postgres://…/waybill_order`. */
export function serviceDatabaseUrl(
  service: string,
  config: Pick<EventDrivenServiceConfig, 'DATABASE_URL' | 'DATABASE_NAME'>,
  env: Readonly<Record<string, string | undefined>> = process.env,
): string {
  const own = env[`${service.toUpperCase()}_DATABASE_URL`];
  if (own) {
    const parsed = parsePostgresUrl(own);
    if (parsed instanceof InvalidEnvValue) {
      throw new Error(`${service.toUpperCase()}_DATABASE_URL ${parsed.reason}`);
    }
    return parsed;
  }
  const server = new URL(config.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  server.pathname = `/${config.DATABASE_NAME ?? `waybill_${service}`}`;
  return server.toString();
}
