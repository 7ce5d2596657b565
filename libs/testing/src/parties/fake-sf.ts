import { createHash, randomBytes, randomInt } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for SF Express's 丰桥 open platform (`POST /std/service`), over real HTTP, for the SF
 * adapter: create order, cancel (EXP_RECE_UPDATE_ORDER dealType 2), route query, and the unsigned
 * JSON route pushes SF sends to the URL configured in its console. Hand-written on node:http and
 * node:crypto, never on Waybill's adapter: it plays SF, so a digest mistake both shared would pass
 * every test (parties-share-no-vendor-code).
 *
 * As SF does, it
 * - takes the form fields partnerID, requestID, serviceCode, timestamp, msgData, msgDigest and
 *   answers the two-layer envelope `{apiErrorMsg, apiResponseID, apiResultCode, apiResultData}`,
 *   `apiResultData` being a JSON *string* (or null on a platform refusal);
 * - refuses a missing field or a non-form body with A1001, an unknown partnerID or serviceCode
 *   with A1004, and a msgDigest other than Base64(MD5(JavaURLEncoder(msgData + timestamp +
 *   checkWord))) with A1006 数字签名无效;
 * - answers business results inside A1000: `errorCode` S0000 on success, 8016 重复下单 on a second
 *   create with the same orderId, 8037 on cancelling a cancelled order, 8018 on an unknown order,
 *   8119 on a foreign monthly card;
 * - can be told to answer 503 (failNext), A1005 流量超限 (rateLimitNext) or late (stallNext);
 * - pushes `{"Body":{"WaybillRoute":[…]}}` unsigned, at most 10 a batch, and records each answer
 *   (Waybill must answer exactly `{"return_code":"0000","return_msg":"成功"}`).
 *
 * Which platform code SF gives an unknown partnerID is not in our notes (carriers-cn.md §1.4);
 * A1004 (no permission for the service) is this fake's choice.
 */
export type SfService = 'EXP_RECE_CREATE_ORDER' | 'EXP_RECE_UPDATE_ORDER' | 'EXP_RECE_SEARCH_ROUTES';
export type SfOperation = 'create' | 'cancel' | 'routes';

export interface FakeSfWaybill {
  readonly orderId: string;
  readonly waybillNo: string;
  /** The create's msgData, parsed. */
  readonly order: Record<string, unknown>;
  state: 'created' | 'confirmed' | 'cancelled';
  /** Every route pushed or added so far, in the order they were made. */
  readonly routes: FakeSfRoute[];
}

export interface FakeSfRoute {
  readonly id: string;
  readonly mailno: string;
  readonly orderid: string;
  readonly acceptTime: string;
  readonly acceptAddress: string | null;
  readonly remark: string;
  readonly opCode: string;
  readonly reasonCode: string | null;
  readonly reasonName: string | null;
}

/**
 * What a route push may leave out: the fake fills in id, time, address and remark; mailno is the one
 * pushed for, and orderid the booking's (when the fake booked that mailno).
 */
export type FakeSfRouteInput = Partial<FakeSfRoute> & Pick<FakeSfRoute, 'opCode'>;

export interface FakeSfCall {
  readonly serviceCode: string;
  readonly form: Readonly<Record<string, string>>;
  readonly apiResultCode: string;
  /** apiResultData's errorCode, when the gateway let the call through. */
  readonly errorCode?: string;
  /** Carried out, but the answer was never sent (loseNextAnswer). */
  readonly lost: boolean;
}

export interface FakeSfPush {
  readonly to: string;
  readonly body: string;
  readonly routeIds: readonly string[];
  /** HTTP status of Waybill's answer (0: no answer). */
  readonly status: number;
  readonly answer: string;
  /** The answer was exactly SF's success ack. */
  readonly acked: boolean;
}

export interface FakeSfPushOptions {
  readonly to: string;
  /** Send the batches (and the routes within each) in reverse order. */
  readonly outOfOrder?: boolean;
  /** Send every batch twice, as SF does when it did not see an ack. */
  readonly duplicate?: boolean;
  /** Wait this long before each batch. */
  readonly delayMs?: number;
  /** Routes per batch, at most 10 (SF's maximum, the default). */
  readonly batchSize?: number;
}

interface Envelope {
  readonly apiErrorMsg: string;
  readonly apiResponseID: string;
  readonly apiResultCode: string;
  readonly apiResultData: string | null;
}

