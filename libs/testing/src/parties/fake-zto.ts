import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { PostalAddress } from '@waybill/contracts';
import { chinaTime, closeLocal, listenLocal, readBody } from './local-http-party';
import sandbox from './fixtures/carriers-cn/zto-track-push-sandbox.json';

/**
 * A stand-in for ZTO's ZOP open platform (中通开放平台, japi.zto.com) over real HTTP, for the ZTO
 * adapter: create order, tracking subscription and the track pushes (轨迹推送). Hand-written on
 * node:http and node:crypto, never on Waybill's adapter (parties-share-no-vendor-code): it plays
 * ZTO, so it checks signatures with its own code. Wire format per /work/shared/partners/carriers-cn.md §2.
 *
 * As ZTO does, it
 * - takes the API name in the path (`POST /zto.open.createOrder`,
 *   `POST /zto.merchant.waybill.track.subsrcibe`, misspelt as the real one is);
 * - wants the app key in `x-companyid` (the SDKs) or `x-appKey` (the console docs) and
 *   `x-datadigest` = Base64(MD5_raw(body + appSecret)); a wrong or missing one is answered
 *   `{"status":false,"statusCode":"S211","message":"签名错误"}` (HTTP 200, as the gateway does);
 * - books one waybill per `partnerOrderCode`: a repeated create answers the same billCode, and
 *   wants a mobile or phone for both sender and receiver (S208 otherwise);
 * - cancels on `POST /zto.open.cancelPreOrder` (`cancelType` 1–7, `orderCode` or `billCode`),
 *   answering `{"result":{},"message":"请求成功","status":true,"statusCode":"SYS000"}` as the sandbox
 *   doc shows; an unknown order is refused with a code of the fake's own (the notes show none);
 * - pushes one event per POST, fields `data`, `data_digest` = Base64(MD5_raw(data + appSecret)),
 *   `msg_type=Traces`, `company_id`, as a form or (option) JSON, and takes `status:true` in the
 *   answer as delivered.
 */
export interface FakeZtoOptions {
  readonly appKey?: string;
  readonly appSecret?: string;
}

export interface FakeZtoCall {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
  readonly answer: Record<string, unknown>;
  /** The request was carried out but its answer never sent (loseNextAnswer). */
  readonly lost: boolean;
}

export interface FakeZtoOrder {
  readonly partnerOrderCode: string;
  readonly orderCode: string;
  readonly billCode: string;
  readonly request: Record<string, unknown>;
}

export interface FakeZtoPush {
  readonly to: string;
  readonly billCode: string;
  readonly data: string;
  readonly form: Readonly<Record<string, string>>;
  readonly format: 'form' | 'json';
  /** Waybill's answer: HTTP status (0: no answer) and raw body. */
  readonly status: number;
  readonly answer: string;
  /** Whether the answer parsed as JSON with `status: true`, which is what ZTO calls delivered. */
  readonly acknowledged: boolean;
}

/** One track event; billCode and action are filled in, and actionTime when absent. */
export type ZtoTrackAction = string | (Record<string, string> & { readonly action: string });

export interface ZtoPushOptions {
  readonly to: string;
  /** Form fields (default, as the sandbox log shows) or a JSON body. */
  readonly format?: 'form' | 'json';
  /** Send the events in this order instead: indices into `actions`. */
  readonly order?: readonly number[];
  /** Send every event twice. */
  readonly duplicate?: boolean;
  /** Wait this long before each send. */
  readonly delayMs?: number;
}

/**
 * A sender and a receiver as Waybill books them (PostalAddress, phones in E.164), after the sandbox
 * doc's sample order: what a booking with ZTO needs (both sides with a phone).
 */
export const ZTO_SAMPLE_PARTIES: { readonly shipFrom: PostalAddress; readonly recipient: PostalAddress } = {
  shipFrom: {
    name: 'Waybill 仓库',
    line1: '骏业路255号',
    city: '广州市',
    region: '广东省',
    postalCode: '510530',
    country: 'CN',
    phone: '+8615685585514',
  },
  recipient: {
    name: '李四',
    line1: '申贵路1500号',
    city: '上海市',
    region: '上海',
    postalCode: '201100',
    country: 'CN',
    phone: '+8613800005514',
  },
};

