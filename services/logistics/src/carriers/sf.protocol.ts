/**
 * SF Express (丰桥 open platform) primitives, hand-written: no maintained library computes SF's
 * msgDigest (SF's own SDKs are copy-in samples), and the scheme is one MD5 over a Java-URL-encoded
 * string. Built from the documented format (carriers-cn notes §1.3, §1.6, §1.8), not from SF's code.
 * The `sf` carrier (sf.carrier.ts) signs every form POST (`partnerID`, `requestID`, `serviceCode`,
 * `timestamp`, `msgData`, `msgDigest`) with sfMsgDigest, and reads route pushes with
 * sfRouteStatus. Route pushes carry NO signature: it authenticates them by the path token
 * (LOGISTICS_SF_PUSH_TOKEN, compared with `safeEqual` from @waybill/platform), not here.
 */
import { CarrierStatusMatch, mapCarrierStatus, StatusMapping } from '../domain/tracking-update';
import { base64Md5 } from './md5-signing';

/**
 * `java.net.URLEncoder.encode(text, "UTF-8")`, byte for byte, which SF's gateway hashes:
 * `A-Z a-z 0-9 . - * _` stay, a space becomes `+`, every other UTF-8 byte becomes `%XX` in upper
 * case. encodeURIComponent differs (leaves `! ' ( ) ~`, writes a space as `%20`), and so does
 * Python's quote_plus (leaves `~`, encodes `*`): either gives SF's A1006 on real addresses. A lone
 * surrogate becomes `?` (%3F), as Java's String.getBytes replaces it.
 */
export function javaUrlEncode(text: string): string {
  let encoded = '';
  for (const byte of Buffer.from(replaceLoneSurrogates(text), 'utf8')) {
    if (isJavaUnreserved(byte)) {
      encoded += String.fromCharCode(byte);
    } else if (byte === 0x20) {
      encoded += '+';
    } else {
      encoded += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    }
  }
  return encoded;
}

function isJavaUnreserved(byte: number): boolean {
  return (
    (byte >= 0x30 && byte <= 0x39) || // 0-9
    (byte >= 0x41 && byte <= 0x5a) || // A-Z
    (byte >= 0x61 && byte <= 0x7a) || // a-z
    byte === 0x2e || // .
    byte === 0x2d || // -
    byte === 0x2a || // *
    byte === 0x5f // _
  );
}

function replaceLoneSurrogates(text: string): string {
  return text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '?');
}

/**
 * SF's standard ("MD5") msgDigest: Base64(MD5(javaUrlEncode(msgData + timestamp + checkWord))).
 * `msgData` and `timestamp` must be the exact strings sent in the form. The console's other modes
 * (plain MD5 without encoding, SM3) are not supported: accounts default to this one.
 */
export function sfMsgDigest(msgData: string, timestamp: string, checkWord: string): string {
  return base64Md5(javaUrlEncode(msgData + timestamp + checkWord));
}

/**
 * SF route opCodes (WaybillRoute.opCode), per the issue and notes §1.8. Codes not listed stay
 * unmapped (counted, nothing moves): SF's codes drift, so an unknown one is never guessed.
 */
export const SF_STATUS_TABLE: readonly StatusMapping[] = [
  { carrierStatus: '50', status: 'in_transit', note: 'collected (顺丰已收件)' },
  { carrierStatus: '54', status: 'in_transit', note: 'collected at the door (上门收件)' },
  { carrierStatus: '607', status: 'in_transit', note: 'collected by an agent (代理收件)' },
  { carrierStatus: '30', status: 'in_transit', note: 'sorted, leaving for the next stop' },
  { carrierStatus: '31', status: 'in_transit', note: 'arrived at a hub or branch' },
  { carrierStatus: '36', status: 'in_transit', note: 'left a hub, on the way to the next' },
  {
    carrierStatus: '44',
    status: 'in_transit',
    note: 'assigning a courier (分配快递员): not out yet; older docs read 44 as out for delivery, 204 is',
  },
  { carrierStatus: '204', status: 'out_for_delivery', note: 'handed to the courier (正在派送途中)' },
  { carrierStatus: '33', status: 'exception', note: 'delivery exception or held (派件异常): recoverable' },
  {
    carrierStatus: '70',
    status: 'delivery_attempt_failed',
    note: 'delivery failed (派件不成功): recoverable',
  },
  {
    carrierStatus: '80',
    status: 'delivered',
    note: 'signed for (已签收); also "delivered to an SF locker"',
  },
  { carrierStatus: '8000', status: 'delivered', note: 'post-delivery signer details: delivered again' },
  {
    carrierStatus: '631',
    status: 'returned',
    note: 'returned to the sender under a new waybill (快件已退回)',
  },
  {
    carrierStatus: '648',
    status: 'exception',
    note: 'returned OR forwarded under a new waybill (新单号为): not final until the new number is followed',
  },
];

/** The canonical status of one route's opCode; an unknown opCode is `unknown` and unmapped. */
export function sfRouteStatus(opCode: string | undefined): CarrierStatusMatch {
  return mapCarrierStatus(SF_STATUS_TABLE, [opCode?.trim()]);
}

/**
 * The new waybill number a 648/631 route names in its remark (`…新单号为: SF1234567890123`), or
 * undefined: the return or forward is linked to the original shipment by it.
 */
export function sfNewWaybillNumber(remark: string | undefined): string | undefined {
  return remark ? /新单号(?:为)?\s*[:：]\s*([A-Za-z0-9]{6,32})/.exec(remark)?.[1] : undefined;
}
