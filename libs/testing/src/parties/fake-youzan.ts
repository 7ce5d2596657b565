import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { chinaTime, closeLocal, listenLocal, readBody } from './local-http-party';
import { addDecimals, multiplyDecimal, pause, postWebhook } from './storefront-webhook-sender';

/**
 * A stand-in for a Youzan (有赞) shop over real HTTP, hand-written on node:http and node:crypto,
 * sharing no code with the channel's Youzan adapter.
 *
 * Pushes follow the notes (channels-and-console A3, from the Odoo Youzan addon): a JSON POST
 * `{client_id, id (tid), kdt_id, kdt_name, mode, msg, sendCount, sign, status, test, type, version}`
 * with `msg` the URL-encoded JSON (Java URLEncoder style: spaces as `+`) and
 * `sign = md5(client_id + msg + client_secret)` over msg still encoded; delivered means the answer
 * `{"code":0,"msg":"success"}`, and an unanswered push is sent again with `sendCount` one higher
 * (`retryUntilAcknowledged`). `ping` sends the console's `test: true` push.
 *
 * Not in the notes, marked as the fake's own: the trade content beyond `{update_time, payment,
 * tid, status}` (youzanTrade adds a `full_order_info` in the shape of Youzan's trade API:
 * order_info, address_info, orders[], pay_info — an assumption, so that a pushed trade can be
 * mapped), and the logistics confirmation, played as Youzan's gateway call
 * `POST /api/youzan.logistics.online.confirm/3.0.0?access_token=…` with `{tid, out_stype (express
 * company code), out_sid (tracking number), is_no_express}`, answering
 * `{"code":200,"success":true,"message":"successful","data":{"is_success":true}}` (a trade already
 * confirmed: `success: false`, "订单已发货…", the fake's guess at Youzan's refusal) and, for a bad
 * token, the gateway's `{"gw_err_resp":{"err_code":4203,…}}` with HTTP 200. A minimal
 * documented-shaped endpoint, to be checked against Youzan's API console before going live.
 */
export interface FakeYouzanOptions {
  readonly clientId?: string;
  readonly clientSecret?: string;
  readonly kdtId?: number;
  readonly kdtName?: string;
  readonly accessToken?: string;
}

export interface YouzanLineInput {
  readonly sku: string;
  readonly quantity: number;
  /** Unit price in yuan, a decimal string. */
  readonly price: string;
  readonly title?: string;
}

export interface YouzanTradeInput {
  readonly tid?: string;
  /** WAIT_BUYER_PAY, WAIT_SELLER_SEND_GOODS, WAIT_BUYER_CONFIRM_GOODS, TRADE_SUCCESS, TRADE_CLOSED … */
  readonly status?: string;
  readonly lines?: readonly YouzanLineInput[];
  readonly postFee?: string;
  /** When the trade changed (default now), written `yyyy-MM-dd HH:mm:ss` in Beijing time. */
  readonly updatedAt?: Date;
  readonly receiver?: Partial<
    Record<
      | 'receiver_name'
      | 'receiver_tel'
      | 'delivery_province'
      | 'delivery_city'
      | 'delivery_district'
      | 'delivery_address'
      | 'delivery_postal_code',
      string
    >
  >;
}

/** The decoded `msg` of a trade push. */
export type YouzanTrade = Readonly<Record<string, unknown>> & {
  readonly tid: string;
  readonly status: string;
  readonly payment: string;
  readonly update_time: string;
};

let tradeSequence = 0;

