import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { HttpRequest, HttpResponse } from '../http/http-types';
import { ApiKeyRegistry } from './api-key-registry';
import { IS_PUBLIC, REQUIRED_SCOPES } from './auth.decorators';
import { missingScopes } from './principal';
import { setAuthentication } from './request-auth';

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

/**
 * Global guard: every HTTP route needs `Authorization: Bearer <key>` unless it is `@Public()`.
 * Fail-closed: a route without decorators still needs a valid key.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeyRegistry,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    // APP_GUARDs also run for @EventPattern handlers; those are authenticated by the broker.
    if (context.getType() !== 'http') {
      return true;
    }
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC, targets)) {
      return true;
    }

    const http = context.switchToHttp();
    const request = http.getRequest<HttpRequest>();
    const response = http.getResponse<HttpResponse>();

    const token = BEARER.exec(request.headers.authorization ?? '')?.[1];
    if (!token) {
      response.setHeader('WWW-Authenticate', 'Bearer realm="waybill"');
      throw new UnauthorizedException({
        code: 'AUTH.MISSING_KEY',
        message: 'missing API key: send Authorization: Bearer <key>',
      });
    }
    const auth = this.keys.authenticate(token);
    if (!auth) {
      response.setHeader('WWW-Authenticate', 'Bearer realm="waybill", error="invalid_token"');
      throw new UnauthorizedException({ code: 'AUTH.INVALID_KEY', message: 'invalid API key' });
    }

    const required = this.reflector.getAllAndMerge<string[]>(REQUIRED_SCOPES, targets) ?? [];
    const missing = missingScopes(auth.principal, required);
    if (missing.length > 0) {
      throw new ForbiddenException({
        code: 'AUTH.MISSING_SCOPE',
        message: `${auth.principal.principal} lacks the required scope${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`,
        details: { missingScopes: missing },
      });
    }
    setAuthentication(request, auth);
    return true;
  }
}
