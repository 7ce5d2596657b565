import { context, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { HttpRequest, HttpResponse, NextFunction } from '../http/http-types';
import { acceptedIdOrNew, openSpan } from './tracing';

export const REQUEST_ID_HEADER = 'x-request-id';
export const CORRELATION_ID_HEADER = 'x-correlation-id';

/**
 * Express middleware: each request runs in a server span that continues the caller's `traceparent`
 * (a storefront that traces can follow its order through Waybill), with a request id (the
 * caller's `X-Request-Id` or a new one, echoed back) and a correlation id (`X-Correlation-Id`, else
 * the request id) that every event the request causes carries on.
 */
export function httpTracingMiddleware() {
  return (request: HttpRequest, response: HttpResponse, next: NextFunction): void => {
    const requestId = acceptedIdOrNew(request.headers[REQUEST_ID_HEADER]);
    const correlationId = request.headers[CORRELATION_ID_HEADER]
      ? acceptedIdOrNew(request.headers[CORRELATION_ID_HEADER])
      : requestId;
    (request as { id?: string }).id = requestId;
    response.setHeader('X-Request-Id', requestId);
    const { span, context: spanContext } = openSpan({
      name: `HTTP ${request.method ?? ''}`,
      kind: SpanKind.SERVER,
      parent: request.headers,
      correlationId,
      attributes: { 'http.request.method': request.method ?? '' },
    });
    response.once('finish', () => {
      const route = (request as { route?: { path?: unknown } }).route?.path;
      if (typeof route === 'string') {
        span.setAttribute('http.route', route);
        span.updateName(`HTTP ${request.method ?? ''} ${route}`);
      }
      span.setAttribute('http.response.status_code', response.statusCode);
      if (response.statusCode >= 500) {
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
      span.end();
    });
    context.with(spanContext, next);
  };
}
