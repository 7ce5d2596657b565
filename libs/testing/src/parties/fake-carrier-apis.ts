import { randomBytes } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { closeLocal, listenLocal, readBody } from './local-http-party';

/**
 * Stand-ins for carrier APIs over real HTTP, speaking their wire formats, for the booking and
 * cancellation paths of the adapters. They record every call and can be told to fail or stall.
 * Hand-written on node:http, never on `@easypost/api` or another client the adapters use: the
 * fakes play the carriers, so they must not share the adapters' code (parties-share-no-vendor-code
 * in .dependency-cruiser.js).
 */
export interface RecordedCall {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Record<string, unknown>;
}

interface Answer {
  readonly status: number;
  readonly body: unknown;
  /** Carried out, but the connection is dropped instead of answering (the caller sees a reset). */
  readonly lost?: boolean;
}

export abstract class FakeCarrierApi {
  readonly calls: RecordedCall[] = [];
  /** Answer the next N requests with 503. */
  failNext = 0;
  /** Hold the next N requests this long before answering (to trip the caller's timeout). */
  stallNext = 0;
  stallMs = 0;
  private server?: Server;
  baseUrl = '';

  protected abstract route(call: RecordedCall): Answer;

  async start(): Promise<this> {
    const { server, baseUrl } = await listenLocal((request, response) => this.handle(request, response));
    this.server = server;
    this.baseUrl = baseUrl;
    return this;
  }

  async stop(): Promise<void> {
    if (this.server) {
      await closeLocal(this.server);
    }
  }

  callsTo(method: string, pathPattern: RegExp): RecordedCall[] {
    return this.calls.filter((call) => call.method === method && pathPattern.test(call.path));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const text = await readBody(request);
    let body: Record<string, unknown> = {};
    try {
      body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      return send(response, {
        status: 400,
        body: { error: { code: 'BAD_REQUEST', message: 'invalid JSON' } },
      });
    }
    const call: RecordedCall = {
      method: request.method ?? 'GET',
      path: request.url ?? '/',
      headers: request.headers,
      body,
    };
    this.calls.push(call);
    if (this.stallNext > 0) {
      this.stallNext--;
      await new Promise((resolve) => setTimeout(resolve, this.stallMs));
    }
    if (this.failNext > 0) {
      this.failNext--;
      return send(response, {
        status: 503,
        body: { error: { code: 'SERVICE_UNAVAILABLE', message: 'try again' } },
      });
    }
    const answer = this.route(call);
    if (answer.lost) {
      request.socket.destroy();
      return;
    }
    send(response, answer);
  }
}

function send(response: ServerResponse, answer: Answer): void {
  if (response.destroyed) {
    return;
  }
  response.writeHead(answer.status, { 'Content-Type': 'application/json' });
  response.end(JSON.stringify(answer.body));
}

function hex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

/**
 * EasyPost: Basic auth with the API key as user name, one-call buy on `POST /v2/shipments`
 * (answers the Shipment with `tracking_code` and `postage_label`), `GET /v2/shipments/:id` where
 * the id may be the shipment's `reference` instead (EasyPost documents that a reference "may be
 * used in place of id values"; uniqueness of references is not enforced, and this fake answers the
 * latest shipment bought under one), `POST /v2/shipments/:id/refund`.
 * A `to_address.zip` of `00000` fails address verification (422), as EasyPost's does for bad ones.
 */
export interface EasyPostShipment {
  readonly id: string;
  readonly reference: string;
  readonly trackingCode: string;
  pickedUp: boolean;
}

export class FakeEasyPost extends FakeCarrierApi {
  readonly shipments = new Map<string, EasyPostShipment>();
  /** Called for every label bought: where a simulated carrier starts moving the parcel. */
  onBought?: (shipment: EasyPostShipment) => void;
  /** The Shipment objects as answered when bought, by id: what a retrieve answers again. */
  private readonly answered = new Map<string, Record<string, unknown>>();
  private readonly lose = new Set<'create'>();

