import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { chinaTime, closeLocal, listenLocal, readBody } from './local-http-party';

/**
 * A stand-in for Kuaidi100 (快递100) subscription tracking over real HTTP: `POST /poll` (form fields
 * `schema=json`, `param=<JSON>`) and the pushes to the subscription's callbackurl. Hand-written on
 * node:http and node:crypto, never on Waybill's adapter (parties-share-no-vendor-code). Wire format
 * per /work/shared/partners/carriers-cn.md §4.
 *
 * As Kuaidi100 does, it
 * - authenticates the subscribe by `key` (no signature): a wrong one is returnCode 600;
 * - wants company, number (≤ 32) and parameters.callbackurl (700 otherwise), and the phone for SF;
 * - answers a second subscribe of the same company+number 501 "重复订阅" (Waybill treats it as success);
 * - pushes form fields `param` (status, message, lastResult with state and the whole trace newest
 *   first) and, when a salt was given, `sign` = UPPER(hex MD5(param + salt)); a push counts as
 *   delivered only when answered 200 with exactly `{"result":true,"returnCode":"200","message":"成功"}`;
 * - stops polling a parcel it pushed `abort` (or `shutdown`) for: a later subscribe of it is new (200).
 *
 * Faults for the subscriber's retries: `outage(n)` answers the next n polls HTTP 503 without
 * taking them; `loseNextAnswer()` takes the next poll and then drops the connection unanswered.
 */
export interface FakeKuaidi100Subscription {
  readonly company: string;
  readonly number: string;
  readonly callbackurl: string;
  readonly salt?: string;
  readonly phone?: string;
  readonly resultv2?: string;
  /** Trace nodes so far, newest first. */
  readonly trace: Kuaidi100Node[];
}

export interface Kuaidi100Node {
  readonly context: string;
  readonly time: string;
  readonly ftime: string;
  readonly status?: string;
  readonly statusCode?: string;
  readonly areaName?: string;
}

export interface FakeKuaidi100Push {
  readonly to: string;
  readonly param: string;
  readonly sign?: string;
  /** HTTP status (0: no answer) and raw body of Waybill's answer. */
  readonly status: number;
  readonly answer: string;
  readonly acknowledged: boolean;
}

export interface Kuaidi100PushOptions {
  /** `polling` (default), `shutdown`, `abort` or `updateall`. */
  readonly status?: 'polling' | 'shutdown' | 'abort' | 'updateall';
  readonly message?: string;
  /** lastResult.state, e.g. '0' 在途, '5' 派件, '3' 签收. */
  readonly state?: string;
  /** New nodes to add before pushing (oldest first); the push carries the whole trace, newest first. */
  readonly nodes?: readonly (Partial<Kuaidi100Node> & { readonly context: string })[];
}

export const KUAIDI100_ACK = '{"result":true,"returnCode":"200","message":"成功"}';

export class FakeKuaidi100 {
  readonly key = randomBytes(8).toString('hex');
  readonly customer = randomBytes(16).toString('hex').toUpperCase();
  readonly salt = randomBytes(8).toString('hex');
  readonly subscriptions = new Map<string, FakeKuaidi100Subscription>();
  readonly polls: { readonly param: string; readonly returnCode: string }[] = [];
  readonly pushes: FakeKuaidi100Push[] = [];
  /** Called for every parcel newly subscribed: where a simulated journey starts. */
  onSubscribed?: (subscription: FakeKuaidi100Subscription) => void;
  /** Parcels whose polling ended (abort, shutdown): subscribing them again is accepted as new. */
  private readonly ended = new Set<string>();
  private outages = 0;
  private losingAnswers = 0;

  private constructor(
    private readonly server: Server,
    readonly baseUrl: string,
  ) {}

  static async start(): Promise<FakeKuaidi100> {
    const holder: { fake?: FakeKuaidi100 } = {};
    const { server, baseUrl } = await listenLocal((request, response) =>
      holder.fake ? holder.fake.handle(request, response) : Promise.resolve(),
    );
    holder.fake = new FakeKuaidi100(server, baseUrl);
    return holder.fake;
  }

  /** Kuaidi100's push sign: upper-case hex MD5 of `param + salt`. */
  static sign(param: string, salt: string): string {
    return createHash('md5')
      .update(param + salt, 'utf8')
      .digest('hex')
      .toUpperCase();
  }

  async stop(): Promise<void> {
    await closeLocal(this.server);
  }

  env(): Record<string, string> {
    return {
      LOGISTICS_KUAIDI100_KEY: this.key,
      LOGISTICS_KUAIDI100_CUSTOMER: this.customer,
      LOGISTICS_KUAIDI100_SALT: this.salt,
      LOGISTICS_KUAIDI100_API_BASE: this.baseUrl,
    };
  }

  /** The next `polls` subscribe calls answer HTTP 503 and change nothing. */
  outage(polls = 1): void {
    this.outages += polls;
  }

  /** The next subscribe call is taken, but its answer never arrives (the connection is dropped). */
  loseNextAnswer(): void {
    this.losingAnswers += 1;
  }

