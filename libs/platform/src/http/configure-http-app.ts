import type { Server } from 'node:http';
import { ExpressAdapter, NestExpressApplication } from '@nestjs/platform-express';
import { Logger as PinoLogger } from 'nestjs-pino';
import { BaseServiceConfig } from '../config/base-service.config';
import { fromBodyParserError } from '../errors/body-parser-errors';
import { PlatformExceptionFilter } from '../errors/platform-exception.filter';
import { httpMetricsMiddleware } from '../metrics/http-metrics';
import { Metrics } from '../metrics/metrics';
import { serveApiDocs } from '../openapi/serve-api-docs';
import { PLATFORM_CONFIG } from '../platform.tokens';
import { httpTracingMiddleware } from '../telemetry/http-tracing';
import { markRawBodyCapture } from '../webhooks/raw-body-capture';
import { HttpRequest, HttpResponse, NextFunction } from './http-types';
import { createValidationPipe } from './validation';

/**
 * HTTP wiring every service shares. Call it after NestFactory.create and before listen()/init():
 * body parsers registered later would come after the routes.
 */
export function configureHttpApp(
  app: NestExpressApplication,
  config: BaseServiceConfig,
  options: { readonly service?: string } = {},
): NestExpressApplication {
  // Without PlatformModule there is no ApiKeyGuard, and every route would be open.
  try {
    app.get(PLATFORM_CONFIG);
  } catch {
    throw new Error('configureHttpApp: the root module must import PlatformModule.forRoot(config)');
  }
  const adapter = app.getHttpAdapter();
  if (!(adapter instanceof ExpressAdapter)) {
    throw new Error('configureHttpApp: only the Express adapter is supported');
  }

  const server: Server = app.getHttpServer();
  server.keepAliveTimeout = config.HTTP_KEEP_ALIVE_TIMEOUT_SECONDS * 1000;
  // Must exceed keepAliveTimeout, or Node may drop a connection whose next request is arriving.
  server.headersTimeout = server.keepAliveTimeout + 5_000;

  app.useLogger(app.get(PinoLogger));
  app.flushLogs();

  // First, so everything after it (the request log included) runs inside the request's span.
  adapter.use(httpTracingMiddleware());
  adapter.use(httpMetricsMiddleware(app.get(Metrics)));
  adapter.use((request: HttpRequest, _response: HttpResponse, next: NextFunction) => {
    markRawBodyCapture(request);
    next();
  });
  // Registered through the adapter with rawBody=true so webhook signatures can be checked whatever
  // the app's `rawBody` option; Nest then skips its own default parsers (same middleware names).
  const limit = config.HTTP_BODY_LIMIT_BYTES;
  // `+json` covers CloudEvents structured mode and problem+json as well as plain JSON.
  adapter.useBodyParser('json', true, { limit, type: ['application/json', 'application/*+json'] });
  adapter.useBodyParser('urlencoded', true, { limit, extended: true });
  // Nest rewrites a JSON SyntaxError into a 400 quoting the body; translate body-parser errors
  // first so the filter sees a clean HttpException.
  adapter.use((error: unknown, _request: HttpRequest, _response: HttpResponse, next: NextFunction) => {
    next(fromBodyParserError(error) ?? error);
  });

  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(app.get(PlatformExceptionFilter));
  app.enableShutdownHooks();
  // Here, so every service documents itself by construction: `/docs` and `/docs-json`.
  serveApiDocs(app, { service: options.service ?? 'waybill' });
  return app;
}
