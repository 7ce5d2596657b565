import { createHash, createSign, generateKeyPair, KeyObject, X509Certificate } from 'node:crypto';
import { promisify } from 'node:util';

/*
 * X.509 certificates for fake partners (the fake UnionPay's CA chain), written as DER by hand and
 * signed with node:crypto, which can parse and verify certificates but not create them.
 *
 * Why not the `openssl` command line: it would make the fakes (and the `npm start` demo) depend on
 * a binary that slim containers and Windows machines lack, and OpenSSL 3.0's `req`/`x509` cannot
 * backdate a certificate (no -not_before/-not_after before 3.4; `openssl ca` needs a config and an
 * index file), while the fake needs an expired UnionPay certificate and chosen serial numbers.
 * The subset written here is small (SEQUENCE, SET, INTEGER, OID, strings, times, BIT/OCTET STRING,
 * BOOLEAN, explicit tags) and every certificate is read back by Node's own parser at once, so an
 * encoding slip fails loudly (test-certificates.spec.ts checks the chain through OpenSSL).
 */

/** Attribute type → value, in order: `[['C', 'CN'], ['O', 'CFCA OCA1'], ['OU', …], ['CN', …]]`. */
export type DistinguishedName = readonly (readonly ['C' | 'O' | 'OU' | 'CN', string])[];

export interface TestCertificate {
  readonly certificate: X509Certificate;
  readonly pem: string;
  readonly privateKey: KeyObject;
  /** PKCS#8 PEM of the private key. */
  readonly keyPem: string;
  readonly name: DistinguishedName;
  readonly serial: bigint;
}

export interface CertificateRequest {
  readonly name: DistinguishedName;
  readonly serial: bigint;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** A CA signs certificates (basicConstraints CA, keyCertSign); a leaf signs messages. */
  readonly ca: boolean;
  /** Self-signed when absent. */
  readonly issuer?: TestCertificate;
}

const generateRsa = promisify(generateKeyPair);

export async function issueCertificate(request: CertificateRequest): Promise<TestCertificate> {
  const { publicKey, privateKey } = await generateRsa('rsa', { modulusLength: 2048 });
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const issuerName = request.issuer?.name ?? request.name;
  const signingKey = request.issuer?.privateKey ?? privateKey;
  const issuerSpki = request.issuer
    ? request.issuer.certificate.publicKey.export({ type: 'spki', format: 'der' })
    : spki;
  const extensions = [
    extension('2.5.29.19', true, sequence(...(request.ca ? [boolean(true)] : []))),
    // keyCertSign + cRLSign for a CA; digitalSignature + nonRepudiation for a leaf.
    extension('2.5.29.15', true, namedBits(request.ca ? [5, 6] : [0, 1])),
    extension('2.5.29.14', false, octetString(keyIdentifier(spki))),
    extension('2.5.29.35', false, sequence(tlv(0x80, keyIdentifier(issuerSpki)))),
  ];
  const tbs = sequence(
    explicit(0, integer(2n)),
    integer(request.serial),
    SHA256_WITH_RSA,
    name(issuerName),
    sequence(time(request.notBefore), time(request.notAfter)),
    name(request.name),
    spki,
    explicit(3, sequence(...extensions)),
  );
  const signature = createSign('RSA-SHA256').update(tbs).sign(signingKey);
  const der = sequence(tbs, SHA256_WITH_RSA, bitString(signature));
  const certificate = new X509Certificate(der);
  return {
    certificate,
    pem: certificate.toString(),
    privateKey,
    keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    name: request.name,
    serial: request.serial,
  };
}

// --- DER, the few types a certificate needs ---

function tlv(tag: number, content: Buffer): Buffer {
  const length = content.length;
  if (length < 0x80) {
    return Buffer.concat([Buffer.from([tag, length]), content]);
  }
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest >>= 8) {
    bytes.unshift(rest & 0xff);
  }
  return Buffer.concat([Buffer.from([tag, 0x80 | bytes.length, ...bytes]), content]);
}

function sequence(...parts: Buffer[]): Buffer {
  return tlv(0x30, Buffer.concat(parts));
}

function set(...parts: Buffer[]): Buffer {
  return tlv(0x31, Buffer.concat(parts));
}

function explicit(tagNumber: number, content: Buffer): Buffer {
  return tlv(0xa0 + tagNumber, content);
}

/** A non-negative INTEGER, minimal, with a leading zero byte when the top bit is set. */
function integer(value: bigint): Buffer {
  if (value < 0n) {
    throw new Error('only non-negative integers are written');
  }
  let hex = value.toString(16);
  if (hex.length % 2) {
    hex = `0${hex}`;
  }
  let bytes = Buffer.from(hex, 'hex');
  if (bytes[0] & 0x80) {
    bytes = Buffer.concat([Buffer.from([0]), bytes]);
  }
  return tlv(0x02, bytes);
}

function boolean(value: boolean): Buffer {
  return tlv(0x01, Buffer.from([value ? 0xff : 0x00]));
}

function octetString(content: Buffer): Buffer {
  return tlv(0x04, content);
}

function bitString(content: Buffer, unusedBits = 0): Buffer {
  return tlv(0x03, Buffer.concat([Buffer.from([unusedBits]), content]));
}

/** A named-bit BIT STRING (KeyUsage), trailing zero bits dropped as DER requires. */
function namedBits(bits: readonly number[]): Buffer {
  const last = Math.max(...bits);
  const bytes = Buffer.alloc(Math.floor(last / 8) + 1);
  for (const bit of bits) {
    bytes[Math.floor(bit / 8)] |= 0x80 >> (bit % 8);
  }
  return bitString(bytes, 7 - (last % 8));
}

function oid(dotted: string): Buffer {
  const [first, second, ...rest] = dotted.split('.').map(Number);
  const bytes = [first * 40 + second];
  for (const arc of rest) {
    const groups: number[] = [];
    for (let value = arc; ; value = Math.floor(value / 128)) {
      groups.unshift(value % 128);
      if (value < 128) {
        break;
      }
    }
    bytes.push(...groups.map((group, i) => (i < groups.length - 1 ? group | 0x80 : group)));
  }
  return tlv(0x06, Buffer.from(bytes));
}

const SHA256_WITH_RSA = sequence(oid('1.2.840.113549.1.1.11'), tlv(0x05, Buffer.alloc(0)));

const ATTRIBUTE_OIDS = { C: '2.5.4.6', O: '2.5.4.10', OU: '2.5.4.11', CN: '2.5.4.3' } as const;

function name(dn: DistinguishedName): Buffer {
  return sequence(
    ...dn.map(([type, value]) =>
      set(
        sequence(
          oid(ATTRIBUTE_OIDS[type]),
          // Countries are PrintableString; the rest UTF8String (UnionPay's CN is Chinese).
          tlv(type === 'C' ? 0x13 : 0x0c, Buffer.from(value, 'utf8')),
        ),
      ),
    ),
  );
}

/** UTCTime through 2049, GeneralizedTime after, as RFC 5280 says. */
function time(at: Date): Buffer {
  const iso = at.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  const year = at.getUTCFullYear();
  return year < 2050 ? tlv(0x17, Buffer.from(`${iso.slice(2)}Z`)) : tlv(0x18, Buffer.from(`${iso}Z`));
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return sequence(oid(id), ...(critical ? [boolean(true)] : []), octetString(value));
}

/** RFC 5280 method 1: SHA-1 of the subjectPublicKey BIT STRING's bytes (here of the whole SPKI, also allowed). */
function keyIdentifier(spki: Buffer): Buffer {
  return createHash('sha1').update(spki).digest();
}
