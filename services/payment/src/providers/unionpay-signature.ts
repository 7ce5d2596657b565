import { createHash, createSign, createVerify, KeyObject, X509Certificate } from 'node:crypto';
import type { WebhookRefusal } from '@waybill/platform';

/*
 * UnionPay ACP 5.1.0 signatures (signMethod 01), hand-written on node:crypto: no maintained npm
 * package speaks UnionPay (the two on GitHub were last touched in 2022 and 2024 and ship no tests),
 * and the scheme is small.
 *
 * Signing: drop `signature` and empty values, sort the keys, join `k=v` with `&` (raw values, not
 * URL-encoded), take the lowercase hex SHA-256 of that, and sign the hex string again with
 * SHA256withRSA (PKCS#1 v1.5); base64 in `signature`, the merchant certificate's serial in decimal
 * in `certId` (UnionPay acpsdk `SDKUtil.sign`, 5.1.0 branch).
 *
 * Verifying an answer or a back notification: the public key comes in the message itself
 * (`signPubKeyCert`), so the certificate must chain to the configured UnionPay root and middle CA,
 * be valid at `now`, and — in production — name UnionPay in its subject CN
 * (`041@<id>@中国银联股份有限公司@<n>`, field 2; acpsdk `ifValidateCNName`). The signed string is
 * every received field except `signature` (acpsdk `coverMap2String`: empty values included,
 * `signPubKeyCert` included).
 */

export type UnionPayFields = Readonly<Record<string, string>>;

export const UNIONPAY_CN_NAME = '中国银联股份有限公司';

/** `k=v&k=v` over the sorted keys, without `signature`; `dropEmpty` as requests are signed. */
export function signingString(fields: UnionPayFields, dropEmpty: boolean): string {
  return Object.keys(fields)
    .filter((key) => key !== 'signature' && (!dropEmpty || fields[key].trim() !== ''))
    .sort()
    .map((key) => `${key}=${dropEmpty ? fields[key].trim() : fields[key]}`)
    .join('&');
}

function digestHex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The request as sent: blank fields dropped, values trimmed (acpsdk `filterBlank`), `signature` added. */
export function signRequest(fields: UnionPayFields, privateKey: KeyObject | string): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (key !== 'signature' && value.trim() !== '') {
      kept[key] = value.trim();
    }
  }
  const signature = createSign('RSA-SHA256')
    .update(digestHex(signingString(kept, true)), 'utf8')
    .sign(privateKey, 'base64');
  return { ...kept, signature };
}

/** UnionPay's `certId`: the certificate's serial number in decimal. */
export function certIdOf(certificate: X509Certificate): string {
  return BigInt(`0x${certificate.serialNumber}`).toString(10);
}

/**
 * Reads a synchronous answer: `k=v&k=v`, NOT URL-encoded, so values may hold `=`, `+`, `/` and
 * CRLF (`signPubKeyCert`). Split on `&` only outside `{…}` / `[…]` and on the first `=` of each
 * pair, as acpsdk `parseQString` does (an answer wrapped in `{…}` is unwrapped first).
 */
export function parseUnionPayAnswer(text: string): Record<string, string> {
  let body = text;
  if (body.startsWith('{') && body.endsWith('}')) {
    body = body.slice(1, -1);
  }
  const fields: Record<string, string> = {};
  if (body.trim() === '') {
    return fields;
  }
  let start = 0;
  let depth = 0;
  let opener = '';
  let closer = '';
  const take = (end: number) => {
    const pair = body.slice(start, end);
    const eq = pair.indexOf('=');
    const key = eq < 0 ? pair : pair.slice(0, eq);
    if (key === '') {
      throw new Error('a UnionPay answer has a field without a name');
    }
    fields[key] = eq < 0 ? '' : pair.slice(eq + 1);
  };
  let inValue = false;
  for (let i = 0; i < body.length; i++) {
    const char = body[i];
    if (!inValue) {
      inValue = char === '=';
      if (char === '&') {
        take(i);
        start = i + 1;
      }
      continue;
    }
    if (depth > 0) {
      if (char === opener) {
        depth++;
      } else if (char === closer) {
        depth--;
      }
      continue;
    }
    if (char === '{' || char === '[') {
      opener = char;
      closer = char === '{' ? '}' : ']';
      depth = 1;
    } else if (char === '&') {
      take(i);
      start = i + 1;
      inValue = false;
    }
  }
  take(body.length);
  return fields;
}

