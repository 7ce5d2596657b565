/**
 * What the fake storefront platforms (FakeShopify, FakeWooCommerce, FakeYouzan) share: one webhook
 * POST whose answer is recorded, and decimal-string arithmetic for order totals (platforms send
 * amounts as decimal strings; adding them as floats would make the fakes' own totals wrong).
 */
import { closeLocal, listenLocal, readBody } from './local-http-party';

export interface PostedWebhook {
  /** HTTP status of Waybill's answer; 0 when there was none (refused connection, timeout). */
  readonly status: number;
  readonly answer: string;
}

/** POSTs one delivery and records the answer; never throws (no answer is status 0). */
export async function postWebhook(
  to: string,
  headers: Readonly<Record<string, string>>,
  body: string,
  timeoutMs = 5000,
): Promise<PostedWebhook> {
  try {
    const response = await fetch(to, {
      method: 'POST',
      headers,
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    return { status: response.status, answer: await response.text() };
  } catch {
    return { status: 0, answer: '' };
  }
}

export function pause(ms: number | undefined): Promise<void> {
  return ms ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

function parseDecimal(value: string): { readonly units: bigint; readonly scale: number } {
  const match = DECIMAL.exec(value.trim());
  if (!match) {
    throw new Error(`not a decimal amount: ${value}`);
  }
  const [, sign, whole, fraction = ''] = match;
  return { units: BigInt(`${sign}${whole}${fraction}`), scale: fraction.length };
}

function formatDecimal(units: bigint, scale: number): string {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(scale + 1, '0');
  const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return negative ? `-${text}` : text;
}

/** The exact sum of decimal strings, at the largest scale among them (at least `minScale`). */
export function addDecimals(values: readonly string[], minScale = 2): string {
  const parsed = values.map(parseDecimal);
  const scale = Math.max(minScale, ...parsed.map((value) => value.scale));
  const total = parsed.reduce((sum, value) => sum + value.units * 10n ** BigInt(scale - value.scale), 0n);
  return formatDecimal(total, scale);
}

/** `price × quantity`, exactly. */
export function multiplyDecimal(value: string, quantity: number, minScale = 2): string {
  const parsed = parseDecimal(value);
  const scale = Math.max(minScale, parsed.scale);
  return formatDecimal(parsed.units * 10n ** BigInt(scale - parsed.scale) * BigInt(quantity), scale);
}

export interface ReceivedWebhook {
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

export interface RecordingReceiver {
  readonly url: string;
  readonly received: ReceivedWebhook[];
  close(): Promise<void>;
}

/**
 * A stand-in for Waybill's intake in the fakes' own specs: records what arrives and answers the
 * given statuses in turn (the last one repeats) with `answer` as the body.
 */
export async function recordingReceiver(
  statuses: readonly number[] = [200],
  answer = '{}',
): Promise<RecordingReceiver> {
  const received: ReceivedWebhook[] = [];
  const { server, baseUrl } = await listenLocal(async (request, response) => {
    received.push({ headers: request.headers, body: await readBody(request) });
    response.writeHead(statuses[Math.min(received.length, statuses.length) - 1] ?? 200, {
      'Content-Type': 'application/json',
    });
    response.end(answer);
  });
  return { url: `${baseUrl}/v1/webhooks/channels/connection-1`, received, close: () => closeLocal(server) };
}