  /**
   * The next one-call buy is carried out (the label is bought) but its answer never arrives: the
   * connection is dropped, as when a timeout or a proxy loses EasyPost's answer.
   */
  loseNextAnswer(operation: 'create'): void {
    this.lose.add(operation);
  }

  constructor(readonly apiKey = `EZTK${hex(12)}`) {
    super();
  }

  protected route(call: RecordedCall): Answer {
    const expected = `Basic ${Buffer.from(`${this.apiKey}:`).toString('base64')}`;
    if (call.headers.authorization !== expected) {
      return { status: 401, body: { error: { code: 'APIKEY.INACTIVE', message: 'invalid api key' } } };
    }
    if (call.method === 'POST' && call.path === '/v2/shipments') {
      const shipment = (call.body.shipment ?? {}) as Record<
        string,
        Record<string, unknown> | string | undefined
      >;
      const to = shipment.to_address as Record<string, unknown> | undefined;
      if (!to || to.zip === '00000') {
        return {
          status: 422,
          body: { error: { code: 'ADDRESS.VERIFY.FAILURE', message: 'Unable to verify address.' } },
        };
      }
      const id = `shp_${hex(16)}`;
      const trackingCode = `9400${String(Date.now()).slice(-10)}${Math.floor(Math.random() * 1e8)}`;
      const bought: EasyPostShipment = {
        id,
        reference: typeof shipment.reference === 'string' ? shipment.reference : '',
        trackingCode,
        pickedUp: false,
      };
      this.shipments.set(id, bought);
      this.onBought?.(bought);
      const body = {
        id,
        object: 'Shipment',
        mode: 'test',
        reference: shipment.reference,
        status: 'unknown',
        tracking_code: trackingCode,
        postage_label: {
          object: 'PostageLabel',
          label_url: `https://easypost-files.example/postage_label/${id}.png`,
        },
        selected_rate: {
          object: 'Rate',
          carrier: 'USPS',
          service: 'Priority',
          rate: '7.58',
          currency: 'USD',
        },
      };
      this.answered.set(id, body);
      return { status: 201, body, lost: this.lose.delete('create') };
    }
    const retrieve = /^\/v2\/shipments\/([^/?]+)$/.exec(call.path);
    if (call.method === 'GET' && retrieve) {
      const key = decodeURIComponent(retrieve[1]);
      const byId = this.answered.get(key);
      // Map order is purchase order, so the last match is the latest label bought under the reference.
      const byReference = [...this.answered.values()].filter((shipment) => shipment.reference === key).pop();
      const found = byId ?? byReference;
      if (!found) {
        return {
          status: 404,
          body: { error: { code: 'NOT_FOUND', message: 'The requested resource could not be found.' } },
        };
      }
      return { status: 200, body: found };
    }
    const refund = /^\/v2\/shipments\/([^/]+)\/refund$/.exec(call.path);
    if (call.method === 'POST' && refund) {
      const shipment = this.shipments.get(refund[1]);
      if (!shipment) {
        return { status: 404, body: { error: { code: 'NOT_FOUND', message: 'shipment not found' } } };
      }
      return {
        status: 200,
        body: {
          id: refund[1],
          object: 'Shipment',
          refund_status: shipment.pickedUp ? 'rejected' : 'submitted',
        },
      };
    }
    return { status: 404, body: { error: { code: 'NOT_FOUND', message: 'no such route' } } };
  }
}

/** EasyPost's tracking statuses (`Tracker.status`) a parcel moves through. */
export type EasyPostTrackingStatus =
  | 'pre_transit'
  | 'in_transit'
  | 'out_for_delivery'
  | 'delivered'
  | 'available_for_pickup'
  | 'return_to_sender'
  | 'failure';

/**
 * A `tracker.updated` Event as EasyPost posts it to a webhook URL (the fields Waybill reads and the
 * usual envelope around them; see services/logistics/src/carriers/fixtures/easypost).
 */
