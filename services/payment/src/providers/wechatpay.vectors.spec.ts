import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { FakeWechatPay } from '@waybill/testing/parties';
import {
  chinaTime,
  decryptWechatResource,
  verifyWechatSignature,
  wechatAuthorization,
  WechatPayPaymentProvider,
  wechatOutRefundNo,
  wechatOutTradeNo,
  wechatRequestMessage,
} from './wechatpay.provider';

// The published vectors (fixtures/wechatpay/README.md says where each comes from).
const FIXTURES = join(__dirname, 'fixtures', 'wechatpay');
const officialKey = readFileSync(join(FIXTURES, 'official_test_merchant_private_key.pem'), 'utf8');
const vectors = JSON.parse(readFileSync(join(FIXTURES, 'vectors.json'), 'utf8')) as {
  request_sign: Record<'method' | 'url' | 'timestamp' | 'nonce_str' | 'body' | 'signature', string>;
  response_verify_thirdparty: Record<string, string>;
  aes_gcm: {
    key: string;
    nonce: string;
    cases: { plaintext: string; aad: string; ciphertext: string }[];
  };
};
const goNotify = JSON.parse(readFileSync(join(FIXTURES, 'wechatpay-go_notify_vector.json'), 'utf8')) as {
  headers: Record<string, string>;
  body: string;
  apiv3_key: string;
  platform_certificate_pem: string;
  expected_plaintext: string;
};

function provider(publicKey: string, publicKeyId: string): WechatPayPaymentProvider {
  return new WechatPayPaymentProvider({
    apiBase: 'http://127.0.0.1:1',
    mchId: '1900007291',
    appId: 'wxd678efh567hg6787',
    merchantSerialNo: '408B07E79B8269FEC3D5D3E6AB8ED163A6A380DB',
    merchantPrivateKey: officialKey,
    apiV3Key: 'an-apiv3-key-of-32-bytes-exactly',
    publicKeyId,
    publicKey,
    notifyUrl: 'http://localhost:3003/v1/webhooks/payments/wechatpay',
    payTimeoutMinutes: 15,
    toleranceSeconds: 300,
    timeoutMs: 1000,
    retry: { attempts: 1, initialBackoffMs: 0 },
  });
}

describe('WeChat Pay request signing (official doc vector)', () => {
  const r = vectors.request_sign;

  it('signs METHOD\\nURL\\ntimestamp\\nnonce\\nbody\\n into the published signature', () => {
    const header = wechatAuthorization({
      mchId: '1900007291',
      serialNo: '408B07E79B8269FEC3D5D3E6AB8ED163A6A380DB',
      privateKey: officialKey,
      method: r.method,
      pathAndQuery: r.url,
      body: r.body,
      timestamp: r.timestamp,
      nonce: r.nonce_str,
    });
    expect(header).toBe(
      `WECHATPAY2-SHA256-RSA2048 mchid="1900007291",nonce_str="${r.nonce_str}",` +
        `signature="${r.signature}",timestamp="${r.timestamp}",` +
        'serial_no="408B07E79B8269FEC3D5D3E6AB8ED163A6A380DB"',
    );
  });

  it('ends the message with a newline, an empty GET body included', () => {
    expect(wechatRequestMessage('GET', '/v3/x?mchid=1', '1', 'N', '')).toBe('GET\n/v3/x?mchid=1\n1\nN\n\n');
  });
});

