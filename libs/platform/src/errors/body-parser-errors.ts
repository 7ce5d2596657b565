import { BadRequestException, HttpException, PayloadTooLargeException } from '@nestjs/common';

/** The fields body-parser (via http-errors) puts on the errors it passes to `next`. */
interface BodyParserError {
  readonly type: string;
  readonly status: number;
  readonly expose?: boolean;
  readonly limit?: number;
  readonly message: string;
}

function isBodyParserError(error: unknown): error is BodyParserError {
  if (!(error instanceof Error)) {
    return false;
  }
  const { type, status } = error as Error & { type?: unknown; status?: unknown };
  return typeof type === 'string' && typeof status === 'number';
}

/**
 * Maps a body-parser error to the HTTP error the caller sees, or undefined if it is not one.
 * Parse errors get a fixed message because Node's JSON.parse message quotes the body.
 */
export function fromBodyParserError(error: unknown): HttpException | undefined {
  if (!isBodyParserError(error)) {
    return undefined;
  }
  switch (error.type) {
    case 'entity.too.large':
      return new PayloadTooLargeException({
        code: 'REQUEST.TOO_LARGE',
        message:
          error.limit === undefined
            ? 'request body is too large'
            : `request body exceeds ${error.limit} bytes`,
      });
    case 'entity.parse.failed':
      return new BadRequestException({
        code: 'REQUEST.INVALID_JSON',
        message: 'request body is not valid JSON',
      });
    default:
      // e.g. encoding.unsupported (415), request.aborted (400): http-errors marks 4xx messages
      // as written for the client (`expose`); anything else stays an internal error.
      return error.status >= 400 && error.status < 500 && error.expose
        ? new HttpException({ code: 'REQUEST.INVALID_BODY', message: error.message }, error.status)
        : undefined;
  }
}
