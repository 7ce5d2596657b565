export type PrincipalKind = 'storefront' | 'carrier' | 'supplier' | 'admin';

/** Who is calling, as configured for the presented API key. */
export interface Principal {
  /** As configured: `storefront/<id>`, `carrier/<name>`, `supplier/<name>` or `admin`. */
  readonly principal: string;
  readonly kind: PrincipalKind;
  /** The part after the slash; `admin` for the admin principal. */
  readonly id: string;
  readonly scopes: readonly string[];
}

const PRINCIPAL = /^(?:(storefront|carrier|supplier)\/([A-Za-z0-9][A-Za-z0-9._-]{0,127})|(admin))$/;
export const PRINCIPAL_FORMAT = 'storefront/<id>, carrier/<name>, supplier/<name> or admin';

/** e.g. `orders:write`, `webhooks:carriers`, `stock:read`. */
export const SCOPE_PATTERN = /^[a-z][a-z0-9_.-]*(?::[a-z][a-z0-9_.-]*)*$/;

export function parsePrincipal(principal: string, scopes: readonly string[]): Principal | undefined {
  const match = PRINCIPAL.exec(principal);
  if (!match) {
    return undefined;
  }
  const [, kind, id, admin] = match;
  if (admin) {
    return { principal, kind: 'admin', id: 'admin', scopes };
  }
  return { principal, kind: kind as Exclude<PrincipalKind, 'admin'>, id, scopes };
}

/** Scopes in `required` that `principal` lacks; admin lacks none. */
export function missingScopes(principal: Principal, required: readonly string[]): string[] {
  if (principal.kind === 'admin') {
    return [];
  }
  return required.filter((scope) => !principal.scopes.includes(scope));
}