describe('WeChat Pay answer verification (published answer vector)', () => {
  const v = vectors.response_verify_thirdparty;
  const signed = { timestamp: v['Wechatpay-Timestamp'], nonce: v['Wechatpay-Nonce'], body: v.body };

  it('verifies timestamp\\nnonce\\nbody\\n with the WeChat Pay public key', () => {
    expect(verifyWechatSignature(signed, v['Wechatpay-Signature'], v.wechatpay_public_key_pem)).toBe(true);
  });

  it('does not verify a changed body or nonce', () => {
    const { body, nonce } = signed;
    expect(
      verifyWechatSignature(
        { ...signed, body: body.replace('pr=', 'pr=x') },
        v['Wechatpay-Signature'],
        v.wechatpay_public_key_pem,
      ),
    ).toBe(false);
    expect(
      verifyWechatSignature(
        { ...signed, nonce: `${nonce}0` },
        v['Wechatpay-Signature'],
        v.wechatpay_public_key_pem,
      ),
    ).toBe(false);
  });

  it('passes the adapter only with the configured serial and within 5 minutes', () => {
    const wechat = provider(v.wechatpay_public_key_pem, 'PUB_KEY_ID_0114232134912410000000000000');
    const at = (seconds: number) => new Date(seconds * 1000);
    const ts = Number(v['Wechatpay-Timestamp']);
    const headers = {
      'wechatpay-timestamp': v['Wechatpay-Timestamp'],
      'wechatpay-nonce': v['Wechatpay-Nonce'],
      'wechatpay-signature': v['Wechatpay-Signature'],
      'wechatpay-serial': 'PUB_KEY_ID_0114232134912410000000000000',
    };
    const body = Buffer.from(v.body);
    // The signature passes; a prepay answer is not a notification, so it then fails to read.
    expect(wechat.verifyWebhook(body, headers, at(ts + 299))).toMatchObject({
      rejection: 'PAYLOAD_MALFORMED',
    });
    expect(wechat.verifyWebhook(body, headers, at(ts + 300))).toMatchObject({
      rejection: 'TIMESTAMP_OUT_OF_TOLERANCE',
    });
    expect(wechat.verifyWebhook(body, headers, at(ts - 300))).toMatchObject({
      rejection: 'TIMESTAMP_OUT_OF_TOLERANCE',
    });
    expect(
      wechat.verifyWebhook(body, { ...headers, 'wechatpay-serial': 'PUB_KEY_ID_0999' }, at(ts)),
    ).toMatchObject({ rejection: 'SIGNATURE_MISMATCH' });
  });
});

describe('WeChat Pay AEAD_AES_256_GCM (wechatpay-axios-plugin vectors)', () => {
  const { key, nonce, cases } = vectors.aes_gcm;

  it.each(cases)('opens $ciphertext into "$plaintext"', ({ plaintext, aad, ciphertext }) => {
    expect(decryptWechatResource({ ciphertext, nonce, associatedData: aad }, key)).toBe(plaintext);
  });

  it('refuses a changed ciphertext, associated data or key', () => {
    const { ciphertext, aad } = cases[1];
    const flipped = Buffer.from(ciphertext, 'base64');
    flipped[0] ^= 1;
    expect(() =>
      decryptWechatResource({ ciphertext: flipped.toString('base64'), nonce, associatedData: aad }, key),
    ).toThrow();
    expect(() => decryptWechatResource({ ciphertext, nonce, associatedData: 'other' }, key)).toThrow();
    expect(() =>
      decryptWechatResource({ ciphertext, nonce, associatedData: aad }, key.replace('0', '1')),
    ).toThrow();
  });
});

describe('WeChat Pay notification (wechatpay-go vector, clock fixed at 1624523846)', () => {
  const { headers, body } = goNotify;
  const publicKey = new X509Certificate(goNotify.platform_certificate_pem).publicKey.export({
    type: 'spki',
    format: 'pem',
  }) as string;
  const lower = Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]),
  );
  const at = (seconds: number) => new Date(seconds * 1000);

  it('verifies the headers over the raw body; a PAYSCORE event is then read and ignored', () => {
    const wechat = provider(publicKey, headers['Wechatpay-Serial']);
    expect(wechat.verifyWebhook(Buffer.from(body), lower, at(1624523846))).toEqual({
      ok: true,
      event: { providerEventId: '3119dfba-e649-5eec-ab1e-3412bc4d2e17', type: 'PAYSCORE.USER_OPEN_SERVICE' },
    });
  });

  it('refuses it five minutes later, changed, or with another signature type', () => {
    const wechat = provider(publicKey, headers['Wechatpay-Serial']);
    expect(wechat.verifyWebhook(Buffer.from(body), lower, at(1624523846 + 300))).toMatchObject({
      rejection: 'TIMESTAMP_OUT_OF_TOLERANCE',
    });
    expect(
      wechat.verifyWebhook(Buffer.from(body.replace('签约成功', '签约失败')), lower, at(1624523846)),
    ).toMatchObject({
      rejection: 'SIGNATURE_MISMATCH',
    });
    expect(
      wechat.verifyWebhook(
        Buffer.from(body),
        { ...lower, 'wechatpay-signature-type': 'WECHATPAY2-SM2-WITH-SM3' },
        at(1624523846),
      ),
    ).toMatchObject({ rejection: 'SIGNATURE_MALFORMED' });
  });

  it('refuses a WECHATPAY/SIGNTEST/ probe', () => {
    const wechat = provider(publicKey, headers['Wechatpay-Serial']);
    const probe = { ...lower, 'wechatpay-signature': 'WECHATPAY/SIGNTEST/abc' };
    expect(wechat.verifyWebhook(Buffer.from(body), probe, at(1624523846))).toMatchObject({
      ok: false,
      rejection: 'SIGNATURE_MISMATCH',
    });
  });

  it('decrypts its resource with the key length it has (16 bytes: AES-128-GCM)', () => {
    const resource = (JSON.parse(body) as { resource: Record<string, string> }).resource;
    expect(
      decryptWechatResource(
        { ciphertext: resource.ciphertext, nonce: resource.nonce, associatedData: resource.associated_data },
        goNotify.apiv3_key,
      ),
    ).toBe(goNotify.expected_plaintext);
  });
});

