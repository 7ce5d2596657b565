import { inspect } from 'node:util';
import type { LogLevel } from '@nestjs/common';
import { ApiKeyEntry, parseApiKeys } from '../auth/api-key-config';
import { EnvEnum, EnvInt, EnvValue, Secret, secretPropertiesOf } from './env-value';

export const NODE_ENVS = ['development', 'test', 'production'] as const;
export type NodeEnv = (typeof NODE_ENVS)[number];

/** Nest's levels, most severe first: LOG_LEVEL=warn enables fatal, error and warn. */
export const LOG_LEVELS = [
  'fatal',
  'error',
  'warn',
  'log',
  'debug',
  'verbose',
] as const satisfies readonly LogLevel[];

export function logLevelsUpTo(level: LogLevel): LogLevel[] {
  return LOG_LEVELS.slice(0, LOG_LEVELS.indexOf(level) + 1);
}

/**
 * What every Waybill HTTP service reads. A service extends it, adds its own variables and gives
 * PORT its default:
 *
 *   export class OrderConfig extends BaseServiceConfig {
 *     override PORT = 3001;
 *     @Secret() @IsUrl({ protocols: ['postgres', 'postgresql'], require_tld: false }) DATABASE_URL!: string;
 *     @EnvList() KAFKA_BROKERS!: string[];
 *   }
 */
export abstract class BaseServiceConfig {
  @EnvEnum(NODE_ENVS)
  NODE_ENV: NodeEnv = 'development';

  @EnvEnum(LOG_LEVELS)
  LOG_LEVEL: LogLevel = 'log';

  /** No default here: each service owns its port, and a subclass without one fails at boot. */
  @EnvInt({ min: 1, max: 65535 })
  PORT!: number;

  /** Digests of keys are not keys, but a weak key can be brute-forced from its digest. */
  @Secret()
  @EnvValue(parseApiKeys)
  WAYBILL_API_KEYS!: readonly ApiKeyEntry[];

  @EnvInt({ min: 1, max: 1_000_000 })
  RATE_LIMIT_PER_MINUTE = 600;

  @EnvInt({ min: 1024, max: 64 * 1024 * 1024 })
  HTTP_BODY_LIMIT_BYTES = 1024 * 1024;

  /**
   * How long an idle keep-alive connection stays open. Longer than the idle timeout of what sits
   * in front (AWS ALB 60 s, most ingresses 60 s): if the service closed first, a request the proxy
   * or a pooled client sends at that moment meets a reset (a 502, or ECONNRESET). Node's own
   * default is 5 s.
   */
  @EnvInt({ min: 1, max: 3600 })
  HTTP_KEEP_ALIVE_TIMEOUT_SECONDS = 65;

  /** So `logger.log(config)` or `JSON.stringify(config)` cannot leak a `@Secret()` value. */
  toJSON(): Record<string, unknown> {
    const secrets = secretPropertiesOf(this.constructor as abstract new () => object);
    return Object.fromEntries(
      Object.entries(this).map(([key, value]: [string, unknown]) => [
        key,
        secrets.has(key) ? '<redacted>' : value,
      ]),
    );
  }

  [inspect.custom](): Record<string, unknown> {
    return this.toJSON();
  }
}
