/**
 * ZTO (ZOP open platform) primitives, hand-written from the documented format (carriers-cn notes
 * §2.2–§2.4): both digests are Base64(MD5(text + appSecret)), a line over node:crypto.
 * The `zto` carrier (zto.carrier.ts) signs createOrder, cancelPreOrder and the (misspelt)
 * `zto.merchant.waybill.track.subsrcibe` with ztoDataDigest (the app key in `x-companyid`), checks
 * each track push with verifyZtoDataDigest over the exact `data` string received (form or JSON),
 * and maps its `action` with ztoTrackStatus.
 */
import { CarrierStatusMatch, mapCarrierStatus, StatusMapping } from '../domain/tracking-update';
import { base64Md5, pushedDigestMatches } from './md5-signing';

/**
 * Base64(MD5(text + appSecret)): the request header `x-datadigest` over the JSON body, and a push's
 * `data_digest` over its `data`. Not for the console's optional timestamp/SHA256/HMAC modes.
 */
export function ztoDataDigest(text: string, appSecret: string): string {
  return base64Md5(text + appSecret);
}

/**
 * Whether a push's `data_digest` is ZTO's digest of `data`, compared in constant time (a digest of
 * any length, or none, is simply false). `data` must be the string as received, before any parse.
 */
export function verifyZtoDataDigest(
  data: string,
  dataDigest: string | undefined,
  appSecret: string,
): boolean {
  return pushedDigestMatches(dataDigest, appSecret, (secret) => ztoDataDigest(data, secret));
}

/** ZTO track-push actions (`data.action`), per the issue and notes §2.4; others stay unmapped. */
export const ZTO_STATUS_TABLE: readonly StatusMapping[] = [
  { carrierStatus: 'GOT', status: 'in_transit', note: 'collected at the branch (收件)' },
  { carrierStatus: 'DEPARTURE', status: 'in_transit', note: 'left a branch or hub (发件)' },
  { carrierStatus: 'ARRIVAL', status: 'in_transit', note: 'arrived at a branch or hub (到件)' },
  { carrierStatus: 'DISPATCH', status: 'out_for_delivery', note: 'with the courier (派件)' },
  {
    carrierStatus: 'INBOUND',
    status: 'available_for_pickup',
    note: 'in a parcel shop, locker or agent point (入站): waiting for the consignee',
  },
  { carrierStatus: 'SIGNED', status: 'delivered', note: 'signed for (签收)' },
  {
    carrierStatus: 'HANDOVERSCAN_SIGNED',
    status: 'delivered',
    note: 'delivered to an agent or station (第三方妥投)',
  },
  {
    carrierStatus: 'DEPARTURE_SIGNED',
    status: 'delivered',
    note: 'collected by the consignee from the station or locker (出站签收)',
  },
  {
    carrierStatus: 'PROBLEM',
    status: 'exception',
    note: 'problem parcel (问题件, see problemCode): recoverable',
  },
  {
    carrierStatus: 'RETURN_SCAN',
    status: 'returned',
    note: 'going back to the sender (退件); returnType may say it is only an address change',
  },
  { carrierStatus: 'RETURN_SIGNED', status: 'returned', note: 'back with the sender (退件签收)' },
];

/** The canonical status of a push's `action`; an unknown action is `unknown` and unmapped. */
export function ztoTrackStatus(action: string | undefined): CarrierStatusMatch {
  return mapCarrierStatus(ZTO_STATUS_TABLE, [action?.trim()]);
}
