import { createHmac } from 'node:crypto';
import { hmacSha256, safeEqual, verifyTimestampTolerance } from './hmac';

describe('hmacSha256', () => {
  it('matches the RFC 4231 test case 2', () => {
    expect(hmacSha256('Jefe', 'what do ya want for nothing?').toString('hex')).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
  });

  it('accepts Buffers and strings alike', () => {
    expect(hmacSha256(Buffer.from('s'), Buffer.from('p'))).toEqual(
      createHmac('sha256', 's').update('p').digest(),
    );
  });
});

describe('safeEqual', () => {
  const signature = hmacSha256('secret', '{"id":1}');

  it('is true for equal bytes, whether Buffer or string', () => {
    expect(safeEqual(signature, Buffer.from(signature))).toBe(true);
    expect(safeEqual('abc', Buffer.from('abc'))).toBe(true);
    expect(safeEqual('', '')).toBe(true);
  });

  it('is false for a one-bit difference', () => {
    const flipped = Buffer.from(signature);
    flipped[31] = flipped[31] ^ 1;
    expect(safeEqual(signature, flipped)).toBe(false);
  });

  it('is false, without throwing, for different lengths', () => {
    expect(safeEqual(signature, signature.subarray(0, 16))).toBe(false);
    expect(safeEqual('abc', 'abcd')).toBe(false);
    expect(safeEqual('', 'a')).toBe(false);
  });

  it('compares bytes, so hex case matters (decode first)', () => {
    expect(safeEqual('ABCD', 'abcd')).toBe(false);
  });
});

describe('verifyTimestampTolerance', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  const nowSeconds = now.getTime() / 1000;

  it('accepts timestamps within the tolerance in either direction, inclusive', () => {
    expect(verifyTimestampTolerance(nowSeconds, 300, now)).toBe(true);
    expect(verifyTimestampTolerance(nowSeconds - 300, 300, now)).toBe(true);
    expect(verifyTimestampTolerance(nowSeconds + 300, 300, now)).toBe(true);
    expect(verifyTimestampTolerance(String(nowSeconds - 10), 300, now)).toBe(true);
  });

  it('rejects timestamps outside it', () => {
    expect(verifyTimestampTolerance(nowSeconds - 301, 300, now)).toBe(false);
    expect(verifyTimestampTolerance(nowSeconds + 301, 300, now)).toBe(false);
  });

  it('rejects anything that is not whole unix seconds', () => {
    for (const bad of [
      NaN,
      Infinity,
      -1,
      nowSeconds + 0.5,
      nowSeconds * 1000,
      '',
      ' ',
      '12abc',
      '1e9',
      '-5',
      String(nowSeconds * 1000),
    ]) {
      expect(verifyTimestampTolerance(bad, 300, now)).toBe(false);
    }
  });

  it('rejects a negative or non-finite tolerance as a programming error', () => {
    expect(() => verifyTimestampTolerance(nowSeconds, -1, now)).toThrow(RangeError);
    expect(() => verifyTimestampTolerance(nowSeconds, NaN, now)).toThrow(RangeError);
  });

  it('with zero tolerance accepts only the same second', () => {
    expect(verifyTimestampTolerance(nowSeconds, 0, now)).toBe(true);
    expect(verifyTimestampTolerance(nowSeconds - 1, 0, now)).toBe(false);
  });
});
