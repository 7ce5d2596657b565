import {
  isStandardWebhookSecret,
  parseSecretList,
  signStandardWebhook,
  verifyStandardWebhook,
} from './standard-webhooks';

// The published Standard Webhooks test vector: a receiver library anywhere must accept what we
// sign, and we must accept what it signs.
const VECTOR = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};
const AT_VECTOR_TIME = new Date(VECTOR.timestamp * 1000);
const OTHER_SECRET = `whsec_${Buffer.from('another key of some length').toString('base64')}`;

function vectorHeaders(signature = VECTOR.signature): Record<string, string> {
  return {
    'webhook-id': VECTOR.id,
    'webhook-timestamp': String(VECTOR.timestamp),
    'webhook-signature': signature,
  };
}

describe('signStandardWebhook', () => {
  it('reproduces the specification test vector', () => {
    const headers = signStandardWebhook({
      id: VECTOR.id,
      timestamp: VECTOR.timestamp,
      rawBody: VECTOR.body,
      secrets: [VECTOR.secret],
    });
    expect(headers).toEqual(vectorHeaders());
  });

  it('signs with every secret during rotation, space-separated', () => {
    const headers = signStandardWebhook({
      id: VECTOR.id,
      timestamp: VECTOR.timestamp,
      rawBody: VECTOR.body,
      secrets: [VECTOR.secret, OTHER_SECRET],
    });
    const parts = headers['webhook-signature'].split(' ');
    expect(parts).toHaveLength(2);
    expect(parts[0]).toBe(VECTOR.signature);
  });

  it('refuses a secret without the whsec_ prefix and an empty secret list', () => {
    expect(() => signStandardWebhook({ id: 'a', timestamp: 1, rawBody: '{}', secrets: ['plain'] })).toThrow(
      /whsec_/,
    );
    expect(() => signStandardWebhook({ id: 'a', timestamp: 1, rawBody: '{}', secrets: [] })).toThrow();
  });
});

describe('verifyStandardWebhook', () => {
  const verify = (
    headers: Record<string, string | undefined>,
    overrides: { secrets?: string[]; body?: string; now?: Date } = {},
  ) =>
    verifyStandardWebhook({
      rawBody: Buffer.from(overrides.body ?? VECTOR.body),
      headers,
      secrets: overrides.secrets ?? [VECTOR.secret],
      now: overrides.now ?? AT_VECTOR_TIME,
    });

  it('accepts the specification vector and returns the id and timestamp', () => {
    expect(verify(vectorHeaders())).toEqual({ ok: true, id: VECTOR.id, timestamp: VECTOR.timestamp });
  });

  it('accepts any matching signature among several, and any configured secret (rotation)', () => {
    expect(verify(vectorHeaders(`v1,bm9wZQ== ${VECTOR.signature}`)).ok).toBe(true);
    expect(verify(vectorHeaders(), { secrets: [OTHER_SECRET, VECTOR.secret] }).ok).toBe(true);
  });

  it('rejects a changed body, a wrong secret and a forged signature as a mismatch', () => {
    expect(verify(vectorHeaders(), { body: '{"test": 2432232315}' })).toMatchObject({
      ok: false,
      rejection: 'SIGNATURE_MISMATCH',
    });
    expect(verify(vectorHeaders(), { secrets: [OTHER_SECRET] })).toMatchObject({
      rejection: 'SIGNATURE_MISMATCH',
    });
    expect(verify(vectorHeaders('v1,bm9wZQ=='))).toMatchObject({ rejection: 'SIGNATURE_MISMATCH' });
  });

  it('rejects a signature over another message id (a replay under a new id)', () => {
    expect(verify({ ...vectorHeaders(), 'webhook-id': 'msg_other' })).toMatchObject({
      rejection: 'SIGNATURE_MISMATCH',
    });
  });

  it('rejects a correctly signed but stale or future message', () => {
    const sixMinutes = 6 * 60 * 1000;
    expect(verify(vectorHeaders(), { now: new Date(AT_VECTOR_TIME.getTime() + sixMinutes) })).toMatchObject({
      rejection: 'TIMESTAMP_OUT_OF_TOLERANCE',
    });
    expect(verify(vectorHeaders(), { now: new Date(AT_VECTOR_TIME.getTime() - sixMinutes) })).toMatchObject({
      rejection: 'TIMESTAMP_OUT_OF_TOLERANCE',
    });
    expect(verify(vectorHeaders(), { now: new Date(AT_VECTOR_TIME.getTime() + 4 * 60 * 1000) }).ok).toBe(
      true,
    );
  });

  it('names missing headers', () => {
    const result = verify({ 'webhook-id': VECTOR.id });
    expect(result).toMatchObject({ ok: false, rejection: 'SIGNATURE_MISSING' });
    expect(!result.ok && result.message).toMatch(/webhook-timestamp, webhook-signature/);
  });

  it('rejects malformed timestamps and signature lists', () => {
    expect(verify({ ...vectorHeaders(), 'webhook-timestamp': '1614265330000x' })).toMatchObject({
      rejection: 'SIGNATURE_MALFORMED',
    });
    expect(verify(vectorHeaders('v2,abc v1a,xyz'))).toMatchObject({ rejection: 'SIGNATURE_MALFORMED' });
  });

  it('is not configured without secrets', () => {
    expect(verify(vectorHeaders(), { secrets: [] })).toMatchObject({ rejection: 'NOT_CONFIGURED' });
  });

  it('reads header names case-insensitively and takes the first of repeated values', () => {
    const result = verifyStandardWebhook({
      rawBody: Buffer.from(VECTOR.body),
      headers: {
        'Webhook-Id': VECTOR.id,
        'WEBHOOK-TIMESTAMP': String(VECTOR.timestamp),
        'webhook-signature': [VECTOR.signature, 'v1,bm9wZQ=='],
      },
      secrets: [VECTOR.secret],
      now: AT_VECTOR_TIME,
    });
    expect(result.ok).toBe(true);
  });
});

describe('parseSecretList and isStandardWebhookSecret', () => {
  it('splits on commas and drops blanks, so a trailing comma adds no empty secret', () => {
    expect(parseSecretList(' a, b ,,')).toEqual(['a', 'b']);
    expect(parseSecretList(undefined)).toEqual([]);
  });

  it('recognises whsec_<base64> only', () => {
    expect(isStandardWebhookSecret(VECTOR.secret)).toBe(true);
    expect(isStandardWebhookSecret('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')).toBe(false);
    expect(isStandardWebhookSecret('whsec_not base64!')).toBe(false);
    expect(isStandardWebhookSecret('whsec_')).toBe(false);
  });
});
