/**
 * Youzan 有赞's open API for the tracking-back dispatcher: the logistics confirmation
 * `youzan.logistics.online.confirm` 3.0.0 (`POST {api.base}/api/<name>/<version>?access_token=…`,
 * body `{tid, out_stype, out_sid, is_no_express}`), as FakeYouzan plays it. The partner notes (A3)
 * do not document Youzan's API calls, only its pushes: the endpoint, its answers and the express
 * codes below are from memory and the fake, to be checked against Youzan's API console before going
 * live.
 *
 * No polling: the notes and the fake give no trade list API (`youzan.trades.sold.get` with
 * `start_update` is what integrators use, from memory; unplayed, so unwritten), so
 * ordersModifiedSince answers `failed`, not supported. Youzan resends an unacknowledged push with a
 * rising sendCount, which is this channel's recovery for now.
 *
 * Hand-written on fetch: Youzan has no maintained Node SDK (its official SDKs are Java and PHP).
 */
import type { ChannelKind } from '../domain/connection';
import { isRecord } from '../domain/map-order';
import { callPlatform, parseJson } from './platform-http';
import type {
  ModifiedOrdersOutcome,
  PlatformCall,
  StorefrontApi,
  TrackingReport,
  TrackingReportOutcome,
} from './storefront-api';

const CONFIRM_PATH = '/api/youzan.logistics.online.confirm/3.0.0';

/**
 * Waybill carrier → Youzan's express company code (`out_stype`, the ids of Youzan's express list,
 * `youzan.logistics.express.get`). FROM MEMORY, unverified: 顺丰速运 7, 中通快递 3. Carriers
 * Youzan does not list (EasyPost and AfterShip are intermediaries, `direct` and `sandbox` are
 * Waybill's own) go as `is_no_express: 1`, Youzan's "no logistics needed" form: its confirmation
 * has no field for a custom company or a tracking link, so their number is not carried.
 */
export const YOUZAN_EXPRESS_CODES: Readonly<Record<string, string>> = {
  sf: '7',
  zto: '3',
};

/** Gateway error codes that mean the token is bad or expired (4203 as the fake plays it). */
const TOKEN_ERRORS = new Set([4201, 4202, 4203]);

/** A refusal saying the trade is shipped already: this parcel was confirmed before. */
const ALREADY_SHIPPED = /已发货|已经发货|重复发货|already (been )?shipped/i;

export class YouzanStorefrontApi implements StorefrontApi {
  readonly channel = 'youzan' satisfies ChannelKind;

  async ordersModifiedSince(): Promise<ModifiedOrdersOutcome> {
    return {
      status: 'failed',
      reason: 'polling Youzan trades is not supported yet: no trade list API is played or documented here',
    };
  }

  async reportTracking(call: PlatformCall, report: TrackingReport): Promise<TrackingReportOutcome> {
    const token = call.secrets.credentials.accessToken;
    if (!token) {
      return { status: 'failed', reason: 'the connection has no accessToken credential' };
    }
    const code = YOUZAN_EXPRESS_CODES[report.carrier];
    const answer = await callPlatform('Youzan', {
      url: `${call.connection.api.base.replace(/\/+$/, '')}${CONFIRM_PATH}?access_token=${encodeURIComponent(token)}`,
      method: 'POST',
      json:
        code !== undefined
          ? { tid: report.externalOrderId, out_stype: code, out_sid: report.trackingNumber, is_no_express: 0 }
          : { tid: report.externalOrderId, is_no_express: 1 },
      timeoutMs: call.timeoutMs,
    });
    if (!answer.ok) {
      return answer.problem;
    }
    const body = parseJson(answer.text);
    if (!isRecord(body)) {
      return {
        status: 'retry',
        reason: `Youzan answered HTTP ${answer.status} with a body that is not a JSON object`,
      };
    }
    if (isRecord(body.gw_err_resp)) {
      // The gateway's own refusal, with HTTP 200: a bad token, a missing API, a bad signature.
      const { err_code: errCode, err_msg: errMsg } = body.gw_err_resp;
      const said =
        `Youzan's gateway refused: ${String(errCode)} ${typeof errMsg === 'string' ? errMsg.slice(0, 200) : ''}`.trim();
      return {
        status: 'failed',
        reason:
          typeof errCode === 'number' && TOKEN_ERRORS.has(errCode)
            ? `${said} (renew the access token)`
            : said,
      };
    }
    const message = typeof body.message === 'string' ? body.message.slice(0, 200) : '';
    if (body.success === true && isRecord(body.data) && body.data.is_success === true) {
      return { status: 'reported' };
    }
    if (body.success === false && ALREADY_SHIPPED.test(message)) {
      return { status: 'reported' };
    }
    if (answer.status !== 200 || body.success === false) {
      return {
        status: 'failed',
        reason: `Youzan refused (HTTP ${answer.status}, code ${String(body.code)}): ${message}`,
      };
    }
    return { status: 'failed', reason: "Youzan's answer says neither success nor a refusal" };
  }
}