/** What `signPubKeyCert` must chain to. */
export interface UnionPayTrust {
  readonly root: X509Certificate;
  readonly middle: X509Certificate;
  /**
   * Whether the leaf's CN must name UnionPay (field 2 of `041@…@中国银联股份有限公司@…`). The acpsdk
   * switches it off for the test environment only; Waybill keeps it on everywhere, since even
   * UnionPay's sandbox signing certificate carries the name.
   */
  readonly checkCnName: boolean;
}

export type UnionPayVerdict = { readonly ok: true } | WebhookRefusal;

/** Verifies a parsed answer or notification: the certificate it carries, then its signature. */
export function verifyUnionPayFields(
  fields: UnionPayFields,
  trust: UnionPayTrust,
  now: Date,
): UnionPayVerdict {
  const signature = fields.signature;
  const pem = fields.signPubKeyCert;
  if (!signature || !pem) {
    return { ok: false, rejection: 'SIGNATURE_MISSING', message: 'signature or signPubKeyCert is missing' };
  }
  if (fields.signMethod !== '01' || fields.version !== '5.1.0') {
    return {
      ok: false,
      rejection: 'SIGNATURE_MALFORMED',
      message: `only signMethod 01 of version 5.1.0 is accepted (got ${fields.signMethod ?? '-'} / ${fields.version ?? '-'})`,
    };
  }
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(pem);
  } catch {
    return { ok: false, rejection: 'SIGNATURE_MALFORMED', message: 'signPubKeyCert is not a certificate' };
  }
  const chained =
    leaf.checkIssued(trust.middle) &&
    leaf.verify(trust.middle.publicKey) &&
    trust.middle.checkIssued(trust.root) &&
    trust.middle.verify(trust.root.publicKey);
  if (!chained) {
    return {
      ok: false,
      rejection: 'SIGNATURE_MISMATCH',
      message: 'signPubKeyCert does not chain to the configured UnionPay root and middle CA',
    };
  }
  const stale = [leaf, trust.middle, trust.root].find((certificate) => !validAt(certificate, now));
  if (stale) {
    return {
      ok: false,
      rejection: 'TIMESTAMP_OUT_OF_TOLERANCE',
      message: `a certificate of the chain is not valid at ${now.toISOString()} (valid ${stale.validFrom} to ${stale.validTo})`,
    };
  }
  if (trust.checkCnName && commonName(leaf)?.split('@')[2] !== UNIONPAY_CN_NAME) {
    return {
      ok: false,
      rejection: 'SIGNATURE_MISMATCH',
      message: 'signPubKeyCert is not a UnionPay signing certificate (CN)',
    };
  }
  const digest = digestHex(signingString(fields, false));
  let matches = false;
  try {
    matches = createVerify('RSA-SHA256').update(digest, 'utf8').verify(leaf.publicKey, signature, 'base64');
  } catch {
    matches = false;
  }
  return matches
    ? { ok: true }
    : { ok: false, rejection: 'SIGNATURE_MISMATCH', message: 'the signature does not match the fields' };
}

function validAt(certificate: X509Certificate, now: Date): boolean {
  const time = now.getTime();
  return Date.parse(certificate.validFrom) <= time && time <= Date.parse(certificate.validTo);
}

function commonName(certificate: X509Certificate): string | undefined {
  return certificate.subject
    .split('\n')
    .find((line) => line.startsWith('CN='))
    ?.slice(3);
}