/** The exact ack SF expects from a route-push receiver. */
export const SF_PUSH_ACK = '{"return_code":"0000","return_msg":"成功"}';
const REQUIRED = ['partnerID', 'requestID', 'serviceCode', 'timestamp', 'msgData', 'msgDigest'];
const OPERATIONS: Record<SfService, SfOperation> = {
  EXP_RECE_CREATE_ORDER: 'create',
  EXP_RECE_UPDATE_ORDER: 'cancel',
  EXP_RECE_SEARCH_ROUTES: 'routes',
};
const MAX_BATCH = 10;

export class FakeSf {
  readonly partnerId = `WB${randomDigits(8)}`;
  readonly checkWord = randomBytes(16).toString('hex');
  /** SF's sandbox test monthly card. */
  readonly monthlyCard = '7551234567';
  readonly calls: FakeSfCall[] = [];
  readonly pushes: FakeSfPush[] = [];
  /** Keyed by orderId. */
  readonly waybills = new Map<string, FakeSfWaybill>();
  /** Answer the next N calls with HTTP 503, as SF's gateway does when it is down (nothing is carried out). */
  failNext = 0;
  /** Answer the next N calls with A1005 (rate limited), carrying nothing out. */
  rateLimitNext = 0;
  /** Hold the next N calls this long before answering (to trip the caller's timeout). */
  stallNext = 0;
  stallMs = 0;
  private readonly lose = new Set<SfOperation>();
  private readonly timers = new Set<NodeJS.Timeout>();

  private constructor(
    private readonly server: Server,
    readonly baseUrl: string,
  ) {}