export function easyPostTrackerEvent(
  shipment: Pick<EasyPostShipment, 'id' | 'trackingCode'>,
  status: EasyPostTrackingStatus,
  at = new Date(),
): Record<string, unknown> {
  const time = at.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    id: `evt_${hex(16)}`,
    object: 'Event',
    mode: 'test',
    description: 'tracker.updated',
    created_at: time,
    updated_at: time,
    status: 'pending',
    result: {
      id: `trk_${hex(16)}`,
      object: 'Tracker',
      mode: 'test',
      tracking_code: shipment.trackingCode,
      status,
      status_detail: 'status_update',
      updated_at: time,
      shipment_id: shipment.id,
      carrier: 'USPS',
      tracking_details: [
        {
          object: 'TrackingDetail',
          message: status.replace(/_/g, ' '),
          status,
          status_detail: 'status_update',
          datetime: time,
          source: 'USPS',
          tracking_location: { object: 'TrackingLocation', city: 'CHARLESTON', state: 'SC', country: 'US' },
        },
      ],
    },
  };
}

/**
 * A direct carrier on Waybill's published carrier API: Bearer key, `Idempotency-Key` honoured by
 * replaying the first answer, 409 on cancelling a parcel already picked up.
 */
export class FakeDirectCarrier extends FakeCarrierApi {
  readonly shipments = new Map<string, { trackingNumber: string; pickedUp: boolean; cancelled: boolean }>();
  private readonly replies = new Map<string, Answer>();
  private readonly lose = new Set<'create'>();

  /**
   * The next booking is carried out (and kept for its idempotency key) but its answer never
   * arrives: the connection is dropped. A retry under the same key gets the booking back.
   */
  loseNextAnswer(operation: 'create'): void {
    this.lose.add(operation);
  }

  constructor(readonly apiKey = `dk_${hex(12)}`) {
    super();
  }

  protected route(call: RecordedCall): Answer {
    if (call.headers.authorization !== `Bearer ${this.apiKey}`) {
      return { status: 401, body: { code: 'UNAUTHORIZED', message: 'invalid key' } };
    }
    const key = call.headers['idempotency-key'];
    if (typeof key !== 'string') {
      return { status: 400, body: { code: 'IDEMPOTENCY_KEY_REQUIRED', message: 'send one' } };
    }
    const replay = this.replies.get(`${call.path}|${key}`);
    if (replay) {
      return replay;
    }
    const answer = this.answer(call);
    this.replies.set(`${call.path}|${key}`, answer);
    if (call.method === 'POST' && call.path === '/v1/shipments' && this.lose.delete('create')) {
      return { ...answer, lost: true };
    }
    return answer;
  }

  private answer(call: RecordedCall): Answer {
    if (call.method === 'POST' && call.path === '/v1/shipments') {
      const id = `dx_${hex(8)}`;
      const trackingNumber = `DX${hex(5).toUpperCase()}`;
      this.shipments.set(id, { trackingNumber, pickedUp: false, cancelled: false });
      return {
        status: 201,
        body: { id, tracking_number: trackingNumber, label_url: `https://labels.direct.example/${id}.pdf` },
      };
    }
    const cancel = /^\/v1\/shipments\/([^/]+)\/cancel$/.exec(call.path);
    if (call.method === 'POST' && cancel) {
      const shipment = this.shipments.get(cancel[1]);
      if (!shipment) {
        return { status: 404, body: { code: 'NOT_FOUND', message: 'no such shipment' } };
      }
      if (shipment.pickedUp) {
        return { status: 409, body: { code: 'ALREADY_PICKED_UP', message: 'the parcel is on its way' } };
      }
      shipment.cancelled = true;
      return { status: 200, body: { id: cancel[1], status: 'cancelled' } };
    }
    return { status: 404, body: { code: 'NOT_FOUND', message: 'no such route' } };
  }
}
