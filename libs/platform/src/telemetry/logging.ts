import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from 'nestjs-pino';
import type { LevelWithSilent } from 'pino';
import type { LogLevel } from '@nestjs/common';
import { logContext } from './tracing';

const PINO_LEVEL: Readonly<Record<LogLevel, LevelWithSilent>> = {
  fatal: 'fatal',
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'trace',
};

/**
 * Field names whose values never reach a log line, wherever they appear in a logged object. The
 * request serializer below already leaves out headers and bodies; this catches what code logs.
 */
export const REDACTED_FIELDS = [
  'authorization',
  'apiKey',
  'api_key',
  'token',
  'paymentToken',
  'paymentMethodRef',
  'secret',
  'password',
  'cardNumber',
  'card',
];

/** Probes and scrapes would drown the request log. */
const QUIET_PATHS = /^\/(health|metrics)(\/|$|\?)/;

/**
 * Structured JSON logs (pino via nestjs-pino): one line per request and per message, each with
 * the trace and span ids and the correlation id of the work it belongs to. Requests are logged by
 * method, path (never the query string: it may carry tokens), status and time — no headers, no body.
 */
export function loggingParams(level: LogLevel, destination?: NodeJS.WritableStream): Params {
  return {
    pinoHttp: [
      {
        level: PINO_LEVEL[level],
        mixin: logContext,
        redact: {
          paths: REDACTED_FIELDS.flatMap((field) => [field, `*.${field}`]),
          censor: '[redacted]',
        },
        genReqId: (request: IncomingMessage) => (request as { id?: string }).id ?? '',
        serializers: {
          req: (request: IncomingMessage & { id?: string }) => ({
            id: request.id,
            method: request.method,
            path: (request.url ?? '').split('?')[0],
          }),
          res: (response: ServerResponse) => ({ statusCode: response.statusCode }),
        },
        autoLogging: { ignore: (request: IncomingMessage) => QUIET_PATHS.test(request.url ?? '') },
        customLogLevel: (_request: IncomingMessage, response: ServerResponse, error?: Error) =>
          error || response.statusCode >= 500 ? 'error' : response.statusCode >= 400 ? 'warn' : 'info',
      },
      destination ?? process.stdout,
    ],
  };
}
