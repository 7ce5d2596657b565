import { HttpRequest, HttpResponse, NextFunction } from '../http/http-types';
import { LATENCY_BUCKETS, Metrics } from './metrics';

/**
 * Express middleware timing every request by method, route pattern and status. The route is the
 * matched pattern (`/v1/orders/:id`), never the path itself: ids in label values would make a new
 * time series per order. Requests that matched no route share `unmatched`.
 */
export function httpMetricsMiddleware(metrics: Metrics) {
  const duration = metrics.histogram({
    name: 'waybill_http_request_duration_seconds',
    help: 'HTTP requests by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: LATENCY_BUCKETS,
  });
  return (request: HttpRequest, response: HttpResponse, next: NextFunction): void => {
    const stop = duration.startTimer();
    response.once('finish', () => {
      const route = (request as { route?: { path?: unknown } }).route?.path;
      stop({
        method: request.method ?? 'UNKNOWN',
        route: typeof route === 'string' ? route : 'unmatched',
        status: String(response.statusCode),
      });
    });
    next();
  };
}
