import { createHash, timingSafeEqual } from 'node:crypto';
import { ApiKeyEntry } from './api-key-config';
import { parsePrincipal, Principal } from './principal';

/** A successful authentication: the principal, and which configured key it used. */
export interface AuthenticatedKey {
  readonly principal: Principal;
  /** The key's configured sha256 (not secret): what per-key rate limits count against. */
  readonly keyId: string;
}

interface RegisteredKey extends AuthenticatedKey {
  readonly digest: Buffer;
}

export class ApiKeyRegistry {
  private readonly keys: readonly RegisteredKey[];

  constructor(entries: readonly ApiKeyEntry[]) {
    this.keys = entries.map((entry) => {
      const principal = parsePrincipal(entry.principal, entry.scopes);
      // Config loading already rejected these; a registry built by hand must not weaken that.
      if (!principal) {
        throw new Error(`invalid API key principal ${JSON.stringify(entry.principal)}`);
      }
      return { principal, keyId: entry.sha256, digest: Buffer.from(entry.sha256, 'hex') };
    });
  }

  /**
   * Compares the presented key's digest with every configured digest in constant time and without
   * stopping at a match: a Map lookup or an early return would make the response time depend on the
   * secret. Linear in the number of configured keys, which is tens, not thousands.
   */
  authenticate(presentedKey: string): AuthenticatedKey | undefined {
    const digest = createHash('sha256').update(presentedKey, 'utf8').digest();
    let found: RegisteredKey | undefined;
    for (const key of this.keys) {
      if (timingSafeEqual(key.digest, digest) && !found) {
        found = key;
      }
    }
    return found && { principal: found.principal, keyId: found.keyId };
  }
}