  static async start(): Promise<FakeSf> {
    const holder: { fake?: FakeSf } = {};
    const server = createServer((request, response) => {
      void holder.fake?.handle(request, response);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    holder.fake = new FakeSf(server, `http://127.0.0.1:${port}`);
    return holder.fake;
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) {
      clearTimeout(timer);
    }
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Scheme, host and port; the service itself is at `${LOGISTICS_SF_API_BASE}/std/service`. */
  env(): Record<string, string> {
    return {
      LOGISTICS_SF_PARTNER_ID: this.partnerId,
      LOGISTICS_SF_CHECK_WORD: this.checkWord,
      LOGISTICS_SF_API_BASE: this.baseUrl,
      LOGISTICS_SF_MONTHLY_CARD: this.monthlyCard,
    };
  }

  get serviceUrl(): string {
    return `${this.baseUrl}/std/service`;
  }

  /** The next call of this operation is carried out, but its connection drops before the answer. */
  loseNextAnswer(operation: SfOperation): void {
    this.lose.add(operation);
  }

  waybillFor(orderId: string): FakeSfWaybill | undefined {
    return this.waybills.get(orderId);
  }

  // --- SF's digest, written here from SF's documentation ------------------------------------

  /** java.net.URLEncoder.encode(text, "UTF-8"): keeps A–Z a–z 0–9 . - * _, space → +, else %XX. */
  static javaUrlEncode(text: string): string {
    let out = '';
    for (const byte of Buffer.from(text, 'utf8')) {
      const char = String.fromCharCode(byte);
      if (/[A-Za-z0-9.\-*_]/.test(char)) {
        out += char;
      } else if (byte === 0x20) {
        out += '+';
      } else {
        out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
      }
    }
    return out;
  }

  /** msgDigest = Base64(MD5(JavaURLEncoder(msgData + timestamp + checkWord))). */
  static digest(msgData: string, timestamp: string, checkWord: string): string {
    const encoded = FakeSf.javaUrlEncode(msgData + timestamp + checkWord);
    return createHash('md5').update(encoded, 'utf8').digest('base64');
  }

  // --- route pushes ---------------------------------------------------------------------------

  /**
   * Records these routes on the waybill and pushes them to `to` as SF does: unsigned JSON, at most
   * 10 a batch. Resolves with the pushes made, each with Waybill's answer.
   */
  async pushRoutes(
    mailno: string,
    routes: readonly FakeSfRouteInput[],
    options: FakeSfPushOptions,
  ): Promise<FakeSfPush[]> {
    const batchSize = Math.min(options.batchSize ?? MAX_BATCH, MAX_BATCH);
    const made = this.addRoutes(mailno, routes);
    const batches: FakeSfRoute[][] = [];
    for (let i = 0; i < made.length; i += batchSize) {
      batches.push(made.slice(i, i + batchSize));
    }
    if (options.outOfOrder) {
      batches.reverse();
      batches.forEach((batch) => batch.reverse());
    }
    const sent: FakeSfPush[] = [];
    for (const batch of batches) {
      for (let copy = 0; copy < (options.duplicate ? 2 : 1); copy++) {
        if (options.delayMs) {
          await this.sleep(options.delayMs);
        }
        sent.push(await this.post(options.to, batch));
      }
    }
    return sent;
  }

  /** Records routes on a waybill (for the route query) without pushing them. */
  addRoutes(mailno: string, routes: readonly FakeSfRouteInput[]): FakeSfRoute[] {
    const waybill = [...this.waybills.values()].find((w) => w.waybillNo === mailno);
    const made = routes.map((route): FakeSfRoute => ({
      id: route.id ?? randomDigits(15),
      mailno,
      orderid: waybill?.orderId ?? route.orderid ?? '',
      acceptTime: route.acceptTime ?? shanghaiTime(new Date()),
      acceptAddress: route.acceptAddress === undefined ? '深圳市' : route.acceptAddress,
      remark: route.remark ?? '顺丰速运 已收取快件',
      opCode: route.opCode,
      reasonCode: route.reasonCode ?? null,
      reasonName: route.reasonName ?? null,
    }));
    waybill?.routes.push(...made);
    return made;
  }

  private async post(to: string, batch: readonly FakeSfRoute[]): Promise<FakeSfPush> {
    const body = JSON.stringify({ Body: { WaybillRoute: batch } });
    let status = 0;
    let answer = '';
    try {
      const response = await fetch(to, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json;charset=UTF-8' },
        body,
      });
      status = response.status;
      answer = await response.text();
    } catch {
      // No answer: recorded as status 0.
    }
    const push: FakeSfPush = {
      to,
      body,
      routeIds: batch.map((route) => route.id),
      status,
      answer,
      acked: status === 200 && answer === SF_PUSH_ACK,
    };
    this.pushes.push(push);
    return push;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }

  // --- the wire -------------------------------------------------------------------------------

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) {
      chunks.push(chunk as Buffer);
    }
    const text = Buffer.concat(chunks).toString('utf8');
    const path = new URL(request.url ?? '/', 'http://sf.invalid').pathname;
    if (request.method !== 'POST' || path !== '/std/service') {
      response.writeHead(404, { 'Content-Type': 'text/plain' });
      response.end('Not Found');
      return;
    }
    if (this.stallNext > 0) {
      this.stallNext--;
      await this.sleep(this.stallMs);
    }
    if (this.failNext > 0) {
      this.failNext--;
      if (!response.destroyed) {
        response.writeHead(503, { 'Content-Type': 'text/html' });
        response.end('<html><body>503 Service Temporarily Unavailable</body></html>');
      }
      return;
    }
    if (this.rateLimitNext > 0) {
      this.rateLimitNext--;
      response.writeHead(200, { 'Content-Type': 'application/json;charset=UTF-8' });
      response.end(JSON.stringify(refusal('A1005', '流量超限')));
      return;
    }
    const isForm = (request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
    const form = isForm ? Object.fromEntries(new URLSearchParams(text)) : {};
    const { envelope, operation } = this.answer(isForm, form);
    const lost = operation !== undefined && this.lose.delete(operation);
    this.calls.push({
      serviceCode: form.serviceCode ?? '',
      form,
      apiResultCode: envelope.apiResultCode,
      errorCode: envelope.apiResultData
        ? (JSON.parse(envelope.apiResultData) as { errorCode: string }).errorCode
        : undefined,
      lost,
    });
    if (lost) {
      request.socket.destroy();
      return;
    }
    if (response.destroyed) {
      return;
    }
    response.writeHead(200, { 'Content-Type': 'application/json;charset=UTF-8' });
    response.end(JSON.stringify(envelope));
  }

  private answer(
    isForm: boolean,
    form: Record<string, string>,
  ): { readonly envelope: Envelope; readonly operation?: SfOperation } {
    const missing = REQUIRED.filter((field) => !form[field]);
    if (!isForm || missing.length > 0) {
      return { envelope: refusal('A1001', `必传参数不可为空: ${missing.join(',') || 'form'}`) };
    }
    if (form.partnerID !== this.partnerId) {
      return { envelope: refusal('A1004', '无对应服务权限') };
    }
    const operation = OPERATIONS[form.serviceCode as SfService] as SfOperation | undefined;
    if (!operation) {
      return { envelope: refusal('A1004', '无对应服务权限') };
    }
    if (form.msgDigest !== FakeSf.digest(form.msgData, form.timestamp, this.checkWord)) {
      return {
        envelope: refusal('A1006', '数字签名无效，验证不通过。非Java语言注意特殊字符（已支持"*"," ","-"）'),
      };
    }
    let msgData: Record<string, unknown>;
    try {
      msgData = JSON.parse(form.msgData) as Record<string, unknown>;
    } catch {
      return { envelope: business(false, '1010', 'msgData 不是有效的JSON', null) };
    }
    switch (operation) {
      case 'create':
        return { envelope: this.create(msgData), operation };
      case 'cancel':
        return { envelope: this.update(msgData), operation };
      case 'routes':
        return { envelope: this.searchRoutes(msgData), operation };
    }
  }

