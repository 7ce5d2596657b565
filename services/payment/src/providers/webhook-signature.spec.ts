import { createHmac } from 'node:crypto';
import { signWebhook, verifyWebhookSignature } from './webhook-signature';

const secret = 'whsec_test_current';
const oldSecret = 'whsec_test_previous';
const body = Buffer.from('{"id":"evt_1","type":"payment_intent.succeeded"}');
const now = new Date('2026-01-01T00:00:00Z');
const t = now.getTime() / 1000;

function stripeMac(key: string, timestamp: number, payload: Buffer | string): string {
  // Written out independently of signWebhook, as Stripe documents it.
  return createHmac('sha256', key).update(`${timestamp}.${payload.toString()}`).digest('hex');
}

function check(
  header: string | undefined,
  overrides: Partial<Parameters<typeof verifyWebhookSignature>[0]> = {},
) {
  return verifyWebhookSignature({
    header,
    headerName: 'Stripe-Signature',
    rawBody: body,
    secrets: [secret],
    toleranceSeconds: 300,
    now,
    ...overrides,
  });
}

describe('verifyWebhookSignature (Stripe scheme)', () => {
  it('accepts a valid signature', () => {
    expect(check(`t=${t},v1=${stripeMac(secret, t, body)}`)).toEqual({ ok: true });
    expect(signWebhook(body, secret, t)).toBe(`t=${t},v1=${stripeMac(secret, t, body)}`);
  });

  it('accepts any of several v1 signatures (the sender rotating its secret)', () => {
    const header = `t=${t},v1=${stripeMac('whsec_other', t, body)},v1=${stripeMac(secret, t, body)},v0=deadbeef`;
    expect(check(header)).toEqual({ ok: true });
  });

  it('accepts a signature by any configured secret (us rotating ours)', () => {
    const header = `t=${t},v1=${stripeMac(oldSecret, t, body)}`;
    expect(check(header, { secrets: [secret, oldSecret] })).toEqual({ ok: true });
    expect(check(header)).toMatchObject({ ok: false, rejection: 'SIGNATURE_MISMATCH' });
  });

  it('accepts upper-case hex', () => {
    expect(check(`t=${t},v1=${stripeMac(secret, t, body).toUpperCase()}`)).toEqual({ ok: true });
  });

  it('rejects a stale or future timestamp beyond the tolerance, even when correctly signed', () => {
    const stale = t - 301;
    expect(check(`t=${stale},v1=${stripeMac(secret, stale, body)}`)).toMatchObject({
      ok: false,
      rejection: 'TIMESTAMP_OUT_OF_TOLERANCE',
    });
    const future = t + 301;
    expect(check(`t=${future},v1=${stripeMac(secret, future, body)}`)).toMatchObject({
      rejection: 'TIMESTAMP_OUT_OF_TOLERANCE',
    });
    const edge = t - 300;
    expect(check(`t=${edge},v1=${stripeMac(secret, edge, body)}`)).toEqual({ ok: true });
  });

  it('rejects a tampered body', () => {
    const header = `t=${t},v1=${stripeMac(secret, t, body)}`;
    const tampered = Buffer.from(body.toString().replace('succeeded', 'canceled'));
    expect(check(header, { rawBody: tampered })).toMatchObject({
      ok: false,
      rejection: 'SIGNATURE_MISMATCH',
    });
  });

  it('rejects a timestamp that was changed after signing', () => {
    const header = `t=${t + 1},v1=${stripeMac(secret, t, body)}`;
    expect(check(header)).toMatchObject({ ok: false, rejection: 'SIGNATURE_MISMATCH' });
  });

  it('tells a missing header from a malformed one', () => {
    expect(check(undefined)).toMatchObject({ ok: false, rejection: 'SIGNATURE_MISSING' });
    expect(check('  ')).toMatchObject({ ok: false, rejection: 'SIGNATURE_MISSING' });
    for (const malformed of [
      'garbage',
      `v1=${stripeMac(secret, t, body)}`,
      `t=${t}`,
      `t=${t},v1=not-hex`,
      `t=abc,v1=${stripeMac(secret, t, body)}`,
      `t=${t},v0=${stripeMac(secret, t, body)}`,
    ]) {
      expect(check(malformed)).toMatchObject({ ok: false, rejection: 'SIGNATURE_MALFORMED' });
    }
  });

  it('refuses everything when no secret is configured', () => {
    expect(check(`t=${t},v1=${stripeMac('', t, body)}`, { secrets: [] })).toMatchObject({
      ok: false,
      rejection: 'NOT_CONFIGURED',
    });
  });
});