// Both sides at once: the fake (libs/testing) is written apart from the adapter, so this proves the
// two speak one scheme, on the official vector where there is one.
describe('the adapter and FakeWechatPay agree', () => {
  const r = vectors.request_sign;
  const message = `${r.method}\n${r.url}\n${r.timestamp}\n${r.nonce_str}\n${r.body}\n`;

  it("the fake reads the adapter's Authorization and verifies it with the merchant's public key", () => {
    const header = wechatAuthorization({
      mchId: '1900007291',
      serialNo: '408B07E79B8269FEC3D5D3E6AB8ED163A6A380DB',
      privateKey: officialKey,
      method: r.method,
      pathAndQuery: r.url,
      body: r.body,
      timestamp: r.timestamp,
      nonce: r.nonce_str,
    });
    const fields = FakeWechatPay.readAuthorization(header);
    expect(fields).toEqual({
      mchid: '1900007291',
      nonce_str: r.nonce_str,
      signature: r.signature,
      timestamp: r.timestamp,
      serial_no: '408B07E79B8269FEC3D5D3E6AB8ED163A6A380DB',
    });
    const publicKey = FakeWechatPay.publicKeyOf(officialKey);
    expect(FakeWechatPay.verify(message, fields?.signature ?? '', publicKey)).toBe(true);
    expect(FakeWechatPay.verify(message.replace('1554208460', '1554208461'), r.signature, publicKey)).toBe(
      false,
    );
  });

  it("the fake's answer signature verifies with the adapter's verifier, and only over the same bytes", () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const body = '{"code_url":"weixin://wxpay/bizpayurl?pr=abc"}';
    const signature = FakeWechatPay.sign(`1722850421\nNONCE\n${body}\n`, privateKey);
    expect(
      verifyWechatSignature({ timestamp: '1722850421', nonce: 'NONCE', body }, signature, publicKey),
    ).toBe(true);
    expect(
      verifyWechatSignature(
        { timestamp: '1722850421', nonce: 'NONCE', body: `${body} ` },
        signature,
        publicKey,
      ),
    ).toBe(false);
  });

  it.each(vectors.aes_gcm.cases)("what the fake seals ('$plaintext') the adapter opens", (vector) => {
    const { key, nonce } = vectors.aes_gcm;
    const ciphertext = FakeWechatPay.seal(vector.plaintext, key, nonce, vector.aad);
    expect(decryptWechatResource({ ciphertext, nonce, associatedData: vector.aad }, key)).toBe(
      vector.plaintext,
    );
  });
});

describe('WeChat Pay numbers and times', () => {
  const orderId = '7c9e6679-7425-40de-944b-e07fc1f90ae7';

  it('derives out_trade_no from the order id: the uuid without dashes', () => {
    expect(wechatOutTradeNo(orderId)).toBe('7c9e6679742540de944be07fc1f90ae7');
  });

  it('derives out_refund_no from the step key, the same every time, within WeChat limits', () => {
    expect(wechatOutRefundNo(`${orderId}:refund:2`)).toBe('7c9e6679742540de944be07fc1f90ae7_refund_2');
    expect(wechatOutRefundNo(`${orderId}:late-refund`)).toBe('7c9e6679742540de944be07fc1f90ae7_late-refund');
    expect(wechatOutRefundNo(`${orderId}:refund:2`)).toBe(wechatOutRefundNo(`${orderId}:refund:2`));
    expect(wechatOutRefundNo(`${orderId}:refund:1`)).not.toBe(wechatOutRefundNo(`${orderId}:refund-1`));
    const other = wechatOutRefundNo('not a step key / with spaces');
    expect(other).toMatch(/^[0-9a-f]{64}$/);
    for (const no of [other, wechatOutRefundNo(`${orderId}:refund:2`)]) {
      expect(no).toMatch(/^[0-9A-Za-z_\-|*@]{1,64}$/);
    }
  });

  it('writes time_expire in RFC 3339 at +08:00', () => {
    expect(chinaTime(new Date('2024-05-31T16:30:00.000Z'))).toBe('2024-06-01T00:30:00+08:00');
  });
});
