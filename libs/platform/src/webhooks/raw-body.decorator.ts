import { BadRequestException, createParamDecorator, ExecutionContext } from '@nestjs/common';
import { HttpRequest } from '../http/http-types';
import { isRawBodyCaptured } from './raw-body-capture';

/**
 * The exact bytes of the request body, as signed by the sender. Parsed JSON is no substitute:
 * re-serialising changes whitespace and key order, and the signature no longer matches.
 */
export const RawBody = createParamDecorator((_: unknown, context: ExecutionContext): Buffer => {
  const request = context.switchToHttp().getRequest<HttpRequest>();
  if (Buffer.isBuffer(request.rawBody)) {
    return request.rawBody;
  }
  if (!isRawBodyCaptured(request)) {
    throw new Error(
      '@RawBody(): raw body capture is not configured; call configureHttpApp(app, config) before app.init()',
    );
  }
  throw new BadRequestException({
    code: 'REQUEST.BODY_REQUIRED',
    message: 'a non-empty application/json or application/x-www-form-urlencoded body is required',
  });
});
