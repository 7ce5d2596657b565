/**
 * Where a Docker engine runs and no Kafka or PostgreSQL answers yet, `npm start` brings them up from
 * deploy/docker-compose.yml (the official apache/kafka and postgres images), as the operator's own
 * Compose deployment would, instead of the Maven jars and initdb. The services themselves still run
 * from the checkout, so a change shows on the next start without an image build.
 *
 * Compose reads deploy/.env (the services' env_file, and POSTGRES_PASSWORD for interpolation). An
 * operator's file is used as it is; when there is none, one is written from .env.example with this
 * demo's values (0600, git-ignored), which is the step the README asks of a person anyway.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT, runCommand, type Logger } from '@waybill/local-infra';
import { demoApiKeyEntries, demoChannelsSecretsKey, type DemoState } from './state';

export type ComposeService = 'kafka' | 'postgres';

const COMPOSE_FILE = path.join(REPO_ROOT, 'deploy/docker-compose.yml');
const PROJECT = 'waybill';
/** What the Compose file publishes on the host (see its ports and KAFKA_ADVERTISED_LISTENERS). */
export const COMPOSE_KAFKA_BROKERS = 'localhost:9094';
const UP_TIMEOUT_MS = 300_000;

export interface ComposeInfra {
  readonly services: readonly ComposeService[];
  readonly kafkaBrokers?: string;
  readonly postgresAdminUrl?: string;
  /** Stops (keeps) the containers this run started: the volumes and so the data stay. */
  stop(): Promise<void>;
}

export function composeArgs(command: readonly string[]): string[] {
  return ['compose', '-p', PROJECT, '-f', COMPOSE_FILE, ...command];
}

/** The demo's deploy/.env: .env.example with the demo's secrets filled in. */
export function demoComposeEnv(example: string, state: DemoState): string {
  const values: Record<string, string> = {
    POSTGRES_PASSWORD: demoPostgresPassword(state),
    WAYBILL_API_KEYS: JSON.stringify(demoApiKeyEntries(state)),
    PAYMENT_SANDBOX_WEBHOOK_SECRET: state.sandbox.paymentWebhookSecret,
    LOGISTICS_SANDBOX_WEBHOOK_SECRET: state.sandbox.carrierWebhookSecret,
    CHANNELS_SECRETS_KEY: demoChannelsSecretsKey(state),
  };
  return example
    .split('\n')
    .map((line) => {
      const name = /^([A-Z0-9_]+)=/.exec(line)?.[1];
      return name && values[name] !== undefined ? `${name}=${values[name]}` : line;
    })
    .join('\n');
}

/** Derived from the demo state, so every start (and the volume made on the first) agrees on it. */
export function demoPostgresPassword(state: DemoState): string {
  return createHash('sha256')
    .update(`waybill-compose-postgres:${state.keys.admin}`)
    .digest('hex')
    .slice(0, 32);
}

/** POSTGRES_PASSWORD as an env file sets it (no quotes, no interpolation in ours). */
export function envFileValue(content: string, name: string): string | undefined {
  const line = content.split('\n').find((candidate) => candidate.startsWith(`${name}=`));
  return line?.slice(name.length + 1).trim() || undefined;
}

export async function startComposeInfra(
  services: readonly ComposeService[],
  state: DemoState,
  log: Logger,
): Promise<ComposeInfra> {
  const envFile = path.join(REPO_ROOT, 'deploy/.env');
  if (!fs.existsSync(envFile)) {
    const example = fs.readFileSync(path.join(REPO_ROOT, 'deploy/.env.example'), 'utf8');
    fs.writeFileSync(envFile, demoComposeEnv(example, state), { mode: 0o600, flag: 'wx' });
    log(`wrote ${envFile} with the demo's secrets (Compose reads it)`);
  }
  const password = envFileValue(fs.readFileSync(envFile, 'utf8'), 'POSTGRES_PASSWORD');
  if (!password) {
    throw new Error(`${envFile} sets no POSTGRES_PASSWORD`);
  }

  log(`Docker engine found: starting ${services.join(' and ')} with docker compose (${COMPOSE_FILE})`);
  const up = await runCommand('docker', composeArgs(['up', '--detach', '--wait', ...services]), {
    cwd: REPO_ROOT,
    env: { ...process.env, POSTGRES_PASSWORD: password },
    timeoutMs: UP_TIMEOUT_MS,
  });
  if (up.code !== 0) {
    throw new Error(`docker compose up failed: ${(up.stderr || up.stdout).trim()}`);
  }
  return {
    services,
    ...(services.includes('kafka') && { kafkaBrokers: COMPOSE_KAFKA_BROKERS }),
    ...(services.includes('postgres') && {
      postgresAdminUrl: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:5432/postgres`,
    }),
    stop: async () => {
      const stop = await runCommand('docker', composeArgs(['stop', ...services]), {
        cwd: REPO_ROOT,
        env: { ...process.env, POSTGRES_PASSWORD: password },
      });
      if (stop.code !== 0) {
        throw new Error(`docker compose stop failed: ${stop.stderr.trim()}`);
      }
    },
  };
}
