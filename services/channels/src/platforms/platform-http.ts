/**
 * One call to a platform's Admin API, for the three StorefrontApi adapters: Node's fetch with a
 * per-request timeout, redirects refused (a redirect would carry the credentials elsewhere), the
 * answer read up to a size cap and decoded strictly, and every way it can go wrong turned into a
 * `retry` or `failed` outcome with a reason. Nothing here throws on what a platform answers.
 * Reasons name the failure (HTTP 503, ECONNREFUSED, a snippet of the platform's message), never
 * the URL's query, the headers or the body sent, which carry credentials.
 */
import { isRecord } from '../domain/map-order';

/** The most of an answer that is read; a larger one is refused, not buffered. */
export const MAX_ANSWER_BYTES = 5 * 1024 * 1024;

export interface PlatformRequest {
  readonly url: string;
  readonly method: 'GET' | 'POST' | 'DELETE';
  readonly headers?: Readonly<Record<string, string>>;
  /** Sent as JSON with `Content-Type: application/json`. */
  readonly json?: unknown;
  readonly timeoutMs: number;
  readonly maxBytes?: number;
}

/** Why a call did not give an answer to read: the adapters pass it on as their outcome. */
export type PlatformProblem =
  | { readonly status: 'retry'; readonly reason: string }
  | { readonly status: 'failed'; readonly reason: string };

export type PlatformAnswer =
  | { readonly ok: true; readonly status: number; readonly text: string; readonly headers: Headers }
  | { readonly ok: false; readonly problem: PlatformProblem };

/**
 * Statuses every platform means the same way: 401/403 need someone to fix the credentials or the
 * scopes; 408, 429 and 5xx are worth asking again; a 3xx is refused. Anything else is answered for
 * the adapter to read (a 404 or 400 means something different to each platform).
 */
export async function callPlatform(platform: string, request: PlatformRequest): Promise<PlatformAnswer> {
  const maxBytes = request.maxBytes ?? MAX_ANSWER_BYTES;
  let response: Response;
  try {
    response = await fetch(request.url, {
      method: request.method,
      headers: {
        Accept: 'application/json',
        ...(request.json !== undefined && { 'Content-Type': 'application/json' }),
        ...request.headers,
      },
      body: request.json !== undefined ? JSON.stringify(request.json) : undefined,
      redirect: 'manual',
      signal: AbortSignal.timeout(request.timeoutMs),
    });
  } catch (error) {
    return { ok: false, problem: { status: 'retry', reason: `${platform}: ${networkFailure(error)}` } };
  }
  const body = await readCapped(response, maxBytes);
  if (!body.ok) {
    return { ok: false, problem: { status: body.status, reason: `${platform}: ${body.reason}` } };
  }
  const { status } = response;
  const said = `${platform} answered HTTP ${status}${messageSnippet(body.text)}`;
  if (status === 401 || status === 403) {
    return { ok: false, problem: { status: 'failed', reason: `${said} (check the credentials and scopes)` } };
  }
  if (status === 408 || status === 429 || status >= 500) {
    return { ok: false, problem: { status: 'retry', reason: said } };
  }
  if (status >= 300 && status < 400) {
    return {
      ok: false,
      problem: { status: 'failed', reason: `${said}, a redirect (is the connection's API base right?)` },
    };
  }
  return { ok: true, status, text: body.text, headers: response.headers };
}

/** The answer's text, or why it was not read: too large (failed), cut off or not UTF-8 (retry). */
async function readCapped(
  response: Response,
  maxBytes: number,
): Promise<
  | { readonly ok: true; readonly text: string }
  | { readonly ok: false; readonly status: 'retry' | 'failed'; readonly reason: string }
> {
  const tooLarge = {
    ok: false,
    status: 'failed',
    reason: `the answer is larger than ${maxBytes} bytes; not read (ask for smaller pages)`,
  } as const;
  const declared = Number(response.headers.get('content-length') ?? '');
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    return tooLarge;
  }
  if (!response.body) {
    return { ok: true, text: '' };
  }
  const reader: ReadableStreamDefaultReader<Uint8Array> = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        break;
      }
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel().catch(() => undefined);
        return tooLarge;
      }
      chunks.push(value);
    }
  } catch (error) {
    return { ok: false, status: 'retry', reason: `the answer was cut off: ${networkFailure(error)}` };
  }
  try {
    return { ok: true, text: new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks)) };
  } catch {
    return { ok: false, status: 'retry', reason: 'the answer is not UTF-8 text' };
  }
}

function networkFailure(error: unknown): string {
  // By name, not instanceof: fetch's DOMException may come from another realm (a test VM).
  const name = (error as { name?: unknown } | undefined)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') {
    return 'no answer within the timeout';
  }
  const code = (error as { cause?: { code?: unknown } } | undefined)?.cause?.code;
  return `network error${typeof code === 'string' ? ` (${code})` : ''}`;
}

/** `: <the platform's message>`, at most 200 characters of it, when the answer names one. */
function messageSnippet(text: string): string {
  const parsed = parseJson(text);
  const message = isRecord(parsed)
    ? [
        parsed.message,
        parsed.errors,
        parsed.error,
        isRecord(parsed.gw_err_resp) ? parsed.gw_err_resp.err_msg : undefined,
      ].find((value) => value !== undefined)
    : undefined;
  const said = typeof message === 'string' ? message : message === undefined ? '' : JSON.stringify(message);
  return said === '' ? '' : `: ${said.slice(0, 200)}`;
}

/** JSON.parse that answers undefined instead of throwing. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** A UTC ISO 8601 instant from a platform's date text, or undefined when it is not one. */
export function utcInstant(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.trim() === '') {
    return undefined;
  }
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}
