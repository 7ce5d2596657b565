import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  HttpStatus,
  Injectable,
  Logger,
} from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import { HttpRequest, HttpResponse } from '../http/http-types';
import { fromBodyParserError } from './body-parser-errors';
import { DomainError, DomainErrorKind } from './domain-error';

/** The one error shape every Waybill HTTP API answers with. */
export interface ErrorBody {
  readonly statusCode: number;
  /** The HTTP reason phrase, e.g. `Payload Too Large`. */
  readonly error: string;
  /** Stable and machine-readable, e.g. `ORDER.NOT_FOUND`, `AUTH.MISSING_SCOPE`, `HTTP.NOT_FOUND`. */
  readonly code: string;
  readonly message: string;
  readonly details?: unknown;
}

export const DOMAIN_ERROR_STATUS: Readonly<Record<DomainErrorKind, number>> = {
  'not-found': HttpStatus.NOT_FOUND,
  conflict: HttpStatus.CONFLICT,
  'rule-violation': HttpStatus.UNPROCESSABLE_ENTITY,
  forbidden: HttpStatus.FORBIDDEN,
  unavailable: HttpStatus.SERVICE_UNAVAILABLE,
};

/**
 * Maps everything thrown at the HTTP edge, once. Unknown errors become a generic 500 and are logged
 * with method, path (no query string: it may carry tokens) and stack — never headers or body.
 */
@Catch()
@Injectable()
export class PlatformExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpErrors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<HttpRequest>();
    const response = http.getResponse<HttpResponse>();

    const body = this.toBody(exception, request);
    if (response.headersSent) {
      // Too late to answer with an error; closing the socket tells the client the body is cut.
      response.destroy();
      return;
    }
    response.status(body.statusCode).json(body);
  }

  private toBody(exception: unknown, request: HttpRequest): ErrorBody {
    const http = exception instanceof HttpException ? exception : fromBodyParserError(exception);
    if (http) {
      const status = http.getStatus();
      if (status >= 500) {
        this.logFailure(exception, request);
      }
      return fromHttpException(http);
    }
    if (exception instanceof DomainError) {
      const status = DOMAIN_ERROR_STATUS[exception.kind];
      return {
        ...envelope(status, exception.code, exception.message),
        ...(exception.details && { details: exception.details }),
      };
    }
    this.logFailure(exception, request);
    return envelope(HttpStatus.INTERNAL_SERVER_ERROR, 'INTERNAL', 'internal server error');
  }

  private logFailure(exception: unknown, request: HttpRequest): void {
    const path = (request.originalUrl ?? request.url ?? '').split('?')[0];
    const detail = exception instanceof Error ? (exception.stack ?? exception.message) : String(exception);
    this.logger.error(`${request.method ?? '?'} ${path} failed`, detail);
  }
}

function envelope(statusCode: number, code: string, message: string): ErrorBody {
  return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', code, message };
}

function fromHttpException(exception: HttpException): ErrorBody {
  const status = exception.getStatus();
  const fallbackCode = `HTTP.${HttpStatus[status] ?? status}`;
  const response = exception.getResponse();
  if (typeof response === 'string') {
    return envelope(status, fallbackCode, response);
  }

  const { code, message, details } = response as { code?: unknown; message?: unknown; details?: unknown };
  const text = Array.isArray(message)
    ? message.map(String).join('; ')
    : typeof message === 'string'
      ? message
      : exception.message;
  return {
    ...envelope(status, typeof code === 'string' ? code : fallbackCode, text),
    ...(details !== undefined && { details }),
  };
}
