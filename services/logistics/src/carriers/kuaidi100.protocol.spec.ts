import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  KUAIDI100_STATUS_TABLE,
  kuaidi100PushSign,
  kuaidi100QuerySign,
  kuaidi100Status,
  verifyKuaidi100PushSign,
} from './kuaidi100.protocol';
import { base64Md5 } from './md5-signing';
import { parseShanghaiTime } from './shanghai-time';

const fixture = <T>(name: string): T =>
  JSON.parse(readFileSync(path.join(__dirname, 'fixtures', 'kuaidi100', name), 'utf8')) as T;

const vectors = fixture<{
  kuaidi100_push_sign_derived: { param: string; salt: string; sign: string };
  kuaidi100_query_sign_derived: { param: string; key: string; customer: string; sign: string };
  yto_sign_open_platform: { toSign: string; secret: string; sign: string };
}>('signature-vectors.json');

interface Param {
  lastResult: { state: string; nu: string; data: { time: string; ftime: string; statusCode?: string }[] };
}
const examples = fixture<{
  param_basic: Param;
  param_out_for_delivery_sf: Param;
  param_resultv2_node_example: { ftime: string; statusCode: string };
}>('push-examples.json');

describe('Kuaidi100 signs', () => {
  const { param, salt, sign } = vectors.kuaidi100_push_sign_derived;

  it('reproduces the push vector and verifies it', () => {
    expect(kuaidi100PushSign(param, salt)).toBe(sign);
    expect(verifyKuaidi100PushSign(param, sign, salt)).toBe(true);
    expect(verifyKuaidi100PushSign(param, sign.toLowerCase(), salt)).toBe(true);
  });

  it('signs the push example exactly as it is published', () => {
    expect(param).toBe(JSON.stringify(examples.param_basic));
  });

  it('refuses a tampered param, another salt and a sign of another push', () => {
    expect(verifyKuaidi100PushSign(param.replace('"state":"0"', '"state":"3"'), sign, salt)).toBe(false);
    expect(verifyKuaidi100PushSign(param, sign, `${salt}x`)).toBe(false);
    const other = JSON.stringify(examples.param_out_for_delivery_sf);
    expect(verifyKuaidi100PushSign(param, kuaidi100PushSign(other, salt), salt)).toBe(false);
  });

  it('refuses a missing, empty, short or overlong sign without throwing, and an empty salt', () => {
    for (const given of [undefined, '', sign.slice(0, 31), `${sign}00`, 'ZZ']) {
      expect(() => verifyKuaidi100PushSign(param, given, salt)).not.toThrow();
      expect(verifyKuaidi100PushSign(param, given, salt)).toBe(false);
    }
    expect(verifyKuaidi100PushSign(param, kuaidi100PushSign(param, ''), '')).toBe(false);
  });

  it('reproduces the instant-query vector (UPPER(MD5(param + key + customer)))', () => {
    const query = vectors.kuaidi100_query_sign_derived;
    expect(kuaidi100QuerySign(query.param, query.key, query.customer)).toBe(query.sign);
    expect(kuaidi100QuerySign(query.param, query.customer, query.key)).not.toBe(query.sign);
  });

  it('shares its MD5 with YTO’s official Base64(raw MD5) vector (YTO is tracked through Kuaidi100)', () => {
    const yto = vectors.yto_sign_open_platform;
    expect(base64Md5(yto.toSign + yto.secret)).toBe(yto.sign);
  });
});

describe('Kuaidi100 states', () => {
  it('maps the states and sub-states of the published pushes', () => {
    expect(kuaidi100Status(examples.param_basic.lastResult.state)).toEqual({
      status: 'in_transit',
      mapped: true,
    });
    expect(kuaidi100Status(examples.param_out_for_delivery_sf.lastResult.state)).toEqual({
      status: 'out_for_delivery',
      mapped: true,
    });
    expect(kuaidi100Status('0', examples.param_resultv2_node_example.statusCode)).toEqual({
      status: 'in_transit',
      mapped: true,
    });
  });

  it.each([
    ['0', 'in_transit'],
    ['1', 'in_transit'],
    ['2', 'exception'],
    ['3', 'delivered'],
    ['4', 'returned'],
    ['5', 'out_for_delivery'],
    ['6', 'returned'],
    ['7', 'in_transit'],
    ['8', 'in_transit'],
    ['14', 'exception'],
  ])('maps state %s to %s', (state, status) => {
    expect(kuaidi100Status(state)).toEqual({ status, mapped: true });
  });

  it('prefers a known sub-state to its state, and falls back to the state for an unknown one', () => {
    expect(kuaidi100Status('5', '501')).toEqual({ status: 'available_for_pickup', mapped: true });
    expect(kuaidi100Status('1', '101')).toEqual({ status: 'label_created', mapped: true });
    expect(kuaidi100Status('3', '304')).toEqual({ status: 'delivered', mapped: true });
    expect(kuaidi100Status('8', '13')).toEqual({ status: 'exception', mapped: true });
    expect(kuaidi100Status('4', '401')).toEqual({ status: 'cancelled', mapped: true });
    expect(kuaidi100Status('0', '9999')).toEqual({ status: 'in_transit', mapped: true });
  });

  it('reports an unknown state as unknown and unmapped, and lists each code once', () => {
    expect(kuaidi100Status('99')).toEqual({ status: 'unknown', mapped: false });
    expect(kuaidi100Status(undefined, undefined)).toEqual({ status: 'unknown', mapped: false });
    const codes = KUAIDI100_STATUS_TABLE.map((row) => row.carrierStatus);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('reads every node time of the published pushes as Shanghai time', () => {
    const nodes = [
      ...examples.param_basic.lastResult.data,
      ...examples.param_out_for_delivery_sf.lastResult.data,
    ];
    expect(nodes.map((node) => parseShanghaiTime(node.ftime).toISOString())).toEqual([
      '2012-08-28T08:33:19.000Z',
      '2012-08-27T15:22:42.000Z',
      '2015-12-30T02:31:47.000Z',
      '2015-12-30T02:04:14.000Z',
    ]);
    for (const node of nodes) {
      expect(parseShanghaiTime(node.time).getTime()).toBe(parseShanghaiTime(node.ftime).getTime());
    }
    expect(parseShanghaiTime(examples.param_resultv2_node_example.ftime).toISOString()).toBe(
      '2021-12-15T12:15:14.000Z',
    );
  });
});
