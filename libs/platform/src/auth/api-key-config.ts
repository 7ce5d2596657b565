import { createHash } from 'node:crypto';
import { InvalidEnvValue } from '../config/env-value';
import { parsePrincipal, PRINCIPAL_FORMAT, SCOPE_PATTERN } from './principal';

/** One entry of `WAYBILL_API_KEYS`. Only the key's digest is configured, never the key itself. */
export interface ApiKeyEntry {
  /** Lower-case hex sha256 of the key. */
  readonly sha256: string;
  readonly principal: string;
  readonly scopes: readonly string[];
}

/** What an operator puts into `WAYBILL_API_KEYS` for a freshly generated key. */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

const SHA256_HEX = /^[0-9a-fA-F]{64}$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Parses and checks the `WAYBILL_API_KEYS` JSON. Reasons name the entry by index and principal but
 * never echo a digest or the JSON text (Node's JSON.parse messages quote the input, so they are
 * replaced).
 */
export function parseApiKeys(raw: string): ApiKeyEntry[] | InvalidEnvValue {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return new InvalidEnvValue('is not valid JSON (expected an array of {"sha256","principal","scopes"})');
  }
  if (!Array.isArray(parsed)) {
    return new InvalidEnvValue('must be a JSON array of {"sha256","principal","scopes"}');
  }

  const entries: ApiKeyEntry[] = [];
  const seen = new Set<string>();
  for (const [index, item] of parsed.entries()) {
    const where = `entry ${index}`;
    if (!isRecord(item)) {
      return new InvalidEnvValue(`${where} must be an object`);
    }
    const { sha256, principal, scopes } = item;
    if (typeof principal !== 'string' || !parsePrincipal(principal, [])) {
      return new InvalidEnvValue(`${where}: principal must be ${PRINCIPAL_FORMAT}`);
    }
    const named = `${where} (${principal})`;
    if (typeof sha256 !== 'string' || !SHA256_HEX.test(sha256)) {
      return new InvalidEnvValue(`${named}: sha256 must be 64 hex characters`);
    }
    if (
      !Array.isArray(scopes) ||
      !scopes.every((scope): scope is string => typeof scope === 'string' && SCOPE_PATTERN.test(scope))
    ) {
      return new InvalidEnvValue(`${named}: scopes must be an array of scope names like "orders:write"`);
    }
    const digest = sha256.toLowerCase();
    // Two principals behind one key would make the caller's identity depend on list order.
    if (seen.has(digest)) {
      return new InvalidEnvValue(`${named}: sha256 is configured twice`);
    }
    seen.add(digest);
    entries.push({ sha256: digest, principal, scopes: [...scopes] });
  }
  return entries;
}