  private create(msgData: Record<string, unknown>): Envelope {
    const orderId = typeof msgData.orderId === 'string' ? msgData.orderId : '';
    if (!orderId) {
      return business(false, '8013', '订单号不能为空', null);
    }
    if (this.waybills.has(orderId)) {
      return business(false, '8016', '重复下单', null);
    }
    if (msgData.monthlyCard !== undefined && msgData.monthlyCard !== this.monthlyCard) {
      return business(false, '8119', '月结卡号不存在或已失效', null);
    }
    const waybillNo = `SF${randomDigits(13)}`;
    this.waybills.set(orderId, { orderId, waybillNo, order: msgData, state: 'created', routes: [] });
    const checkCode = randomBytes(4).toString('hex');
    return business(true, 'S0000', null, {
      orderId,
      originCode: '755',
      destCode: '020',
      filterResult: 2,
      remark: '',
      waybillNoInfoList: [{ waybillType: 1, waybillNo }],
      routeLabelInfo: [
        {
          code: '1000',
          routeLabelData: {
            waybillNo,
            destRouteLabel: '020W-F0-CK',
            codingMapping: 'K35',
            twoDimensionCode: `MMM={'k1':'020W','k2':'020CK','k3':'','k4':'T801','k5':'${waybillNo}','k6':'','k7':'${checkCode}'}`,
            proCode: '特快',
            checkCode,
          },
          message: `${waybillNo}:`,
        },
      ],
    });
  }

  private update(msgData: Record<string, unknown>): Envelope {
    const orderId = typeof msgData.orderId === 'string' ? msgData.orderId : '';
    const waybill = this.waybills.get(orderId);
    if (!waybill) {
      return business(false, '8018', '未获取到订单信息', null);
    }
    const dealType = Number(msgData.dealType ?? 1);
    if (waybill.state === 'cancelled') {
      return business(false, '8037', '订单已消单', null);
    }
    if (dealType === 2) {
      waybill.state = 'cancelled';
    } else if (dealType === 1) {
      if (waybill.state === 'confirmed') {
        return business(false, '8252', '订单已确认', null);
      }
      waybill.state = 'confirmed';
    } else {
      return business(false, '1010', 'dealType 无效', null);
    }
    return business(true, 'S0000', null, {
      orderId,
      waybillNoInfoList: [{ waybillType: 1, waybillNo: waybill.waybillNo }],
      resStatus: 2,
    });
  }

  private searchRoutes(msgData: Record<string, unknown>): Envelope {
    const numbers = Array.isArray(msgData.trackingNumber) ? msgData.trackingNumber.map(String) : [];
    if (numbers.length > MAX_BATCH) {
      return business(false, '8003', '查询单号超过最大限制', null);
    }
    const byOrderId = msgData.trackingType === '2' || msgData.trackingType === 2;
    const routeResps = numbers.map((number) => {
      const waybill = byOrderId
        ? this.waybills.get(number)
        : [...this.waybills.values()].find((w) => w.waybillNo === number);
      const routes = [...(waybill?.routes ?? [])]
        .sort((a, b) => a.acceptTime.localeCompare(b.acceptTime))
        .map((route) => ({
          acceptTime: route.acceptTime,
          acceptAddress: route.acceptAddress,
          remark: route.remark,
          opCode: route.opCode,
        }));
      return { mailNo: waybill?.waybillNo ?? number, routes };
    });
    return business(true, 'S0000', null, { routeResps });
  }
}

function responseId(): string {
  return randomBytes(16).toString('hex').toUpperCase();
}

function refusal(apiResultCode: string, apiErrorMsg: string): Envelope {
  return { apiErrorMsg, apiResponseID: responseId(), apiResultCode, apiResultData: null };
}

function business(
  success: boolean,
  errorCode: string,
  errorMsg: string | null,
  msgData: object | null,
): Envelope {
  return {
    apiErrorMsg: '',
    apiResponseID: responseId(),
    apiResultCode: 'A1000',
    apiResultData: JSON.stringify({ success, errorCode, errorMsg, msgData }),
  };
}

function randomDigits(count: number): string {
  let out = '';
  for (let i = 0; i < count; i++) {
    out += String(randomInt(10));
  }
  return out;
}

/** `yyyy-MM-dd HH:mm:ss` in Asia/Shanghai (UTC+8, no DST), as SF writes times. */
function shanghaiTime(at: Date): string {
  return new Date(at.getTime() + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
}