/** A trade push's msg: the documented `{update_time, payment, tid, status}` and the full order. */
export function youzanTrade(input: YouzanTradeInput = {}): YouzanTrade {
  tradeSequence++;
  const at = input.updatedAt ?? new Date();
  const tid = input.tid ?? `E${chinaTime(at).replace(/\D/g, '')}${String(tradeSequence).padStart(10, '0')}`;
  const status = input.status ?? 'WAIT_SELLER_SEND_GOODS';
  const lines = input.lines ?? [{ sku: 'YZ-TEA-250', quantity: 2, price: '49.50' }];
  const postFee = input.postFee ?? '0.00';
  const orders = lines.map((line, index) => ({
    oid: `${tid.slice(1)}${index}`,
    outer_sku_id: line.sku,
    title: line.title ?? `商品 ${index + 1}`,
    num: line.quantity,
    price: line.price,
    // Youzan's trade API states a line's goods value (price × num) and what was paid for it.
    total_fee: multiplyDecimal(line.price, line.quantity),
    payment: multiplyDecimal(line.price, line.quantity),
  }));
  const payment = addDecimals([...orders.map((order) => order.payment), postFee]);
  const time = chinaTime(at);
  return {
    tid,
    status,
    payment,
    update_time: time,
    full_order_info: {
      order_info: { tid, status, created: time, update_time: time, type: 0 },
      buyer_info: {
        buyer_phone: '13800000000',
        yz_open_id: `yzopen${String(tradeSequence).padStart(8, '0')}`,
      },
      address_info: {
        receiver_name: '王五',
        receiver_tel: '13800000000',
        delivery_province: '浙江省',
        delivery_city: '杭州市',
        delivery_district: '西湖区',
        delivery_address: '文三路 1 号',
        delivery_postal_code: '310000',
        ...input.receiver,
      },
      orders,
      pay_info: { payment, post_fee: postFee, total_fee: addDecimals(orders.map((order) => order.payment)) },
    },
  };
}

