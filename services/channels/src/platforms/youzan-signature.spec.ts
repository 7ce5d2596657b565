import { createHash } from 'node:crypto';
import { FakeYouzan, recordingReceiver, youzanTrade } from '@waybill/testing/parties';
import vector from './fixtures/signatures/youzan.json';
import { verifyYouzanPush, YOUZAN_ACKNOWLEDGEMENT, youzanSign } from './youzan-signature';

const CHECK = {
  clientId: vector.clientId,
  clientSecret: vector.clientSecret,
  kdtId: String(vector.push.kdt_id),
};

/** The spec's own md5, apart from the code under test. */
function md5(text: string): string {
  return createHash('md5').update(Buffer.from(text, 'utf8')).digest('hex');
}

function verify(push: object, check: Partial<typeof CHECK> = {}) {
  return verifyYouzanPush({ rawBody: Buffer.from(JSON.stringify(push)), ...CHECK, ...check });
}

function signed(overrides: Partial<typeof vector.push>) {
  const push = { ...vector.push, ...overrides };
  return { ...push, sign: md5(`${push.client_id}${push.msg}${vector.clientSecret}`) };
}

describe('verifyYouzanPush', () => {
  it('signs the still-encoded msg: the derived vector reproduces', () => {
    expect(vector.signedString).toBe(`${vector.clientId}${vector.push.msg}${vector.clientSecret}`);
    expect(youzanSign(vector.clientId, vector.push.msg, vector.clientSecret)).toBe(vector.push.sign);
    const decoded = decodeURIComponent(vector.push.msg.replace(/\+/g, ' '));
    expect(youzanSign(vector.clientId, decoded, vector.clientSecret)).not.toBe(vector.push.sign);
  });

  it('accepts the vector push, decoding msg after the sign holds', () => {
    expect(verify(vector.push)).toMatchObject({
      ok: true,
      eventType: 'TRADE_ORDER_STATE',
      tid: 'E20261204182005012345678',
      status: 'WAIT_SELLER_SEND_GOODS',
      message: { update_time: '2026-12-04 18:20:05', payment: '99.00', tid: 'E20261204182005012345678' },
    });
  });

  it('accepts an upper-case sign, and names a resend (sendCount) the same as the first push', () => {
    const first = verify(vector.push);
    const resent = verify({ ...vector.push, sendCount: 3, sign: vector.push.sign.toUpperCase() });
    expect(first.ok && resent.ok && first.externalId === resent.externalId).toBe(true);
    const later = verify(signed({ status: 'WAIT_BUYER_CONFIRM_GOODS' }));
    expect(later.ok && first.ok && later.externalId !== first.externalId).toBe(true);
  });

  it('refuses a changed msg, a wrong secret, another app and another shop', () => {
    expect(verify({ ...vector.push, msg: vector.push.msg.replace('99.00', '1.00') })).toMatchObject({
      rejection: 'SIGNATURE_MISMATCH',
    });
    expect(verify(vector.push, { clientSecret: 'other' })).toMatchObject({ rejection: 'SIGNATURE_MISMATCH' });
    expect(verify(vector.push, { clientId: 'another-app' })).toMatchObject({
      rejection: 'SIGNATURE_MISMATCH',
    });
    expect(verify(vector.push, { kdtId: '1' })).toMatchObject({ rejection: 'SIGNATURE_MISMATCH' });
  });

  it('tells a missing, a malformed sign and an unconfigured app apart', () => {
    const { sign: _sign, ...unsigned } = vector.push;
    expect(verify(unsigned)).toMatchObject({ rejection: 'SIGNATURE_MISSING' });
    expect(verify({ ...vector.push, sign: 'xyz' })).toMatchObject({ rejection: 'SIGNATURE_MALFORMED' });
    expect(verify(vector.push, { clientSecret: '' })).toMatchObject({ rejection: 'NOT_CONFIGURED' });
  });

  it('answers the test push and types it does not act on as ignored', () => {
    expect(verify(signed({ test: true }))).toMatchObject({ ok: true, ignored: true });
    expect(verify(signed({ type: 'ITEM_STATE' }))).toMatchObject({ ok: true, ignored: true });
    expect(verify(signed({ type: 'TRADE_ORDER_REFUND' }))).not.toHaveProperty('ignored');
  });

  it('refuses signed pushes that do not read', () => {
    expect(verifyYouzanPush({ rawBody: Buffer.from('not json'), ...CHECK })).toMatchObject({
      rejection: 'PAYLOAD_MALFORMED',
    });
    expect(verify(signed({ msg: '%7Bbroken' }))).toMatchObject({ rejection: 'PAYLOAD_MALFORMED' });
    expect(verify(signed({ msg: '%E0%A4%A' }))).toMatchObject({ rejection: 'PAYLOAD_MALFORMED' });
    expect(verify(signed({ id: '' }))).toMatchObject({ rejection: 'PAYLOAD_MALFORMED' });
  });

  it('answers what Youzan waits for', () => {
    expect(JSON.stringify(YOUZAN_ACKNOWLEDGEMENT)).toBe('{"code":0,"msg":"success"}');
  });
});

describe('verifyYouzanPush takes what FakeYouzan sends over HTTP', () => {
  it('accepts its pushes and resends, names them alike, and refuses a forged one', async () => {
    const youzan = await FakeYouzan.start({ clientId: vector.clientId, clientSecret: vector.clientSecret });
    const waybill = await recordingReceiver([500, 200], JSON.stringify(YOUZAN_ACKNOWLEDGEMENT));
    try {
      const trade = youzanTrade({ updatedAt: new Date('2026-12-04T10:20:05Z') });
      await youzan.push(trade, { to: waybill.url, retryUntilAcknowledged: 2 });
      await youzan.push(trade, { to: waybill.url, signWith: 'forged' });
      const verdicts = waybill.received.map((got) =>
        verifyYouzanPush({ rawBody: Buffer.from(got.body, 'utf8'), ...CHECK, kdtId: String(youzan.kdtId) }),
      );
      const [first, resent, forged] = verdicts;
      expect(first).toMatchObject({
        ok: true,
        tid: trade.tid,
        message: { update_time: '2026-12-04 18:20:05' },
      });
      expect(first?.ok && resent?.ok && first.externalId === resent.externalId).toBe(true);
      expect(forged).toMatchObject({ ok: false, rejection: 'SIGNATURE_MISMATCH' });
    } finally {
      await waybill.close();
      await youzan.stop();
    }
  });
});
