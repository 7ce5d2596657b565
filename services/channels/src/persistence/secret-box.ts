import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** One AES-256 key of `CHANNELS_SECRETS_KEY`, named so a stored secret says which key sealed it. */
export interface SecretKey {
  readonly id: string;
  /** 32 bytes. */
  readonly key: Buffer;
}

/** What is stored: the key id beside the sealed bytes (IV, then tag, then ciphertext). */
export interface SealedSecret {
  readonly keyId: string;
  readonly sealed: Buffer;
}

const ALGORITHM = 'aes-256-gcm';
/** 96 bits, the IV length GCM is specified for (NIST SP 800-38D); random per seal. */
const IV_BYTES = 12;
const TAG_BYTES = 16;
export const SECRET_KEY_BYTES = 32;

/** A secret that cannot be opened: unknown key id, tampered bytes or the wrong owner (AAD). */
export class SecretBoxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretBoxError';
  }
}

/**
 * Seals secrets at rest with AES-256-GCM. The first key seals; every key opens, so a rotation is:
 * put the new key first, keep the old one after it until every row was rewritten, then drop it.
 * The associated data binds a ciphertext to its owner (the connection id): a sealed value copied
 * onto another row does not open there.
 */
export class SecretBox {
  private readonly keys: ReadonlyMap<string, Buffer>;
  private readonly current: SecretKey;

  constructor(keys: readonly SecretKey[]) {
    const [current] = keys;
    if (!current) {
      throw new SecretBoxError('a SecretBox needs at least one key');
    }
    for (const { id, key } of keys) {
      if (key.length !== SECRET_KEY_BYTES) {
        throw new SecretBoxError(`key ${id} must be ${SECRET_KEY_BYTES} bytes, not ${key.length}`);
      }
    }
    this.keys = new Map(keys.map(({ id, key }) => [id, key]));
    if (this.keys.size !== keys.length) {
      throw new SecretBoxError('key ids must be unique');
    }
    this.current = current;
  }

  /** The id new seals are written with. */
  get currentKeyId(): string {
    return this.current.id;
  }

  seal(plaintext: string, associatedData: string): SealedSecret {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.current.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(associatedData, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return { keyId: this.current.id, sealed: Buffer.concat([iv, cipher.getAuthTag(), ciphertext]) };
  }

  open(secret: SealedSecret, associatedData: string): string {
    const key = this.keys.get(secret.keyId);
    if (!key) {
      throw new SecretBoxError(
        `no key ${secret.keyId} in CHANNELS_SECRETS_KEY (was it rotated out too early?)`,
      );
    }
    if (secret.sealed.length < IV_BYTES + TAG_BYTES) {
      throw new SecretBoxError('the sealed secret is truncated');
    }
    const iv = secret.sealed.subarray(0, IV_BYTES);
    const tag = secret.sealed.subarray(IV_BYTES, IV_BYTES + TAG_BYTES);
    const ciphertext = secret.sealed.subarray(IV_BYTES + TAG_BYTES);
    const decipher = createDecipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(associatedData, 'utf8'));
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
    } catch {
      // GCM says only "unable to authenticate"; which of bytes, key or AAD is wrong it cannot tell.
      throw new SecretBoxError(`the secret sealed with key ${secret.keyId} does not authenticate`);
    }
  }
}