type Operation = 'create' | 'subscribe' | 'cancel';

const CREATE_ORDER = '/zto.open.createOrder';
const SUBSCRIBE = '/zto.merchant.waybill.track.subsrcibe';
const CANCEL = '/zto.open.cancelPreOrder';
const OPERATIONS: Readonly<Record<string, Operation>> = {
  [CREATE_ORDER]: 'create',
  [SUBSCRIBE]: 'subscribe',
  [CANCEL]: 'cancel',
};

export class FakeZto {
  readonly calls: FakeZtoCall[] = [];
  readonly orders = new Map<string, FakeZtoOrder>();
  readonly subscriptions = new Map<string, { readonly billCode: string; readonly mobilePhone?: string }>();
  readonly pushes: FakeZtoPush[] = [];
  /** The partnerOrderCodes of the orders cancelled. */
  readonly cancelled = new Set<string>();
  /**
   * Answer the next N API calls as an outage, carrying nothing out: `http-503` is a load balancer's
   * 503 page; `S203` is ZOP's own 服务暂不可用 (service unavailable), which it sends with HTTP 200.
   */
  failNext = 0;
  failAs: 'http-503' | 'S203' = 'http-503';
  /** Hold the next N API calls this long before answering (to trip the caller's timeout). */
  stallNext = 0;
  stallMs = 0;
  readonly appKey: string;
  readonly appSecret: string;
  private readonly lose = new Set<Operation>();
  private readonly refusals = new Map<Operation, { readonly statusCode: string; readonly message: string }>();
  private billSequence = 0;

  private constructor(
    private readonly server: Server,
    readonly baseUrl: string,
    options: FakeZtoOptions,
  ) {
    this.appKey = options.appKey ?? randomBytes(11).toString('hex').slice(0, 21);
    this.appSecret = options.appSecret ?? randomBytes(16).toString('hex');
  }

  static async start(options: FakeZtoOptions = {}): Promise<FakeZto> {
    const holder: { fake?: FakeZto } = {};
    const { server, baseUrl } = await listenLocal((request, response) =>
      holder.fake ? holder.fake.handle(request, response) : Promise.resolve(),
    );
    holder.fake = new FakeZto(server, baseUrl, options);
    return holder.fake;
  }

  /** The sandbox app's credentials, under which the recorded pushes' digests reproduce. */
  static readonly sandboxCredentials: Required<FakeZtoOptions> = {
    appKey: sandbox.appKey,
    appSecret: sandbox.appSecret,
  };

  /** ZOP's digest: Base64 of the raw MD5 of `text + secret`. */
  static digest(text: string, secret: string): string {
    return createHash('md5')
      .update(text + secret, 'utf8')
      .digest('base64');
  }

  async stop(): Promise<void> {
    await closeLocal(this.server);
  }

  env(): Record<string, string> {
    return {
      LOGISTICS_ZTO_APP_KEY: this.appKey,
      LOGISTICS_ZTO_APP_SECRET: this.appSecret,
      LOGISTICS_ZTO_API_BASE: this.baseUrl,
    };
  }

  /** Carry out the next such request but never answer it (the socket is destroyed). */
  loseNextAnswer(operation: Operation): void {
    this.lose.add(operation);
  }

  /**
   * Refuse the next such request with this ZOP code (HTTP 200, `status:false`), carrying nothing
   * out: a business refusal after the gateway's checks passed (e.g. E413 收寄人电话号码后4位).
   */
  refuseNext(operation: Operation, statusCode: string, message: string): void {
    this.refusals.set(operation, { statusCode, message });
  }

  orderFor(partnerOrderCode: string): FakeZtoOrder | undefined {
    return this.orders.get(partnerOrderCode);
  }