/** URL-encoding as Java's URLEncoder writes it (what Youzan's servers use): spaces as `+`. */
export function javaUrlEncode(text: string): string {
  return encodeURIComponent(text)
    .replace(/[!'()~]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

export interface YouzanPushOptions {
  readonly to: string;
  /** TRADE_ORDER_STATE (default), TRADE_ORDER_REFUND, … */
  readonly type?: string;
  readonly retryUntilAcknowledged?: number;
  readonly duplicate?: boolean;
  readonly delayMs?: number;
  readonly signWith?: string;
}

export interface YouzanPush {
  readonly to: string;
  readonly body: string;
  readonly sendCount: number;
  readonly status: number;
  readonly answer: string;
  /** Youzan's delivered: `code: 0` in the answer. */
  readonly acknowledged: boolean;
}

export interface YouzanConfirmation {
  readonly tid: string;
  readonly outStype: string;
  readonly outSid: string;
  readonly isNoExpress: boolean;
}

const CONFIRM_PATH = '/api/youzan.logistics.online.confirm/3.0.0';

export class FakeYouzan {
  readonly pushes: YouzanPush[] = [];
  readonly confirmations: YouzanConfirmation[] = [];
  readonly clientId: string;
  readonly clientSecret: string;
  readonly kdtId: number;
  readonly kdtName: string;
  readonly accessToken: string;
  failNext = 0;

  private constructor(
    private readonly server: Server,
    readonly baseUrl: string,
    options: FakeYouzanOptions,
  ) {
    this.clientId = options.clientId ?? randomBytes(8).toString('hex');
    this.clientSecret = options.clientSecret ?? randomBytes(16).toString('hex');
    this.kdtId = options.kdtId ?? 19876543;
    this.kdtName = options.kdtName ?? 'Waybill 测试店';
    this.accessToken = options.accessToken ?? randomBytes(16).toString('hex');
  }

  static async start(options: FakeYouzanOptions = {}): Promise<FakeYouzan> {
    const holder: { fake?: FakeYouzan } = {};
    const { server, baseUrl } = await listenLocal((request, response) =>
      holder.fake ? holder.fake.handle(request, response) : Promise.resolve(),
    );
    holder.fake = new FakeYouzan(server, baseUrl, options);
    return holder.fake;
  }

  async stop(): Promise<void> {
    await closeLocal(this.server);
  }

  /** md5(client_id + msg + client_secret), lowercase hex. */
  static sign(clientId: string, msg: string, clientSecret: string): string {
    return createHash('md5').update(`${clientId}${msg}${clientSecret}`, 'utf8').digest('hex');
  }

  /** Pushes a trade, resending with sendCount + 1 while unacknowledged, if asked. */
  async push(trade: YouzanTrade, options: YouzanPushOptions): Promise<YouzanPush[]> {
    return this.send(trade.tid, trade.status, javaUrlEncode(JSON.stringify(trade)), false, options);
  }

  /** The console's connectivity check: a `test: true` push. */
  async ping(to: string): Promise<YouzanPush[]> {
    return this.send('', '', javaUrlEncode('{}'), true, { to });
  }

  private async send(
    tid: string,
    status: string,
    msg: string,
    test: boolean,
    options: YouzanPushOptions,
  ): Promise<YouzanPush[]> {
    const sent: YouzanPush[] = [];
    const once = async (sendCount: number): Promise<YouzanPush> => {
      await pause(options.delayMs);
      const body = JSON.stringify({
        client_id: this.clientId,
        id: tid,
        kdt_id: this.kdtId,
        kdt_name: this.kdtName,
        mode: 1,
        msg,
        sendCount,
        sign: FakeYouzan.sign(this.clientId, msg, options.signWith ?? this.clientSecret),
        status,
        test,
        type: options.type ?? 'TRADE_ORDER_STATE',
        version: Math.floor(Date.now() / 1000),
      });
      const answer = await postWebhook(
        options.to,
        { 'Content-Type': 'application/json;charset=UTF-8' },
        body,
      );
      const push: YouzanPush = {
        to: options.to,
        body,
        sendCount,
        ...answer,
        acknowledged: answer.status === 200 && acknowledges(answer.answer),
      };
      sent.push(push);
      this.pushes.push(push);
      return push;
    };
    let last = await once(0);
    for (let retry = 1; !last.acknowledged && retry <= (options.retryUntilAcknowledged ?? 0); retry++) {
      last = await once(retry);
    }
    if (options.duplicate) {
      await once(sent.length);
    }
    return sent;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(request);
    const url = new URL(request.url ?? '/', this.baseUrl);
    const answer = this.answer(request.method ?? '', url, body);
    response.writeHead(answer.status, { 'Content-Type': 'application/json;charset=UTF-8' });
    response.end(JSON.stringify(answer.body));
  }

  private answer(
    method: string,
    url: URL,
    body: string,
  ): { readonly status: number; readonly body: unknown } {
    if (method !== 'POST' || url.pathname !== CONFIRM_PATH) {
      return { status: 404, body: { gw_err_resp: { err_code: 4004, err_msg: 'api not found' } } };
    }
    if (url.searchParams.get('access_token') !== this.accessToken) {
      return { status: 200, body: { gw_err_resp: { err_code: 4203, err_msg: 'access_token 无效' } } };
    }
    if (this.failNext > 0) {
      this.failNext--;
      return { status: 503, body: { gw_err_resp: { err_code: 5000, err_msg: '服务暂不可用' } } };
    }
    let fields: Record<string, unknown>;
    try {
      fields = JSON.parse(body) as Record<string, unknown>;
    } catch {
      return { status: 200, body: refusal(4002, '参数格式错误') };
    }
    const text = (key: string) => (typeof fields[key] === 'string' ? fields[key] : '');
    const isNoExpress = fields.is_no_express === 1 || fields.is_no_express === true;
    if (text('tid') === '' || (!isNoExpress && (text('out_stype') === '' || text('out_sid') === ''))) {
      return { status: 200, body: refusal(4001, '缺少参数 tid / out_stype / out_sid') };
    }
    if (this.confirmationsOf(text('tid')).length > 0) {
      // The fake's own assumption, like the endpoint: a trade shipped once is refused a second
      // confirmation with an "already shipped" message (Youzan's real code and wording unchecked).
      return { status: 200, body: refusal(4100, '订单已发货，不能重复发货') };
    }
    this.confirmations.push({
      tid: text('tid'),
      outStype: text('out_stype'),
      outSid: text('out_sid'),
      isNoExpress,
    });
    return {
      status: 200,
      body: { code: 200, success: true, message: 'successful', data: { is_success: true } },
    };
  }

  /** The confirmations recorded for one trade. */
  confirmationsOf(tid: string): readonly YouzanConfirmation[] {
    return this.confirmations.filter((confirmation) => confirmation.tid === tid);
  }
}

function refusal(code: number, message: string): unknown {
  return { code, success: false, message, data: null };
}

function acknowledges(answer: string): boolean {
  try {
    return (JSON.parse(answer) as { code?: unknown }).code === 0;
  } catch {
    return false;
  }
}
