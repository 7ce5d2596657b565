import type { WebhookHeaders, WebhookRefusal, WebhookVerdict } from '@waybill/platform';

export type { WebhookHeaders, WebhookRefusal, WebhookRejection, WebhookVerdict } from '@waybill/platform';

/** The answer a source's sender expects, byte for byte (some gateways insist on an exact body). */
export interface WebhookAcknowledgement {
  readonly status: number;
  readonly contentType: string;
  /** Sent as is when a string; as JSON otherwise. */
  readonly body: string | object;
}

/** What the ingress did with a verified webhook, for the source to acknowledge. */
export interface WebhookReceipt<Applied = never> {
  /** The stored webhook's id (for a replay); undefined when it was ignored and so never stored. */
  readonly id?: string;
  /** This delivery id was received before: nothing was stored or applied again. */
  readonly duplicate: boolean;
  /** Verified, of a type nothing acts on, and not stored. */
  readonly ignored: boolean;
  /** What applying it in the request returned (sources applied in the request only, never a duplicate). */
  readonly applied?: Applied;
}

/**
 * One sender of webhooks — a payment provider, a carrier, a supplier, a storefront platform — as
 * the one ingress sees it. Adding a source is implementing this; storing, deduplication, the size
 * limit, counting, background apply with backoff and replay are the ingress's.
 */
export interface WebhookSource<Read, Applied = never> {
  /** The slug in the URL, in `webhook_inbox.source` and in the metrics. */
  readonly name: string;
  /**
   * The request headers (lower case) stored beside the raw body: what `read` needs later and what
   * lets the stored copy be verified again. Credentials are never stored, whatever is named here.
   */
  readonly storedHeaders: readonly string[];
  /**
   * Checks the signature on the exact raw bytes against `now`, then that the body reads; only an
   * accepted webhook is stored. A refusal is a value, never an exception.
   */
  verify(rawBody: Buffer, headers: WebhookHeaders, now: Date): WebhookVerdict;
  /**
   * Reads a stored, already verified body (possibly long after its signature's tolerance) into
   * what the apply step acts on. Throws only on a body that does not read.
   */
  read(rawBody: Buffer, headers: Readonly<Record<string, string>>): Read;
  /** The answer the sender expects for a webhook taken (stored, a duplicate, ignored or applied). */
  acknowledge(receipt: WebhookReceipt<Applied>): WebhookAcknowledgement;
  /**
   * The sender's own failure answer for a refused webhook, for senders that insist on one (WeChat
   * Pay's `{"code":"FAIL",…}`, Alipay's anything-but-`success`). Without it, the refusal is the
   * ingress's problem+json with its `WEBHOOK.<reason>` code. Counted the same either way.
   */
  refuse?(refusal: WebhookRefusal): WebhookAcknowledgement;
}

/** The JSON acknowledgement most senders take: any 2xx, our own body. */
export function jsonAcknowledgement(body: object, status = 200): WebhookAcknowledgement {
  return { status, contentType: 'application/json; charset=utf-8', body };
}

/** The first value of each named header, lower-cased: what is stored with the body. */
export function pickHeaders(headers: WebhookHeaders, names: readonly string[]): Record<string, string> {
  const wanted = new Set(names.map((name) => name.toLowerCase()));
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    // Node gives repeated headers as arrays; the stored copy keeps the first, as verification does.
    const first = Array.isArray(value) ? value[0] : value;
    if (wanted.has(lower) && first !== undefined) {
      kept[lower] = first;
    }
  }
  return kept;
}

/** The one place an acknowledgement meets the HTTP response (Express's, under @Res()). */
export interface AcknowledgementResponse {
  status(code: number): unknown;
  setHeader(name: string, value: string): unknown;
  end(body: Buffer): unknown;
}

export function sendAcknowledgement(response: AcknowledgementResponse, ack: WebhookAcknowledgement): void {
  response.status(ack.status);
  response.setHeader('content-type', ack.contentType);
  response.end(Buffer.from(typeof ack.body === 'string' ? ack.body : JSON.stringify(ack.body), 'utf8'));
}
