import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { issueCertificate } from '@waybill/testing/parties';
import { join } from 'node:path';
import {
  certIdOf,
  parseUnionPayAnswer,
  signRequest,
  signingString,
  UnionPayTrust,
  verifyUnionPayFields,
} from './unionpay-signature';
import { UnionPayPaymentProvider } from './unionpay.provider';

// Real UnionPay sandbox artefacts (fixtures/unionpay/README.md): the CFCA test chain, the sandbox
// merchant key, request vectors and answers UnionPay really sent.
const fixture = (name: string) => readFileSync(join(__dirname, 'fixtures', 'unionpay', name), 'utf8');

const root = new X509Certificate(fixture('acp_test_root.cer'));
const middle = new X509Certificate(fixture('acp_test_middle.cer'));
const trust: UnionPayTrust = { root, middle, checkCnName: true };
/** Before the sandbox UnionPay signing certificate expired (2025-07-31 01:19:16 UTC). */
const BEFORE_EXPIRY = new Date('2025-01-15T00:00:00Z');
const AFTER_EXPIRY = new Date('2025-08-01T00:00:00Z');

describe('UnionPay signatures: the published sandbox vectors', () => {
  it('certId is the decimal serial of the sandbox merchant certificate', () => {
    expect(certIdOf(new X509Certificate(fixture('acp_test_sign.cert.pem')))).toBe('69903319369');
  });

  it.each(['query', 'web_consume'])('signs the %s request exactly as UnionPay expects', (name) => {
    const vectors = JSON.parse(fixture('request_vectors.json')) as Record<string, string>;
    const sent = Object.fromEntries(new URLSearchParams(vectors[name]));
    const { signature, ...fields } = sent;
    const key = createPrivateKey(fixture('acp_test_sign.key.pem'));
    expect(signRequest(fields, key)).toEqual({ ...fields, signature });
  });

  it('drops blank values and signature from the signed string, sorted by key, raw values', () => {
    expect(signingString({ b: '2', a: 'x=y&z', c: ' ', signature: 'sig' }, true)).toBe('a=x=y&z&b=2');
  });

  it.each(['refund_response_raw.txt', 'query_response_raw.txt', 'cancel_response_raw.txt'])(
    'verifies the real answer %s through the CFCA test chain with the clock before expiry',
    (name) => {
      const fields = parseUnionPayAnswer(fixture(name));
      expect(fields.signPubKeyCert).toMatch(
        /^-----BEGIN CERTIFICATE-----\r\n[\s\S]+\r\n-----END CERTIFICATE-----$/,
      );
      expect(fields.respCode).toBe('00');
      expect(verifyUnionPayFields(fields, trust, BEFORE_EXPIRY)).toEqual({ ok: true });
    },
  );

  it('refuses the same answer once the certificate has expired, tampered, or against another chain', () => {
    const fields = parseUnionPayAnswer(fixture('query_response_raw.txt'));
    expect(verifyUnionPayFields(fields, trust, AFTER_EXPIRY)).toMatchObject({
      ok: false,
      rejection: 'TIMESTAMP_OUT_OF_TOLERANCE',
    });
    expect(verifyUnionPayFields({ ...fields, txnAmt: '100' }, trust, BEFORE_EXPIRY)).toMatchObject({
      ok: false,
      rejection: 'SIGNATURE_MISMATCH',
    });
    // The middle CA as its own root: the chain does not close.
    expect(verifyUnionPayFields(fields, { ...trust, root: middle }, BEFORE_EXPIRY)).toMatchObject({
      ok: false,
      rejection: 'SIGNATURE_MISMATCH',
    });
    const { signPubKeyCert: _cert, ...unsigned } = fields;
    expect(verifyUnionPayFields(unsigned, trust, BEFORE_EXPIRY)).toMatchObject({
      rejection: 'SIGNATURE_MISSING',
    });
  });

  it('checks the CN names UnionPay unless checkCnName is off (the acpsdk test-environment setting)', async () => {
    const window = { notBefore: new Date(Date.now() - 60_000), notAfter: new Date(Date.now() + 3_600_000) };
    const ownRoot = await issueCertificate({ name: [['CN', 'Root']], serial: 1n, ca: true, ...window });
    const ownMiddle = await issueCertificate({
      name: [['CN', 'Middle']],
      serial: 2n,
      ca: true,
      issuer: ownRoot,
      ...window,
    });
    const leaf = await issueCertificate({
      name: [['CN', '041@8310000000083040@Some Other Company@00016495']],
      serial: 3n,
      ca: false,
      issuer: ownMiddle,
      ...window,
    });
    const fields = signRequest(
      { version: '5.1.0', signMethod: '01', respCode: '00', signPubKeyCert: leaf.pem },
      leaf.privateKey,
    );
    const own = { root: ownRoot.certificate, middle: ownMiddle.certificate };
    expect(verifyUnionPayFields(fields, { ...own, checkCnName: true }, new Date())).toMatchObject({
      ok: false,
      message: expect.stringContaining('CN'),
    });
    expect(verifyUnionPayFields(fields, { ...own, checkCnName: false }, new Date())).toEqual({ ok: true });
  });

  it('reads answers whose values hold =, +, /, CRLF and {…}/[…] with & inside', () => {
    expect(parseUnionPayAnswer('a=x=y+/z&b={c=1&d=2}&e=[f&g]&h=line1\r\nline2&i=')).toEqual({
      a: 'x=y+/z',
      b: '{c=1&d=2}',
      e: '[f&g]',
      h: 'line1\r\nline2',
      i: '',
    });
    expect(parseUnionPayAnswer('{a=1&b=2}')).toEqual({ a: '1', b: '2' });
  });

  describe('the real consume back notification', () => {
    const notify = JSON.parse(fixture('back_notify_consume.json')) as Record<string, string>;
    // Posted to backUrl as a form, as UnionPay does.
    const rawBody = Buffer.from(new URLSearchParams(notify).toString());
    const clockAt = (now: Date, merId = notify.merId) =>
      new UnionPayPaymentProvider({
        merId,
        signKey: fixture('acp_test_sign.key.pem'),
        signCert: fixture('acp_test_sign.cert.pem'),
        rootCert: fixture('acp_test_root.cer'),
        middleCert: fixture('acp_test_middle.cer'),
        apiBase: 'https://gateway.test.95516.com',
        mode: 'direct',
        payTimeoutMinutes: 15,
        notifyUrl: 'https://waybill.example/v1/webhooks/payments/unionpay',
        frontUrl: 'https://shop.example/paid',
        timeoutMs: 1000,
        retry: { attempts: 1, initialBackoffMs: 0 },
        clock: () => now,
      });

    it('verifies before expiry into an authorized outcome keyed by queryId and txnType', () => {
      const provider = clockAt(BEFORE_EXPIRY);
      expect(provider.verifyWebhook(rawBody, {}, BEFORE_EXPIRY)).toEqual({
        ok: true,
        event: {
          providerEventId: '782209081322060674028:01',
          type: 'unionpay.consume',
          // Not a Waybill order (yansongda's own order number): no order id.
          orderId: undefined,
          outcome: { kind: 'authorized', providerPaymentRef: 'yansongda20220908132206:20220908132206' },
        },
      });
    });

    it('is refused after expiry, yet a copy stored before reads again', () => {
      const provider = clockAt(AFTER_EXPIRY);
      expect(provider.verifyWebhook(rawBody, {}, AFTER_EXPIRY)).toMatchObject({
        ok: false,
        rejection: 'TIMESTAMP_OUT_OF_TOLERANCE',
      });
      expect(provider.readWebhook(rawBody).outcome).toEqual({
        kind: 'authorized',
        providerPaymentRef: 'yansongda20220908132206:20220908132206',
      });
    });

    it('refuses it tampered, or for another merchant', () => {
      const provider = clockAt(BEFORE_EXPIRY);
      const tampered = Buffer.from(new URLSearchParams({ ...notify, txnAmt: '100000' }).toString());
      expect(provider.verifyWebhook(tampered, {}, BEFORE_EXPIRY)).toMatchObject({
        rejection: 'SIGNATURE_MISMATCH',
      });
      const other = clockAt(BEFORE_EXPIRY, '777290058100000');
      expect(other.verifyWebhook(rawBody, {}, BEFORE_EXPIRY)).toMatchObject({
        rejection: 'PAYLOAD_MALFORMED',
      });
    });
  });
});
