import { randomBytes } from 'node:crypto';
import type { ServiceEntry } from '@waybill/eventing';
import { apiKeysEnv, ServiceUnderTest, startServiceForTest, TestApiKey } from '@waybill/testing';
import { ChannelsConfig } from '../../src/channels.config';
import { ChannelsModule } from '../../src/channels.module';

const CHANNELS: ServiceEntry<ChannelsConfig> = {
  service: 'channels',
  config: ChannelsConfig,
  module: (config) => ChannelsModule.forRoot(config),
};

/** The channels service on the real Kafka and a fresh database, answering these keys, sealing with a fresh key. */
export function startChannelsForTest(
  topicPrefix: string,
  keys: readonly TestApiKey[],
  env: Readonly<Record<string, string>> = {},
): Promise<ServiceUnderTest<ChannelsConfig>> {
  return startServiceForTest(CHANNELS, {
    topicPrefix,
    env: {
      WAYBILL_API_KEYS: apiKeysEnv(keys),
      CHANNELS_SECRETS_KEY: `k-e2e:${randomBytes(32).toString('base64')}`,
      ...env,
    },
  });
}

export interface Answer {
  readonly status: number;
  readonly text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed JSON, asserted field by field
  readonly body: any;
}

/** One HTTP call to the service, as `key` (none: unauthenticated), with a JSON body if given. */
export async function callChannels(
  baseUrl: string,
  method: string,
  path: string,
  key: string | undefined,
  body?: unknown,
): Promise<Answer> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      ...(key !== undefined && { authorization: `Bearer ${key}` }),
      ...(body !== undefined && { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, text, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
}