  subscription(company: string, number: string): FakeKuaidi100Subscription | undefined {
    return this.subscriptions.get(`${company}|${number}`);
  }

  /** Push the subscription's whole trace (after adding `nodes`) to its callbackurl. */
  async push(
    company: string,
    number: string,
    options: Kuaidi100PushOptions = {},
  ): Promise<FakeKuaidi100Push> {
    const subscription = this.subscription(company, number);
    if (!subscription) {
      throw new Error(`fake Kuaidi100: ${company} ${number} is not subscribed`);
    }
    const start = Date.now();
    (options.nodes ?? []).forEach((node, index) => {
      const time = node.time ?? chinaTime(new Date(start + index * 60_000));
      subscription.trace.unshift({ ...node, time, ftime: node.ftime ?? time });
    });
    const status = options.status ?? 'polling';
    const param = JSON.stringify({
      status,
      billstatus: '',
      message: options.message ?? (status === 'abort' ? '3天查询无记录' : ''),
      autoCheck: '0',
      comOld: '',
      comNew: '',
      lastResult: {
        message: 'ok',
        state: options.state ?? '0',
        status: '200',
        condition: 'F00',
        ischeck: status === 'shutdown' ? '1' : '0',
        com: company,
        nu: number,
        data: subscription.trace,
      },
    });
    const fields: Record<string, string> = { param };
    if (subscription.salt !== undefined) {
      fields.sign = FakeKuaidi100.sign(param, subscription.salt);
    }
    let httpStatus = 0;
    let answer = '';
    try {
      const response = await fetch(subscription.callbackurl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=UTF-8' },
        body: new URLSearchParams(fields).toString(),
        signal: AbortSignal.timeout(20_000),
      });
      httpStatus = response.status;
      answer = await response.text();
    } catch {
      // No answer: recorded as status 0.
    }
    const push: FakeKuaidi100Push = {
      to: subscription.callbackurl,
      param,
      sign: fields.sign,
      status: httpStatus,
      answer,
      acknowledged: httpStatus === 200 && answer === KUAIDI100_ACK,
    };
    this.pushes.push(push);
    if (status === 'abort' || status === 'shutdown') {
      this.ended.add(`${company}|${number}`);
    }
    return push;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const form = new URLSearchParams(await readBody(request));
    const path = (request.url ?? '/').split('?')[0];
    if (this.outages > 0) {
      this.outages -= 1;
      this.polls.push({ param: form.get('param') ?? '', returnCode: 'HTTP 503' });
      response.writeHead(503, { 'Content-Type': 'text/plain' });
      response.end('Service Unavailable');
      return;
    }
    const [code, message] =
      request.method === 'POST' && path === '/poll' ? this.poll(form) : ['700', '接口不存在'];
    this.polls.push({ param: form.get('param') ?? '', returnCode: code });
    if (this.losingAnswers > 0) {
      this.losingAnswers -= 1;
      response.socket?.destroy();
      return;
    }
    response.writeHead(200, { 'Content-Type': 'application/json;charset=UTF-8' });
    response.end(JSON.stringify({ result: code === '200', returnCode: code, message }));
  }

  private poll(form: URLSearchParams): [string, string] {
    if (form.get('schema') !== 'json') {
      return ['700', 'schema必须为json'];
    }
    let param: Record<string, unknown>;
    try {
      param = JSON.parse(form.get('param') ?? '') as Record<string, unknown>;
    } catch {
      return ['700', 'param格式错误'];
    }
    if (param.key !== this.key) {
      return ['600', '您不是合法的订阅者（即授权Key出错）'];
    }
    const parameters = (param.parameters ?? {}) as Record<string, unknown>;
    const { company, number } = param;
    const callbackurl = parameters.callbackurl;
    if (
      typeof company !== 'string' ||
      company === '' ||
      typeof number !== 'string' ||
      number === '' ||
      number.length > 32 ||
      typeof callbackurl !== 'string' ||
      !/^https?:\/\//.test(callbackurl)
    ) {
      return ['700', '订阅参数错误或回调地址不正确'];
    }
    const phone = typeof parameters.phone === 'string' ? parameters.phone : undefined;
    if (company === 'shunfeng' && !phone) {
      return ['700', '顺丰单号需要提供电话号码(phone)'];
    }
    const id = `${company}|${number}`;
    const previous = this.subscriptions.get(id);
    if (previous && !this.ended.has(id)) {
      return ['501', '重复订阅'];
    }
    this.ended.delete(id);
    this.subscriptions.set(id, {
      company,
      number,
      callbackurl,
      salt: typeof parameters.salt === 'string' ? parameters.salt : undefined,
      phone,
      resultv2: typeof parameters.resultv2 === 'string' ? parameters.resultv2 : undefined,
      // A parcel subscribed again keeps its history: Kuaidi100 pushes the whole trace.
      trace: previous?.trace ?? [],
    });
    const subscribed = this.subscriptions.get(id);
    if (subscribed && this.onSubscribed) {
      // After the answer is on its way: a simulated journey starts from a subscription Waybill holds.
      setImmediate(() => this.onSubscribed?.(subscribed));
    }
    return ['200', '提交成功'];
  }
}
