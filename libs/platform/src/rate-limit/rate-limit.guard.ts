import { CanActivate, ExecutionContext, HttpException, HttpStatus, Injectable } from '@nestjs/common';
import { authenticationOf } from '../auth/request-auth';
import { HttpRequest, HttpResponse } from '../http/http-types';
import { TokenBucketLimiter } from './token-bucket';

/**
 * Runs after `ApiKeyGuard` (registration order): counts per API key, or per client IP on
 * `@Public()` routes. Behind a proxy, set Express `trust proxy` so `req.ip` is the client's.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(private readonly limiter: TokenBucketLimiter) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') {
      return true;
    }
    const http = context.switchToHttp();
    const request = http.getRequest<HttpRequest>();
    const response = http.getResponse<HttpResponse>();

    const auth = authenticationOf(request);
    const caller = auth
      ? `key:${auth.keyId}`
      : `ip:${request.ip ?? request.socket.remoteAddress ?? 'unknown'}`;
    const decision = this.limiter.take(caller);

    // IETF draft-ietf-httpapi-ratelimit-headers (the widely deployed RateLimit-* form).
    response.setHeader('RateLimit-Policy', `${decision.limit};w=60`);
    response.setHeader('RateLimit-Limit', String(decision.limit));
    response.setHeader('RateLimit-Remaining', String(decision.remaining));
    response.setHeader('RateLimit-Reset', String(decision.resetSeconds));
    if (decision.allowed) {
      return true;
    }

    response.setHeader('Retry-After', String(decision.retryAfterSeconds));
    throw new HttpException(
      {
        code: 'RATE_LIMIT.EXCEEDED',
        message: `rate limit of ${decision.limit} requests per minute exceeded; retry in ${decision.retryAfterSeconds}s`,
      },
      HttpStatus.TOO_MANY_REQUESTS,
    );
  }
}