  /** Push one event per action for billCode, in order unless told otherwise; returns the pushes sent. */
  async push(
    billCode: string,
    actions: readonly ZtoTrackAction[],
    options: ZtoPushOptions,
  ): Promise<FakeZtoPush[]> {
    const start = Date.now();
    const events = actions.map((action, index) => {
      const fields = typeof action === 'string' ? { action } : action;
      const { action: code, ...rest } = fields;
      return JSON.stringify({
        billCode,
        action: code,
        actionTime: chinaTime(new Date(start + index * 60_000)),
        ...rest,
      });
    });
    const order = options.order ?? events.map((_, index) => index);
    const sent: FakeZtoPush[] = [];
    for (const index of order) {
      const data = events[index];
      if (data === undefined) {
        throw new Error(`fake ZTO: no action at index ${index}`);
      }
      for (let copy = 0; copy < (options.duplicate ? 2 : 1); copy++) {
        sent.push(await this.send(billCode, data, options));
      }
    }
    return sent;
  }

  /** The 13 recorded sandbox pushes, in their recorded (out-of-order) order, signed with this app's secret. */
  async replaySandboxPushes(
    to: string,
    options: Omit<ZtoPushOptions, 'to' | 'order'> = {},
  ): Promise<FakeZtoPush[]> {
    const sent: FakeZtoPush[] = [];
    for (const recorded of sandbox.pushes) {
      sent.push(await this.send(sandbox.billCode, recorded.form.data, { ...options, to }));
    }
    return sent;
  }

  private async send(billCode: string, data: string, options: ZtoPushOptions): Promise<FakeZtoPush> {
    if (options.delayMs) {
      await new Promise((resolve) => setTimeout(resolve, options.delayMs));
    }
    const form = {
      data,
      data_digest: FakeZto.digest(data, this.appSecret),
      msg_type: 'Traces',
      company_id: this.appKey,
    };
    const format = options.format ?? 'form';
    let status = 0;
    let answer = '';
    try {
      const response = await fetch(options.to, {
        method: 'POST',
        headers: {
          'Content-Type':
            format === 'json' ? 'application/json' : 'application/x-www-form-urlencoded; charset=UTF-8',
        },
        body: format === 'json' ? JSON.stringify(form) : new URLSearchParams(form).toString(),
        signal: AbortSignal.timeout(5000),
      });
      status = response.status;
      answer = await response.text();
    } catch {
      // No answer: recorded as status 0.
    }
    const push: FakeZtoPush = {
      to: options.to,
      billCode,
      data,
      form,
      format,
      status,
      answer,
      acknowledged: status === 200 && acknowledges(answer),
    };
    this.pushes.push(push);
    return push;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(request);
    const method = request.method ?? '';
    const path = (request.url ?? '/').split('?')[0];
    if (this.stallNext > 0) {
      this.stallNext--;
      await new Promise((resolve) => setTimeout(resolve, this.stallMs));
    }
    if (this.failNext > 0) {
      this.failNext--;
      const outage = failure('S203', '服务暂不可用');
      this.calls.push({ method, path, headers: request.headers, body, answer: outage, lost: false });
      if (this.failAs === 'http-503') {
        response.writeHead(503, { 'Content-Type': 'text/html' });
        response.end('<html><body>503 Service Temporarily Unavailable</body></html>');
      } else {
        response.writeHead(200, { 'Content-Type': 'application/json;charset=UTF-8' });
        response.end(JSON.stringify(outage));
      }
      return;
    }
    const { answer, operation } = this.answer(request, method, path, body);
    const lost = operation !== undefined && this.lose.delete(operation);
    this.calls.push({ method, path, headers: request.headers, body, answer, lost });
    if (lost) {
      request.socket.destroy();
      return;
    }
    response.writeHead(200, { 'Content-Type': 'application/json;charset=UTF-8' });
    response.end(JSON.stringify(answer));
  }

