/**
 * Kuaidi100 (快递100, a tracking aggregator that books nothing) primitives, hand-written from the
 * documented format (carriers-cn notes §4): both signs are UPPER(hex(MD5(…))) over node:crypto.
 * Next step: the `kuaidi100` carrier subscribes parcels (`poll`, unsigned: the `key` in `param`
 * authenticates; 501 "already subscribed" is success), checks each push's `sign` with
 * verifyKuaidi100PushSign over the exact form-decoded `param`, and maps every trace node with
 * kuaidi100Status(lastResult.state, node.statusCode) (sub-states need `resultv2` 4 or 6).
 */
import { CarrierStatusMatch, mapCarrierStatus, StatusMapping } from '../domain/tracking-update';
import { pushedDigestMatches, upperHexMd5 } from './md5-signing';

/** A push's `sign`: UPPER(MD5(param + salt)), salt being the one sent in the subscription. */
export function kuaidi100PushSign(param: string, salt: string): string {
  return upperHexMd5(param + salt);
}

/**
 * Whether a push's `sign` is Kuaidi100's sign of `param`, compared in constant time (any length,
 * or none, is simply false). Hex is compared case-insensitively: it is the same digest.
 */
export function verifyKuaidi100PushSign(param: string, sign: string | undefined, salt: string): boolean {
  return pushedDigestMatches(sign?.toUpperCase(), salt, (secret) => kuaidi100PushSign(param, secret));
}

/** The instant query's (`poll/query.do`) sign: UPPER(MD5(param + key + customer)). */
export function kuaidi100QuerySign(param: string, key: string, customer: string): string {
  return upperHexMd5(param + key + customer);
}

/**
 * Kuaidi100 main states (`lastResult.state`) and the sub-states (`data[].statusCode`, with resultv2
 * 4 or 6) that say more than their state, per the issue and notes §4.3. Others stay unmapped.
 */
export const KUAIDI100_STATUS_TABLE: readonly StatusMapping[] = [
  { carrierStatus: '0', status: 'in_transit', note: 'in transit (在途)' },
  { carrierStatus: '1001', status: 'in_transit', note: 'arrived in the delivery city' },
  { carrierStatus: '1002', status: 'in_transit', note: 'trunk line (干线)' },
  { carrierStatus: '1003', status: 'in_transit', note: 'redirected (转递)' },
  { carrierStatus: '1', status: 'in_transit', note: 'collected (揽收)' },
  { carrierStatus: '101', status: 'label_created', note: 'ordered (已下单): no parcel yet' },
  { carrierStatus: '102', status: 'label_created', note: 'waiting for pickup (待揽收)' },
  { carrierStatus: '103', status: 'in_transit', note: 'collected (已揽收)' },
  { carrierStatus: '5', status: 'out_for_delivery', note: 'out for delivery (派件)' },
  {
    carrierStatus: '501',
    status: 'available_for_pickup',
    note: 'in a locker or station (投柜或驿站): waiting for the consignee',
  },
  { carrierStatus: '3', status: 'delivered', note: 'signed for (签收)' },
  { carrierStatus: '301', status: 'delivered', note: 'signed by the consignee' },
  { carrierStatus: '302', status: 'delivered', note: 'signed after a delivery exception' },
  { carrierStatus: '303', status: 'delivered', note: 'signed by someone else (代签)' },
  { carrierStatus: '304', status: 'delivered', note: 'collected from a locker or station' },
  { carrierStatus: '2', status: 'exception', note: 'problem (疑难): recoverable' },
  ...['201', '202', '203', '204', '205', '206', '207', '208', '209'].map((code): StatusMapping => ({
    carrierStatus: code,
    status: 'exception',
    note: 'a kind of problem (疑难)',
  })),
  { carrierStatus: '210', status: 'cancelled', note: 'waybill cancelled (销单)' },
  { carrierStatus: '4', status: 'returned', note: 'signed for by the sender after a return (退签)' },
  { carrierStatus: '401', status: 'cancelled', note: 'waybill cancelled (已销单)' },
  { carrierStatus: '6', status: 'returned', note: 'on its way back to the sender (退回)' },
  { carrierStatus: '7', status: 'in_transit', note: 'handed to another carrier (转投)' },
  { carrierStatus: '8', status: 'in_transit', note: 'in customs (清关)' },
  { carrierStatus: '10', status: 'in_transit', note: 'waiting for customs' },
  { carrierStatus: '11', status: 'in_transit', note: 'in customs clearance' },
  { carrierStatus: '12', status: 'in_transit', note: 'cleared customs' },
  { carrierStatus: '13', status: 'exception', note: 'customs problem' },
  {
    carrierStatus: '14',
    status: 'exception',
    note: 'refused by the consignee (拒签): a return usually follows',
  },
];

/**
 * The canonical status of a trace node: its sub-state (`statusCode`) when the table knows it, else
 * the main `state`; what neither names is `unknown` and unmapped. `lastResult.state` describes the
 * newest node only: an older node without a statusCode is history, not that state.
 */
export function kuaidi100Status(state: string | undefined, statusCode?: string): CarrierStatusMatch {
  return mapCarrierStatus(KUAIDI100_STATUS_TABLE, [statusCode?.trim(), state?.trim()]);
}
