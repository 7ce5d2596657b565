import { readFileSync } from 'node:fs';
import path from 'node:path';
import { base64Md5 } from './md5-signing';
import {
  javaUrlEncode,
  SF_STATUS_TABLE,
  sfMsgDigest,
  sfNewWaybillNumber,
  sfRouteStatus,
} from './sf.protocol';
import { parseShanghaiTime } from './shanghai-time';

const fixture = <T>(name: string): T =>
  JSON.parse(readFileSync(path.join(__dirname, 'fixtures', 'sf', name), 'utf8')) as T;

interface Vector {
  msgData?: string;
  input?: string;
  timestamp: string;
  checkWord: string;
  urlencoded?: string;
  msgDigest: string;
}
const vectors = fixture<Record<string, Vector>>('signature-vectors.json');

interface RoutePush {
  Body: { WaybillRoute: { opCode: string; acceptTime: string; mailno: string; remark: string }[] };
}
const routes = fixture<{ pushes: RoutePush[] }>('route-push-sandbox.json').pushes.flatMap(
  (push) => push.Body.WaybillRoute,
);

describe('SF msgDigest', () => {
  it('reproduces the official 丰桥 vector, through the same URL-encoded string', () => {
    const { msgData, timestamp, checkWord, urlencoded, msgDigest } = vectors.sf_msgDigest_standard_md5;
    expect(javaUrlEncode(msgData! + timestamp + checkWord)).toBe(urlencoded);
    expect(sfMsgDigest(msgData!, timestamp, checkWord)).toBe(msgDigest);
    expect(msgDigest).toBe('IIKJtuLVzoFTu4kHI8M8vA==');
  });

  it('encodes like Java’s URLEncoder where other encoders differ (space, *, ~, +, non-ASCII)', () => {
    const { input, timestamp, checkWord, urlencoded, msgDigest } = vectors.sf_msgDigest_java_urlencoder_edge;
    expect(javaUrlEncode(input! + timestamp + checkWord)).toBe(urlencoded);
    expect(sfMsgDigest(input!, timestamp, checkWord)).toBe(msgDigest);
  });

  it("reproduces the address vector that encodeURIComponent gets wrong (' ( ) ! ~ and a space)", () => {
    const { msgData, timestamp, checkWord, msgDigest } = vectors.sf_msgDigest_java_urlencoder_edge2;
    expect(sfMsgDigest(msgData!, timestamp, checkWord)).toBe(msgDigest);
    expect(base64Md5(encodeURIComponent(msgData! + timestamp + checkWord))).not.toBe(msgDigest);
  });

  it('leaves exactly A-Z a-z 0-9 . - * _ alone among the printable ASCII characters', () => {
    const printable = Array.from({ length: 95 }, (_, i) => String.fromCharCode(0x20 + i));
    const kept = printable.filter((char) => javaUrlEncode(char) === char).join('');
    expect(kept).toBe('*-.0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz');
    expect(javaUrlEncode(" !'()~%+&=\n")).toBe('+%21%27%28%29%7E%25%2B%26%3D%0A');
  });

  it('writes UTF-8 bytes in upper-case hex, and a lone surrogate as ? like Java', () => {
    expect(javaUrlEncode('顺丰😀')).toBe('%E9%A1%BA%E4%B8%B0%F0%9F%98%80');
    expect(javaUrlEncode('a\uD800b\uDC00')).toBe('a%3Fb%3F');
  });

  it('changes with the check word, the timestamp and the message', () => {
    const { msgData, timestamp, checkWord, msgDigest } = vectors.sf_msgDigest_standard_md5;
    expect(sfMsgDigest(msgData!, timestamp, `${checkWord}x`)).not.toBe(msgDigest);
    expect(sfMsgDigest(msgData!, `${timestamp}0`, checkWord)).not.toBe(msgDigest);
    expect(sfMsgDigest(msgData!.replace('zh-CN', 'en'), timestamp, checkWord)).not.toBe(msgDigest);
  });
});

describe('SF route opCodes', () => {
  it('maps every opCode of the sandbox route pushes, ending delivered', () => {
    expect(routes.map((route) => [route.opCode, sfRouteStatus(route.opCode)])).toEqual([
      ['50', { status: 'in_transit', mapped: true }],
      ['30', { status: 'in_transit', mapped: true }],
      ['31', { status: 'in_transit', mapped: true }],
      ['44', { status: 'in_transit', mapped: true }],
      ['80', { status: 'delivered', mapped: true }],
    ]);
  });

  it.each([
    [['50', '54', '607', '30', '31', '36', '44'], 'in_transit'],
    [['204'], 'out_for_delivery'],
    [['80', '8000'], 'delivered'],
    [['33', '648'], 'exception'],
    [['70'], 'delivery_attempt_failed'],
    [['631'], 'returned'],
  ])('maps %j to %s', (codes, status) => {
    for (const code of codes) {
      expect(sfRouteStatus(code)).toEqual({ status, mapped: true });
    }
  });

  it('reports an unknown or missing opCode as unknown and unmapped, never a guess', () => {
    expect(sfRouteStatus('9999')).toEqual({ status: 'unknown', mapped: false });
    expect(sfRouteStatus(undefined)).toEqual({ status: 'unknown', mapped: false });
  });

  it('lists each opCode once', () => {
    const codes = SF_STATUS_TABLE.map((row) => row.carrierStatus);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('reads the new waybill number of a return or forward from its remark', () => {
    expect(sfNewWaybillNumber('快件已退回/转寄，新单号为: SF1234567890123')).toBe('SF1234567890123');
    expect(sfNewWaybillNumber('快件已退回，新单号：SF7444496931332')).toBe('SF7444496931332');
    expect(sfNewWaybillNumber(routes[4].remark)).toBeUndefined();
    expect(sfNewWaybillNumber(undefined)).toBeUndefined();
  });

  it('reads every acceptTime of the sandbox pushes as Shanghai time', () => {
    expect(routes.map((route) => parseShanghaiTime(route.acceptTime).toISOString())).toEqual([
      '2025-05-26T01:55:52.000Z',
      '2025-05-26T01:56:14.000Z',
      '2025-05-26T01:56:25.000Z',
      '2025-05-26T01:56:35.000Z',
      '2025-05-26T01:56:46.000Z',
    ]);
  });
});
