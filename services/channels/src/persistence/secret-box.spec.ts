import { randomBytes } from 'node:crypto';
import { SecretBox, SecretBoxError, SecretKey } from './secret-box';

const oldKey: SecretKey = { id: 'k2025', key: randomBytes(32) };
const newKey: SecretKey = { id: 'k2026', key: randomBytes(32) };

describe('SecretBox (AES-256-GCM)', () => {
  it('opens what it sealed, and the stored bytes do not contain the plaintext', () => {
    const box = new SecretBox([newKey]);
    const sealed = box.seal('shpss_0123456789abcdef', 'shop-eu');
    expect(sealed.keyId).toBe('k2026');
    expect(sealed.sealed.toString('utf8')).not.toContain('shpss_');
    expect(box.open(sealed, 'shop-eu')).toBe('shpss_0123456789abcdef');
  });

  it('uses a fresh IV every time: the same secret seals to different bytes', () => {
    const box = new SecretBox([newKey]);
    const first = box.seal('same', 'c1').sealed;
    const second = box.seal('same', 'c1').sealed;
    expect(first.subarray(0, 12).equals(second.subarray(0, 12))).toBe(false);
    expect(first.equals(second)).toBe(false);
  });

  it('rotates: the old key still opens, new seals use the first key', () => {
    const before = new SecretBox([oldKey]).seal('woo secret', 'woo-main');
    const rotated = new SecretBox([newKey, oldKey]);
    expect(rotated.open(before, 'woo-main')).toBe('woo secret');
    expect(rotated.seal('woo secret', 'woo-main').keyId).toBe('k2026');
    expect(rotated.currentKeyId).toBe('k2026');
  });

  it('refuses a secret whose key was rotated out', () => {
    const before = new SecretBox([oldKey]).seal('youzan secret', 'yz');
    expect(() => new SecretBox([newKey]).open(before, 'yz')).toThrow(/no key k2025/);
  });

  it('refuses tampered ciphertext, tag or IV', () => {
    const box = new SecretBox([newKey]);
    const sealed = box.seal('a longer secret value', 'c1');
    for (const index of [0, 12, sealed.sealed.length - 1]) {
      const tampered = Buffer.from(sealed.sealed);
      tampered[index] ^= 0x01;
      expect(() => box.open({ keyId: sealed.keyId, sealed: tampered }, 'c1')).toThrow(SecretBoxError);
    }
    expect(() => box.open({ keyId: sealed.keyId, sealed: sealed.sealed.subarray(0, 20) }, 'c1')).toThrow(
      /truncated/,
    );
  });

  it('refuses the right bytes under the wrong associated data (another connection)', () => {
    const box = new SecretBox([newKey]);
    const sealed = box.seal('secret', 'shop-eu');
    expect(() => box.open(sealed, 'shop-us')).toThrow(/does not authenticate/);
  });

  it('refuses no keys, a short key and duplicate ids', () => {
    expect(() => new SecretBox([])).toThrow(/at least one key/);
    expect(() => new SecretBox([{ id: 'k', key: randomBytes(16) }])).toThrow(/32 bytes, not 16/);
    expect(() => new SecretBox([newKey, { ...oldKey, id: newKey.id }])).toThrow(/unique/);
  });
});
