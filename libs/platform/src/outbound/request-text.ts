import { ProviderTimeoutError, ProviderUnavailableError } from './bounded-retry';

export interface TextRequest {
  readonly url: string;
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly headers?: Readonly<Record<string, string>>;
  /** The body, already encoded (JSON, form-encoded…), with its content type. */
  readonly encoded?: { readonly contentType: string; readonly body: string };
  readonly timeoutMs: number;
}

export interface TextAnswer {
  readonly status: number;
  readonly text: string;
  /** For parties that sign their answers in headers (WeChat Pay). */
  readonly headers: Headers;
}

/**
 * One call to an outside API, its answer read as text for the caller to parse (UnionPay answers
 * `k=v&k=v`, most others JSON: see requestJson). Fails the way withBoundedRetries understands: a
 * timeout is a ProviderTimeoutError, a network error or a 5xx a ProviderUnavailableError, and any
 * other status is an answer. Error messages name the failure (ECONNREFUSED, HTTP 503), never the
 * URL's credentials, headers or body.
 */
export async function requestText(request: TextRequest): Promise<TextAnswer> {
  let response: Response;
  let text: string;
  try {
    response = await fetch(request.url, {
      method: request.method,
      headers: {
        ...(request.encoded && { 'Content-Type': request.encoded.contentType }),
        ...request.headers,
      },
      body: request.encoded?.body,
      signal: AbortSignal.timeout(request.timeoutMs),
    });
    text = await response.text();
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'TimeoutError' || name === 'AbortError') {
      throw new ProviderTimeoutError();
    }
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    throw new ProviderUnavailableError(`network error${cause ? ` (${cause})` : ''}`);
  }
  if (response.status >= 500) {
    throw new ProviderUnavailableError(`HTTP ${response.status}`);
  }
  return { status: response.status, text, headers: response.headers };
}