  private answer(
    request: IncomingMessage,
    method: string,
    path: string,
    body: string,
  ): { readonly answer: Record<string, unknown>; readonly operation?: Operation } {
    const operation = OPERATIONS[path];
    if (method !== 'POST' || operation === undefined) {
      return { answer: failure('S207', `API不存在: ${path}`) };
    }
    const appKey = header(request, 'x-companyid') ?? header(request, 'x-appkey');
    if (appKey !== this.appKey) {
      return { answer: failure('S210', '未绑定该服务或appKey不存在') };
    }
    if (header(request, 'x-datadigest') !== FakeZto.digest(body, this.appSecret)) {
      return { answer: failure('S211', '签名错误') };
    }
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(body) as Record<string, unknown>;
    } catch {
      return { answer: failure('S208', '参数格式错误') };
    }
    const refusal = this.refusals.get(operation);
    if (refusal) {
      this.refusals.delete(operation);
      return { answer: failure(refusal.statusCode, refusal.message), operation };
    }
    switch (operation) {
      case 'create':
        return { answer: this.createOrder(json), operation };
      case 'subscribe':
        return { answer: this.subscribe(json), operation };
      case 'cancel':
        return { answer: this.cancel(json), operation };
    }
  }

  private createOrder(json: Record<string, unknown>): Record<string, unknown> {
    const partnerOrderCode = json.partnerOrderCode;
    if (typeof partnerOrderCode !== 'string' || partnerOrderCode === '') {
      return failure('S208', '缺少参数: partnerOrderCode');
    }
    const sender = json.senderInfo as Record<string, unknown> | null | undefined;
    const receiver = json.receiveInfo as Record<string, unknown> | null | undefined;
    if (typeof sender !== 'object' || sender === null || typeof receiver !== 'object' || receiver === null) {
      return failure('S208', '缺少参数: senderInfo/receiveInfo');
    }
    if (!filled(sender.senderMobile) && !filled(sender.senderPhone)) {
      return failure('S208', '寄件人手机号或电话不能为空');
    }
    if (!filled(receiver.receiverMobile) && !filled(receiver.receiverPhone)) {
      return failure('S208', '收件人手机号或电话不能为空');
    }
    let order = this.orders.get(partnerOrderCode);
    if (!order) {
      this.billSequence++;
      order = {
        partnerOrderCode,
        orderCode: `${Date.now()}${String(this.billSequence).padStart(5, '0')}`,
        billCode: `7310${String(Date.now()).slice(-6)}${String(this.billSequence).padStart(4, '0')}`,
        request: json,
      };
      this.orders.set(partnerOrderCode, order);
    }
    return {
      result: {
        billCode: order.billCode,
        orderCode: order.orderCode,
        partnerOrderCode,
        siteCode: '02100',
        siteName: '上海',
        bigMarkInfo: { bagAddr: '沪西', mark: '300- H12 09' },
      },
      message: '成功',
      status: true,
      statusCode: '0000',
    };
  }

  private subscribe(json: Record<string, unknown>): Record<string, unknown> {
    const billCode = json.billCode;
    if (typeof billCode !== 'string' || billCode === '') {
      return failure('S208', '缺少参数: billCode');
    }
    const mobilePhone = typeof json.mobilePhone === 'string' ? json.mobilePhone : undefined;
    this.subscriptions.set(billCode, { billCode, mobilePhone });
    return { result: true, message: '成功', status: true, statusCode: 'SYS000' };
  }

  private cancel(json: Record<string, unknown>): Record<string, unknown> {
    const { cancelType, orderCode, billCode } = json;
    if (typeof cancelType !== 'string' || !/^[1-7]$/.test(cancelType)) {
      return failure('S208', 'cancelType 必须是 1-7');
    }
    if (!filled(orderCode) && !filled(billCode)) {
      return failure('S208', 'orderCode与billCode必传其一');
    }
    const order = [...this.orders.values()].find(
      (candidate) =>
        (filled(orderCode) && candidate.orderCode === orderCode) ||
        (filled(billCode) && candidate.billCode === billCode),
    );
    if (!order) {
      // The notes document no code for this; the fake's own, so a test can tell it from a gateway code.
      return failure('FAKE_ORDER_NOT_FOUND', '订单不存在');
    }
    this.cancelled.add(order.partnerOrderCode);
    return { result: {}, message: '请求成功', status: true, statusCode: 'SYS000' };
  }
}

function filled(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

function failure(statusCode: string, message: string): Record<string, unknown> {
  return { status: false, statusCode, message, result: null };
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function acknowledges(answer: string): boolean {
  try {
    return (JSON.parse(answer) as { status?: unknown }).status === true;
  } catch {
    return false;
  }
}
