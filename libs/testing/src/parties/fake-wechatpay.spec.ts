import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FakeWechatPay } from './fake-wechatpay';

const FIXTURES = join(__dirname, '../../../../services/payment/src/providers/fixtures/wechatpay');
const officialKey = readFileSync(join(FIXTURES, 'official_test_merchant_private_key.pem'), 'utf8');
const vectors = JSON.parse(readFileSync(join(FIXTURES, 'vectors.json'), 'utf8')) as {
  request_sign: Record<'method' | 'url' | 'timestamp' | 'nonce_str' | 'body' | 'signature', string>;
  aes_gcm: { key: string; nonce: string; cases: { plaintext: string; aad: string; ciphertext: string }[] };
};

/*
 * The fake's own WeChat scheme pinned to the published vectors, as wechatpay.vectors.spec.ts pins the
 * adapter's: both written separately, both held to the same data. (The spec that holds both sides at
 * once, fake signer against adapter verifier, lives in services/payment, since libs may not import a
 * service, specs included: wechatpay.vectors.spec.ts, "the adapter and FakeWechatPay agree".)
 */
describe("FakeWechatPay's scheme on the official vectors", () => {
  const r = vectors.request_sign;
  const message = `${r.method}\n${r.url}\n${r.timestamp}\n${r.nonce_str}\n${r.body}\n`;

  it("the fake's signer gives the published signature", () => {
    expect(FakeWechatPay.sign(message, officialKey)).toBe(r.signature);
  });

  it('the fake verifies the official signature with the public half of the official key', () => {
    const publicKey = FakeWechatPay.publicKeyOf(officialKey);
    expect(FakeWechatPay.verify(message, r.signature, publicKey)).toBe(true);
    expect(FakeWechatPay.verify(message.replace('1554208460', '1554208461'), r.signature, publicKey)).toBe(
      false,
    );
  });

  it('the fake reads the five fields in any order, and nothing else', () => {
    const reordered = `WECHATPAY2-SHA256-RSA2048 serial_no="S",timestamp="1",signature="x",nonce_str="N",mchid="1"`;
    expect(FakeWechatPay.readAuthorization(reordered)).toMatchObject({ mchid: '1', serial_no: 'S' });
    expect(
      FakeWechatPay.readAuthorization('WECHATPAY2-SHA256-RSA2048 mchid="1",nonce_str="N"'),
    ).toBeUndefined();
    expect(FakeWechatPay.readAuthorization(`Bearer ${reordered}`)).toBeUndefined();
  });

  it.each(vectors.aes_gcm.cases)("the fake seals '$plaintext' as published", (vector) => {
    const { key, nonce } = vectors.aes_gcm;
    expect(FakeWechatPay.seal(vector.plaintext, key, nonce, vector.aad)).toBe(vector.ciphertext);
  });
});
