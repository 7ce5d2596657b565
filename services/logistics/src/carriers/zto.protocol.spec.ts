import { readFileSync } from 'node:fs';
import path from 'node:path';
import { decideTracking, ShipmentState } from '../domain/shipment';
import { parseShanghaiTime } from './shanghai-time';
import { verifyZtoDataDigest, ZTO_STATUS_TABLE, ztoDataDigest, ztoTrackStatus } from './zto.protocol';

interface Push {
  seq: number;
  action: string;
  actionTime: string;
  form: { data: string; data_digest: string; company_id: string; msg_type: string };
}
const sandbox = JSON.parse(
  readFileSync(path.join(__dirname, 'fixtures', 'zto', 'track-push-sandbox.json'), 'utf8'),
) as { appKey: string; appSecret: string; billCode: string; pushes: Push[] };
const { appSecret, pushes } = sandbox;
const dataOf = (push: Push) => JSON.parse(push.form.data) as { action: string; actionTime: string };

describe('ZTO data digest', () => {
  it('reproduces and verifies the digest of all 13 real sandbox pushes', () => {
    expect(pushes).toHaveLength(13);
    for (const push of pushes) {
      expect(ztoDataDigest(push.form.data, appSecret)).toBe(push.form.data_digest);
      expect(verifyZtoDataDigest(push.form.data, push.form.data_digest, appSecret)).toBe(true);
    }
  });

  it('refuses a tampered body, another secret, and a re-serialised body', () => {
    const [push] = pushes;
    const tampered = push.form.data.replace('DEPARTURE_SIGNED', 'SIGNED');
    expect(verifyZtoDataDigest(tampered, push.form.data_digest, appSecret)).toBe(false);
    expect(verifyZtoDataDigest(push.form.data, push.form.data_digest, `${appSecret}0`)).toBe(false);
    const reserialised = JSON.stringify(JSON.parse(push.form.data), null, 1);
    expect(verifyZtoDataDigest(reserialised, push.form.data_digest, appSecret)).toBe(false);
    expect(verifyZtoDataDigest(push.form.data, pushes[1].form.data_digest, appSecret)).toBe(false);
  });

  it('refuses a missing, empty, short or overlong digest without throwing, and an empty secret', () => {
    const { data, data_digest: digest } = pushes[0].form;
    for (const given of [undefined, '', digest.slice(0, 10), `${digest}${digest}`, 'not base64 at all!']) {
      expect(() => verifyZtoDataDigest(data, given, appSecret)).not.toThrow();
      expect(verifyZtoDataDigest(data, given, appSecret)).toBe(false);
    }
    expect(verifyZtoDataDigest(data, ztoDataDigest(data, ''), '')).toBe(false);
  });

  it('signs a request body the same way (x-datadigest = Base64(MD5(body + appSecret)))', () => {
    const body = '{"billCode":"73100196611386","mobilePhone":"5514"}';
    expect(ztoDataDigest(body, appSecret)).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    expect(ztoDataDigest(body, appSecret)).not.toBe(ztoDataDigest(body, 'another-secret'));
  });
});

describe('ZTO actions', () => {
  it('maps the action of every sandbox push', () => {
    for (const push of pushes) {
      expect(dataOf(push).action).toBe(push.action);
      expect(ztoTrackStatus(push.action).mapped).toBe(true);
    }
  });

  it('ends delivered, whether the last push received or the latest event is taken', () => {
    expect(ztoTrackStatus(pushes[pushes.length - 1].action)).toEqual({ status: 'delivered', mapped: true });
    const latest = [...pushes].sort(
      (a, b) => parseShanghaiTime(b.actionTime).getTime() - parseShanghaiTime(a.actionTime).getTime(),
    )[0];
    expect(latest.action).toBe('SIGNED');
    expect(ztoTrackStatus(latest.action).status).toBe('delivered');
  });

  it('brings a shipment to delivered through the 13 pushes in their out-of-order arrival, never back', () => {
    let state: ShipmentState = { status: 'label_created', statusOccurredAt: '2025-05-22T07:00:00.000Z' };
    const seen: string[] = [];
    for (const push of pushes) {
      const { status, mapped } = ztoTrackStatus(push.action);
      const occurredAt = parseShanghaiTime(push.actionTime, 'actionTime').toISOString();
      const update = {
        trackingNumber: sandbox.billCode,
        carrierStatus: push.action,
        status,
        mapped,
        occurredAt,
      };
      const decision = decideTracking(state, update);
      if (decision.kind === 'applied') {
        state = { status: decision.status, statusOccurredAt: occurredAt };
      }
      seen.push(state.status);
    }
    expect(seen[0]).toBe('delivered');
    expect(new Set(seen)).toEqual(new Set(['delivered']));
  });

  it.each([
    [['GOT', 'DEPARTURE', 'ARRIVAL'], 'in_transit'],
    [['DISPATCH'], 'out_for_delivery'],
    [['INBOUND'], 'available_for_pickup'],
    [['SIGNED', 'HANDOVERSCAN_SIGNED', 'DEPARTURE_SIGNED'], 'delivered'],
    [['PROBLEM'], 'exception'],
    [['RETURN_SCAN', 'RETURN_SIGNED'], 'returned'],
  ])('maps %j to %s', (actions, status) => {
    for (const action of actions) {
      expect(ztoTrackStatus(action)).toEqual({ status, mapped: true });
    }
  });

  it('reports an unknown action as unknown and unmapped, and lists each action once', () => {
    expect(ztoTrackStatus('收件')).toEqual({ status: 'unknown', mapped: false });
    expect(ztoTrackStatus(undefined)).toEqual({ status: 'unknown', mapped: false });
    const actions = ZTO_STATUS_TABLE.map((row) => row.carrierStatus);
    expect(new Set(actions).size).toBe(actions.length);
  });

  it('reads every actionTime as Shanghai time', () => {
    const got = pushes.find((push) => push.seq === 9)!;
    expect(parseShanghaiTime(dataOf(got).actionTime).toISOString()).toBe('2025-05-22T07:06:35.000Z');
    for (const push of pushes) {
      expect(parseShanghaiTime(dataOf(push).actionTime).toISOString()).toMatch(
        /^2025-05-22T07:0\d:\d\d\.000Z$/,
      );
    }
  });
});
