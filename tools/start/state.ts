/**
 * The state `npm start` keeps between runs, in `$WAYBILL_HOME` (default `.waybill/` at the repo root,
 * gitignored): the demo API keys and every secret shared with the simulated parties, made on the
 * first start and reused after, so the second start finds the same keys and its data.
 *
 * The services only ever see the keys' sha256 (WAYBILL_API_KEYS). The plain keys are kept here,
 * in a 0600 file in a 0700 folder, because this is a local demo and a person should be able to call
 * the API with them on the next run too; nothing in a real deployment reads this file.
 */
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '@waybill/local-infra';

export interface DemoState {
  readonly version: 1;
  readonly createdAt: string;
  readonly keys: { readonly storefront: string; readonly admin: string };
  readonly stripe: { readonly apiKey: string; readonly webhookSecret: string };
  readonly easypost: { readonly apiKey: string; readonly webhookSecret: string };
  readonly supplier: { readonly signingSecret: string; readonly webhookSecret: string };
  /** For sending sandbox webhooks by hand (`npm run simulate:carrier`). */
  readonly sandbox: { readonly paymentWebhookSecret: string; readonly carrierWebhookSecret: string };
}

export const STOREFRONT_PRINCIPAL = 'storefront/demo';

export function waybillHome(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.WAYBILL_HOME?.trim();
  return fromEnv ? path.resolve(fromEnv) : path.join(REPO_ROOT, '.waybill');
}

const token = (bytes = 24): string => randomBytes(bytes).toString('base64url');
const whsec = (): string => `whsec_${randomBytes(24).toString('base64')}`;

function newState(): DemoState {
  return {
    version: 1,
    createdAt: new Date().toISOString(),
    keys: { storefront: `wb_demo_sf_${token()}`, admin: `wb_demo_admin_${token()}` },
    stripe: { apiKey: `sk_test_${token()}`, webhookSecret: whsec() },
    easypost: { apiKey: `EZTK${randomBytes(16).toString('hex')}`, webhookSecret: token() },
    supplier: { signingSecret: whsec(), webhookSecret: whsec() },
    sandbox: { paymentWebhookSecret: whsec(), carrierWebhookSecret: whsec() },
  };
}

/** Reads `<home>/state.json`, or makes it (and the folder) on the first start. */
export function loadOrCreateState(home: string): { state: DemoState; created: boolean } {
  const file = path.join(home, 'state.json');
  if (fs.existsSync(file)) {
    const state = JSON.parse(fs.readFileSync(file, 'utf8')) as DemoState;
    if (state.version !== 1) {
      throw new Error(`${file}: unknown version ${String(state.version)}`);
    }
    return { state, created: false };
  }
  fs.mkdirSync(home, { recursive: true, mode: 0o700 });
  const state = newState();
  // wx: never overwrite a state another start wrote a moment ago.
  fs.writeFileSync(file, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  return { state, created: true };
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * The channels service's CHANNELS_SECRETS_KEY for the demo: derived from the admin key, so every
 * start (and a state file from before channels existed) seals and opens with the same key.
 */
export function demoChannelsSecretsKey(state: DemoState): string {
  const key = createHash('sha256').update(`waybill-channels-secrets:${state.keys.admin}`).digest('base64');
  return `demo:${key}`;
}

/** The demo keys as WAYBILL_API_KEYS entries: hashes only, never the keys. */
export function demoApiKeyEntries(
  state: DemoState,
): { sha256: string; principal: string; scopes: string[] }[] {
  return [
    {
      sha256: sha256(state.keys.storefront),
      principal: STOREFRONT_PRINCIPAL,
      scopes: ['orders:write', 'orders:read'],
    },
    { sha256: sha256(state.keys.admin), principal: 'admin', scopes: [] },
  ];
}
