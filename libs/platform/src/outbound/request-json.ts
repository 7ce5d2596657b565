import { ProviderUnavailableError } from './bounded-retry';
import { requestText } from './request-text';

export interface JsonRequest {
  readonly url: string;
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly headers?: Readonly<Record<string, string>>;
  /** Serialised as JSON; `Content-Type: application/json` is added. */
  readonly json?: unknown;
  /** A body already encoded another way (e.g. form-encoded), with its content type. */
  readonly encoded?: { readonly contentType: string; readonly body: string };
  readonly timeoutMs: number;
}

export interface JsonAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
  /** The body exactly as received, for parties that sign their answers (WeChat Pay). */
  readonly text: string;
  readonly headers: Headers;
}

/**
 * One call to an outside API that answers JSON, failing the way withBoundedRetries understands: a timeout is a
 * ProviderTimeoutError, a network error, a 5xx or a body that is not JSON is a
 * ProviderUnavailableError, and any other status is an answer for the caller to read. Error
 * messages name the failure (ECONNREFUSED, HTTP 503), never the URL's credentials, headers or body.
 */
export async function requestJson(request: JsonRequest): Promise<JsonAnswer> {
  const { status, text, headers } = await requestText({
    url: request.url,
    method: request.method,
    headers: { Accept: 'application/json', ...request.headers },
    encoded:
      request.json !== undefined
        ? { contentType: 'application/json', body: JSON.stringify(request.json) }
        : request.encoded,
    timeoutMs: request.timeoutMs,
  });
  if (text.trim() === '') {
    return { status, body: {}, text, headers };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ProviderUnavailableError(`HTTP ${status} with a body that is not JSON`);
  }
  const body =
    typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : { value: parsed };
  return { status, body, text, headers };
}
