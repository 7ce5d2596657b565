import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { HttpRequest } from '../http/http-types';
import { Principal, SCOPE_PATTERN } from './principal';
import { authenticationOf } from './request-auth';

export const IS_PUBLIC = 'waybill:public';
export const REQUIRED_SCOPES = 'waybill:required-scopes';

/** No API key: health probes, and webhooks (which authenticate by signature instead). */
export const Public = (): ClassDecorator & MethodDecorator => SetMetadata(IS_PUBLIC, true);

/** The caller's key must carry every listed scope; on a class and a method, both lists apply. */
export function RequireScopes(...scopes: string[]): ClassDecorator & MethodDecorator {
  // Checked at decoration time so a typo such as 'orders: write' fails the boot, not a request.
  const invalid = scopes.filter((scope) => !SCOPE_PATTERN.test(scope));
  if (scopes.length === 0 || invalid.length > 0) {
    throw new Error(`@RequireScopes needs scope names like "orders:write", got ${JSON.stringify(scopes)}`);
  }
  return SetMetadata(REQUIRED_SCOPES, scopes);
}

/** The authenticated principal. Using it on a `@Public()` route is a programming error (500). */
export const CurrentPrincipal = createParamDecorator((_: unknown, context: ExecutionContext): Principal => {
  const auth = authenticationOf(context.switchToHttp().getRequest<HttpRequest>());
  if (!auth) {
    throw new Error('@CurrentPrincipal() used on a route without API key authentication (is it @Public()?)');
  }
  return auth.principal;
});
