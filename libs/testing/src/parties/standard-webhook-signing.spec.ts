import { signStandardWebhook, verifyStandardWebhook } from '@waybill/platform';
import { standardWebhookHeaders, standardWebhookVerifies } from './standard-webhook-signing';

// The fakes' hand-written Standard Webhooks and Waybill's (libs/platform, on the standardwebhooks
// package) are two implementations on purpose; this proves they speak the same scheme.
const VECTOR = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};
const AT = new Date(VECTOR.timestamp * 1000);
const SECRET = `whsec_${Buffer.from('a supplier and Waybill share this').toString('base64')}`;

describe('the fakes’ Standard Webhooks agree with Waybill’s', () => {
  it('both reproduce the specification test vector', () => {
    const party = standardWebhookHeaders({
      id: VECTOR.id,
      timestamp: VECTOR.timestamp,
      rawBody: VECTOR.body,
      secret: VECTOR.secret,
    });
    const waybill = signStandardWebhook({
      id: VECTOR.id,
      timestamp: VECTOR.timestamp,
      rawBody: VECTOR.body,
      secrets: [VECTOR.secret],
    });
    expect(party['webhook-signature']).toBe(VECTOR.signature);
    expect(waybill).toEqual(party);
  });

  it('Waybill verifies what a fake party signs', () => {
    const rawBody = Buffer.from('{"poNumber":"PO-1","lines":[{"sku":"A","quantity":2}]}');
    const now = new Date();
    const headers = standardWebhookHeaders({
      id: 'msg_1',
      timestamp: now.getTime() / 1000,
      rawBody,
      secret: SECRET,
    });
    expect(verifyStandardWebhook({ rawBody, headers, secrets: [SECRET], now })).toEqual({
      ok: true,
      id: 'msg_1',
      timestamp: Math.floor(now.getTime() / 1000),
    });
    expect(
      verifyStandardWebhook({
        rawBody: Buffer.from(`${rawBody.toString()} `),
        headers,
        secrets: [SECRET],
        now,
      }),
    ).toMatchObject({ ok: false, rejection: 'SIGNATURE_MISMATCH' });
  });

  it('a fake party verifies what Waybill signs, and refuses it tampered, re-addressed or stale', () => {
    const rawBody = Buffer.from('{"poNumber":"PO-2"}');
    const now = new Date();
    const headers = signStandardWebhook({
      id: 'PO-2',
      timestamp: now.getTime() / 1000,
      rawBody,
      secrets: [SECRET],
    });
    expect(standardWebhookVerifies(rawBody, headers, SECRET, now)).toBe(true);
    expect(standardWebhookVerifies(Buffer.from('{"poNumber":"PO-3"}'), headers, SECRET, now)).toBe(false);
    expect(standardWebhookVerifies(rawBody, { ...headers, 'webhook-id': 'PO-3' }, SECRET, now)).toBe(false);
    expect(standardWebhookVerifies(rawBody, headers, SECRET, new Date(now.getTime() + 6 * 60 * 1000))).toBe(
      false,
    );
  });

  it('a fake party accepts any of the signatures Waybill sends while rotating its secrets', () => {
    const rawBody = Buffer.from('{}');
    const headers = signStandardWebhook({
      id: 'PO-4',
      timestamp: VECTOR.timestamp,
      rawBody,
      secrets: [VECTOR.secret, SECRET],
    });
    expect(standardWebhookVerifies(rawBody, headers, SECRET, AT)).toBe(true);
    expect(standardWebhookVerifies(rawBody, headers, VECTOR.secret, AT)).toBe(true);
  });
});
