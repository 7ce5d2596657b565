/**
 * The MD5 digests the Chinese carriers sign with (carriers-cn notes §7.2 pitfall 5), hand-written
 * over node:crypto: the schemes are one hash over a concatenation, no maintained library covers
 * them, and each carrier's SDK would bring an HTTP client Waybill does not use.
 * - Base64 of the raw 16 bytes: SF's msgDigest (after Java URL-encoding, sf.protocol.ts), ZTO's
 *   x-datadigest and push data_digest (zto.protocol.ts); also YTO's and Cainiao's schemes.
 * - Upper-case hex: Kuaidi100's push and query sign (kuaidi100.protocol.ts).
 * Next step: the sf, zto and kuaidi100 carriers sign their calls and check pushes with these;
 * comparisons go through `safeEqual` from @waybill/platform (constant time, any lengths).
 */
import { createHash } from 'node:crypto';
import { safeEqual } from '@waybill/platform';

/** Base64(MD5(UTF-8 bytes of `text`)), the raw digest encoded, never its hex. */
export function base64Md5(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('base64');
}

/** UPPER(hex(MD5(UTF-8 bytes of `text`))). */
export function upperHexMd5(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex').toUpperCase();
}

/**
 * Whether a pushed digest is the one we compute, in constant time. No digest, or no secret
 * configured to compute it with, is simply false; so is a digest of another length.
 */
export function pushedDigestMatches(
  given: string | undefined,
  secret: string,
  computeWith: (secret: string) => string,
): boolean {
  if (given === undefined || secret === '') {
    return false;
  }
  return safeEqual(computeWith(secret), given.trim());
}
