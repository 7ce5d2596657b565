import {
  canonicalJson,
  isValidIdempotencyKey,
  judgeHeldKey,
  MAX_IDEMPOTENCY_KEY_LENGTH,
  requestFingerprint,
} from './idempotency-key';

describe('idempotency keys', () => {
  it.each([
    ['a', true],
    ['order-123_ABC:2025', true],
    ['with spaces ~!', true],
    ['x'.repeat(MAX_IDEMPOTENCY_KEY_LENGTH), true],
    ['', false],
    ['x'.repeat(MAX_IDEMPOTENCY_KEY_LENGTH + 1), false],
    ['tab\there', false],
    ['newline\n', false],
    ['ümlaut', false],
  ])('%j valid: %s', (key, valid) => {
    expect(isValidIdempotencyKey(key)).toBe(valid);
  });

  it('fingerprints ignore key order and whitespace but not values or array order', () => {
    const a = { b: 1, a: { d: [1, 2], c: 'x' } };
    const reordered = JSON.parse('{ "a": { "c": "x", "d": [1, 2] }, "b": 1 }');
    expect(canonicalJson(a)).toBe('{"a":{"c":"x","d":[1,2]},"b":1}');
    expect(requestFingerprint(reordered)).toBe(requestFingerprint(a));
    expect(requestFingerprint({ ...a, b: 2 })).not.toBe(requestFingerprint(a));
    expect(requestFingerprint({ ...a, a: { d: [2, 1], c: 'x' } })).not.toBe(requestFingerprint(a));
    expect(requestFingerprint({ ...a, extra: undefined })).toBe(requestFingerprint(a));
  });

  it('a held key is replayed for the same body, refused for another, and busy while in flight', () => {
    expect(judgeHeldKey({ requestHash: 'h1', state: 'completed' }, 'h1')).toBe('replay');
    expect(judgeHeldKey({ requestHash: 'h1', state: 'in_flight' }, 'h1')).toBe('in-progress');
    expect(judgeHeldKey({ requestHash: 'h1', state: 'completed' }, 'h2')).toBe('key-reused');
    expect(judgeHeldKey({ requestHash: 'h1', state: 'in_flight' }, 'h2')).toBe('key-reused');
  });
});
